/**
 * The seam between planning and I/O, as Kratix's StateStoreWriter: writers
 * know nothing of Destinations or modes. Every path is relative to the State
 * Store's own `spec.path`.
 */
export interface StateStoreWriter {
  /** `<Kind>/<name>` and where it points, for logs and errors; never a secret. */
  readonly description: string;
  /** Brings the local view up to date with the store (Git: fetch). */
  refresh(): Promise<void>;
  /** A file's bytes, or undefined when absent. */
  readFile(path: string): Promise<Buffer | undefined>;
  /** Every file path below a directory (recursively), relative to the store path. */
  list(dir: string): Promise<string[]>;
  /**
   * Applies changes as one unit: `Buffer` writes, `null` deletes. Paths whose
   * content is already there are skipped; a change set that changes nothing
   * writes nothing (no commit, no PUT).
   */
  apply(changes: Map<string, Buffer | null>, message: string): Promise<ApplyResult>;
  /** Throws a clear error when the store cannot be reached or written. */
  validatePermissions(): Promise<void>;
  close(): Promise<void>;
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
}
