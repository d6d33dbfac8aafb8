/**
 * The seam between planning and I/O, as Kratix's StateStoreWriter: writers
 * know nothing of Destinations or modes. Every path is relative to the State
 * Store's own `spec.path`, cleaned, without a leading slash.
 */
export interface StateStoreWriter {
  /** `<Kind>/<name>` and where it points, for logs and errors; never a secret. */
  readonly description: string;
  /** The digest `observe` reports for content: a git blob id, or an S3 ETag (md5). */
  digest(content: Buffer): string;
  /** Brings the local view up to date with the store (Git: fetch). */
  refresh(): Promise<void>;
  /** What the store holds where a run needs to know. */
  observe(request: ObserveRequest): Promise<StoreSnapshot>;
  /** A file's bytes, or undefined when absent. */
  readFile(path: string): Promise<Buffer | undefined>;
  /** Git: files changed by commits after `since` (foreign changes), and the current tip. */
  changesSince?(since: string | undefined): Promise<{ tip?: string; paths: string[] }>;
  /** Git: the branch tip after the last refresh or write. */
  currentVersion?(): string | undefined;
  /**
   * Applies changes as one unit: `Buffer` writes, `null` deletes. A change
   * set that changes nothing writes nothing (no commit, no PUT). Content the
   * store refuses is reported in `failed` (bucket) or thrown as a `refused`
   * StoreError (Git: the whole commit). `metadata` gives a written file's
   * facts (who asked for it) where the store keeps them per object (S3's
   * `x-amz-meta-*`); Git carries them in `message`.
   */
  apply(
    changes: Map<string, Buffer | null>,
    message: string,
    metadata?: (path: string) => Record<string, string> | undefined,
  ): Promise<ApplyResult>;
  /** Throws a clear error when the store cannot be reached or written. */
  validatePermissions(): Promise<void>;
  close(): Promise<void>;
}

export interface ObserveRequest {
  /** Everything under the store's root. */
  full: boolean;
  /** Directories whose files are needed (recursively). */
  dirs: string[];
  /** Files whose digest is needed. */
  paths: string[];
  /** Digests the plugin recorded; a bucket trusts them for paths it does not look up. */
  known: Map<string, string>;
  /** Paths to look up in the store even when unknown (old state-file entries to delete). */
  verify: string[];
}

export interface StoreSnapshot {
  /** A file's digest, or undefined when absent. */
  digest(path: string): string | undefined;
  /** Every file below `dir` (recursively); `''` is the store root. */
  list(dir: string): string[];
  /** Every file seen (full observations). */
  all(): Map<string, string>;
}

export interface ApplyResult {
  /** Git: the new commit SHA; bucket: Kratix's chained version of the PUTs. Absent when nothing changed. */
  version?: string;
  written: number;
  deleted: number;
  /** Git: how many commits were made (0 or 1); bucket: 0. */
  commits: number;
  /** Bucket: how many PUTs were made; Git: 0. */
  puts: number;
  /** Bucket: paths the store refused, with why. */
  failed?: Map<string, Error>;
}

/** A snapshot over a path -> digest map; listing a directory is a binary search. */
export class MapSnapshot implements StoreSnapshot {
  private sorted?: string[];
  constructor(private readonly files: Map<string, string>) {}
  digest(path: string) {
    return this.files.get(path);
  }
  list(dir: string) {
    const prefix = dir === '' || dir === '.' ? '' : `${dir}/`;
    if (prefix === '') return [...this.files.keys()];
    this.sorted ??= [...this.files.keys()].sort();
    const keys = this.sorted;
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (keys[mid] < prefix) lo = mid + 1;
      else hi = mid;
    }
    const out: string[] = [];
    for (let i = lo; i < keys.length && keys[i].startsWith(prefix); i++) out.push(keys[i]);
    return out;
  }
  all() {
    return this.files;
  }
}
