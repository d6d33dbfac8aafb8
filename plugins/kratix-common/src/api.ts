/** Types of the kratix HTTP API (`/api/kratix`): what the backend builds and every client reads. */

/** The signal channel the backend publishes every store run on; open pages reload on it. */
export const KRATIX_SIGNAL_CHANNEL = 'kratix';
import type { FilepathMode, StateStoreKind, CleanupPolicy } from './kinds/Destination';
import type { Labels } from './labels';

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
  destinationSelectors?: Labels;
}

/** The body of `POST /works`. */
export interface WorkRequest {
  promise: string;
  /** Absent for a dependency (Promise-level work for every matching Destination). */
  resource?: string;
  namespace?: string;
  /** Absent for static dependencies (then the segment disappears from paths). */
  pipeline?: string;
  /** Resource-workflow selectors for the default group (directory `.`). */
  destinationSelectors?: Labels;
  /** The Promise's `spec.destinationSelectors` (squashed, first wins; they win over the others). */
  promiseSelectors?: Labels[];
  /** Promise-workflow selectors (squashed; they win over resource-workflow ones). */
  promiseWorkflowSelectors?: Labels[];
  workloadGroups?: WorkloadGroupSelector[];
  /**
   * Why the work is asked for: e.g. `{ticket: OPS-123}`. Kept with the
   * work's current version, they fill commit message templates and go into
   * S3 object metadata; `kratix:schedule` adds the scaffolder task and template.
   */
  annotations?: Record<string, string>;
  files: WorkFile[];
}

/** The annotation `kratix:schedule` sets to the id of the scaffolder task that submits a work. */
export const SCAFFOLDER_TASK_ANNOTATION = 'kratix.backstage.io/scaffolder-task';
/** The annotation `kratix:schedule` sets to the entity ref of the template that task runs. */
export const SCAFFOLDER_TEMPLATE_ANNOTATION = 'kratix.backstage.io/template';

export type PlacementStatus = 'pending' | 'written' | 'failed' | 'deleting' | 'orphaned';
export type WorkStatus = 'pending' | 'written' | 'failed' | 'deleting';

/** Where a placement's files are in its State Store, recorded when they were written. */
export interface PlacementLocation {
  /** `<Kind>/<name>` of the store that holds them. */
  stateStore: string;
  mode: FilepathMode;
  /** A directory (nestedByMetadata), the state file (none) or the aggregated file. */
  path: string;
  url?: string;
  branch?: string;
  bucket?: string;
  endpoint?: string;
  /** A link to the path in the host's web UI, when the host is known. */
  webUrl?: string;
}

export interface DriftView {
  /** When foreign changes to owned files were seen. */
  at: string;
  files: string[];
  /** The commit that carried them (Git). */
  version?: string;
  /** `repaired` (written back) or `reported` (policy report: left as found). */
  resolution: 'repaired' | 'reported';
}

export interface PlacementView {
  name: string;
  namespace: string;
  work: { namespace: string; name: string };
  promise?: string;
  resource?: string;
  destination: string;
  /** The Destination's catalog entity ref (`destination:<namespace>/<name>`), while it is known. */
  destinationRef?: string;
  workloadGroupId: string;
  directory: string;
  status: PlacementStatus;
  misplaced: boolean;
  /** Commit SHA (Git) or chained object version (bucket) of the last write. */
  version?: string;
  lastError?: string;
  scheduledAt: string;
  writtenAt?: string;
  location?: PlacementLocation;
  drift?: DriftView;
}

export interface PlacementEventView {
  at: string;
  action: 'written' | 'removed' | 'failed' | 'drift' | 'scheduled';
  destination: string;
  stateStore: string;
  version?: string;
  actor?: string;
  message?: string;
  webUrl?: string;
}

export interface WorkloadGroupView {
  id: string;
  directory: string;
  destinationSelectors: Labels;
  files: string[];
}

/** A work in lists: no files, no placement details. */
export interface WorkSummary {
  namespace: string;
  name: string;
  promise: string;
  resource?: string;
  pipeline: string;
  kind: 'resource' | 'dependency';
  status: WorkStatus;
  destinations: {
    name: string;
    /** The Destination's catalog entity ref, while it is known. */
    entityRef?: string;
    status: PlacementStatus;
    misplaced: boolean;
  }[];
  createdBy?: string;
  createdAt: string;
  updatedAt: string;
  deletedAt?: string;
}

export interface WorkView extends WorkSummary {
  workloadGroups: WorkloadGroupView[];
  placements: PlacementView[];
  /** Groups that no Destination matches yet. */
  pendingGroups: string[];
}

export interface CanariesView {
  enabled: boolean;
  written: boolean;
  paths: string[];
}

export interface PlacementCounts {
  total: number;
  written: number;
  failed: number;
  pending: number;
}

export interface DestinationSummary {
  name: string;
  namespace: string;
  entityRef: string;
  labels: Labels;
  path: string;
  mode: FilepathMode;
  cleanup: CleanupPolicy;
  stateStore: string;
  ready: boolean;
  message: string;
  deleting: boolean;
  drifted: boolean;
  placementCounts: PlacementCounts;
}

export interface DestinationView extends DestinationSummary {
  spec: Record<string, unknown>;
  canaries: CanariesView;
  /** The first page of placements; `GET /destinations/:name/placements` pages on. */
  placements: PlacementView[];
  placementsNextCursor?: string;
  store?: { ref: string; ready: boolean };
  drift?: DriftView;
}

/** Where a store's credentials come from; never a value. */
export interface CredentialSourceView {
  type: 'secret' | 'integration' | 'iam' | 'none';
  /** The `kratix.secrets` entry, or the integration's host. */
  name?: string;
  detail?: string;
}

export interface StateStoreView {
  kind: StateStoreKind;
  name: string;
  namespace: string;
  entityRef: string;
  spec: Record<string, unknown>;
  ready: boolean;
  status: 'Ready' | 'NotReady';
  message: string;
  lastVersion?: string;
  lastWrittenAt?: string;
  lastFullSyncAt?: string;
  /** When a failing store is tried again. */
  nextAttemptAt?: string;
  credentials: CredentialSourceView;
  destinations: { name: string; ready: boolean; path: string; mode: FilepathMode }[];
  placements: { total: number; written: number; failed: number };
}

/** A page of a list; pass `nextCursor` as `cursor` for the next one. */
export interface Page<T> {
  items: T[];
  totalCount: number;
  nextCursor?: string;
}

/** One file a write would add, change or remove. */
export interface FileChange {
  path: string;
  action: 'add' | 'change' | 'delete';
  /** A unified diff for text; absent for binary files. */
  diff?: string;
  binary?: boolean;
}

export interface DestinationPreview {
  destination: string;
  stateStore: string;
  changes: FileChange[];
  /** Changes left out of `changes` to keep the answer small. */
  omitted: number;
  /** Why the store could not be compared (the placements are still chosen). */
  error?: string;
}

export interface ScheduleResult {
  work: { namespace: string; name: string };
  destinations: string[];
  placements: PlacementView[];
  pendingGroups: string[];
  dryRun?: boolean;
  /** With `dryRun`: what each Destination's store would change. */
  preview?: DestinationPreview[];
}

export interface StoreFileView {
  path: string;
  /** The path relative to the Destination. */
  relativePath: string;
  size?: number;
  managed: boolean;
  kind?: 'file' | 'stateFile' | 'canary' | 'aggregate';
  work?: { namespace: string; name: string };
  placement?: string;
  webUrl?: string;
}

export interface DestinationFilesView {
  destination: string;
  stateStore: string;
  root: string;
  version?: string;
  files: StoreFileView[];
  truncated: boolean;
}
