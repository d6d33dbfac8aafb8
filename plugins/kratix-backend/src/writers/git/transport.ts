import { LocalRepo } from './localRepo';
import { BuiltPack } from './pack';

export type PushOutcome =
  | { ok: true }
  /** The compare-and-swap was lost: another writer moved the branch. */
  | { ok: false; reason: string };

/** How a Git store is reached: smart HTTP(S) or SSH. The writer is the same above it. */
export interface GitTransport {
  /** The URL as users see it, never with credentials. */
  readonly target: string;
  /**
   * Fetches the branch into the local repository (shallow the first time);
   * returns the remote tip, or undefined for an empty repository.
   */
  fetch(repo: LocalRepo, branch: string, first: boolean): Promise<string | undefined>;
  /**
   * Updates the branch from `oldOid` to `newOid`, sending `pack` (only the new
   * objects). Throws a `refused` StoreError with the server's own words when a
   * hook or rule refuses the update.
   */
  push(
    repo: LocalRepo,
    args: { branch: string; oldOid?: string; newOid: string; pack: BuiltPack },
  ): Promise<PushOutcome>;
  /** Throws a clear error unless the credentials may push. */
  checkWrite(): Promise<void>;
  close(): Promise<void>;
}
