/** Types of the kratix HTTP API (`/api/kratix`), shared by clients and the backend. */

/** A file of a work, its path relative to the pipeline output root. */
export interface WorkFile {
  path: string;
  /** UTF-8 text, or base64 when `encoding` is `base64`. */
  content: string;
  encoding?: 'utf-8' | 'base64';
}

/** Files under `directory` form their own group, scheduled with only these selectors. */
export interface WorkloadGroupSelector {
  directory: string;
  destinationSelectors?: Record<string, string>;
}

/** The body of `POST /works`. */
export interface WorkRequest {
  promise: string;
  /** Absent for a dependency (Promise-level work for every matching Destination). */
  resource?: string;
  namespace?: string;
  pipeline: string;
  /** Selectors for the default group (directory `.`). */
  destinationSelectors?: Record<string, string>;
  workloadGroups?: WorkloadGroupSelector[];
  files: WorkFile[];
}

export type PlacementStatus = 'pending' | 'written' | 'failed' | 'deleting';

export interface PlacementView {
  name: string;
  destination: string;
  workloadGroupId: string;
  directory: string;
  status: PlacementStatus;
  misplaced: boolean;
  /** Commit SHA (Git) or chained object version (bucket) of the last write. */
  version?: string;
  lastError?: string;
  writtenAt?: string;
  /** Where the files are: repository URL or bucket, and the path or key prefix. */
  location?: { stateStore: string; url?: string; bucket?: string; path: string };
}

export interface WorkloadGroupView {
  id: string;
  directory: string;
  destinationSelectors: Record<string, string>;
  files: string[];
}

export interface WorkView {
  namespace: string;
  name: string;
  promise: string;
  resource?: string;
  pipeline: string;
  workloadGroups: WorkloadGroupView[];
  placements: PlacementView[];
  /** Groups that no Destination matches yet. */
  pendingGroups: string[];
  createdAt: string;
  updatedAt: string;
}

export interface ScheduleResult {
  work: { namespace: string; name: string };
  destinations: string[];
  placements: PlacementView[];
  dryRun?: boolean;
}
