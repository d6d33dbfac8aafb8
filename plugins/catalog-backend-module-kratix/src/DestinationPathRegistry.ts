/**
 * Remembers which Destination first claimed a path on a State Store, so the
 * later one gets the error (as Kratix's webhook rejects the second create).
 * In memory, per catalog replica: a claim lapses when its Destination has not
 * been processed for `staleAfterMs` (it was deleted or moved).
 */
export class DestinationPathRegistry {
  private readonly claims = new Map<string, { ref: string; seen: number }>();
  private readonly keyOfRef = new Map<string, string>();

  constructor(
    private readonly staleAfterMs = 5 * 60_000,
    private readonly now = () => Date.now(),
  ) {}

  /** Claims `key` for `ref`; returns the other Destination holding it, if any. */
  claim(key: string, ref: string): string | undefined {
    const t = this.now();
    const previous = this.keyOfRef.get(ref);
    if (previous && previous !== key && this.claims.get(previous)?.ref === ref) {
      this.claims.delete(previous);
    }
    const holder = this.claims.get(key);
    if (holder && holder.ref !== ref && t - holder.seen < this.staleAfterMs) {
      this.keyOfRef.delete(ref);
      return holder.ref;
    }
    this.claims.set(key, { ref, seen: t });
    this.keyOfRef.set(ref, key);
    return undefined;
  }
}
