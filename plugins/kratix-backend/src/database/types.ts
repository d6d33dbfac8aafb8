import type {
  BucketStateStoreSpec,
  DestinationSpec,
  FilepathMode,
  GitStateStoreSpec,
  Labels,
  PlacementStatus,
  StateStoreKind,
} from '@kratix-destinations/plugin-kratix-common';

export interface WorkKey {
  namespace: string;
  name: string;
}

/** Who owns a work that has a row, and whether it is being deleted (its files still leaving). */
export interface WorkOwnership {
  ownerRefs: string[];
  deleting: boolean;
}

/** A work as stored: files already split into workload groups. */
export interface StoredWork extends WorkKey {
  promise: string;
  resource?: string;
  pipeline: string;
  /** `<promise>/<resource>/<pipeline>`: what the (possibly truncated) name stands for. */
  identity: string;
  contentHash: string;
  createdBy?: string;
  /** Who submitted the current version. */
  submittedBy?: string;
  /** The creator and the groups they belonged to: who may change the work. */
  ownerRefs: string[];
  /** The current version's annotations. */
  annotations?: Record<string, string>;
  /** The permission decision that limits where the work may be placed later (JSON), if any. */
  placementConditions?: unknown;
  createdAt: string;
  updatedAt: string;
  deletedAt?: string;
  groups: StoredGroup[];
}

export interface StoredGroup {
  id: string;
  directory: string;
  selectors: Labels;
  /** Paths only; contents are read when written. */
  files: string[];
}

export interface WorkFileContent {
  path: string;
  content: Buffer;
}

/** A work as the intake hands it to the store, after validation. */
export interface NewWork extends WorkKey {
  promise: string;
  resource?: string;
  pipeline: string;
  createdBy?: string;
  /** Who submits this version (the creator keeps `createdBy`). */
  submittedBy?: string;
  ownerRefs?: string[];
  placementConditions?: unknown;
  /** Annotations of this version: a ticket id, the scaffolder task and template. */
  annotations?: Record<string, string>;
  groups: { id: string; directory: string; selectors: Labels; files: WorkFileContent[] }[];
}

export interface PlacementKey {
  namespace: string;
  name: string;
}

/** Where and how a placement's files were last written. */
export interface WrittenLocation {
  store: string;
  mode: FilepathMode;
  path: string;
}

export interface DriftRecord {
  at: string;
  files: string[];
  version?: string;
  resolution: 'repaired' | 'reported';
}

export interface StoredPlacement extends PlacementKey {
  workNamespace: string;
  workName: string;
  groupId: string;
  destination: string;
  stateStore: string;
  status: PlacementStatus;
  misplaced: boolean;
  generation: number;
  writtenGeneration: number;
  dirty: boolean;
  version?: string;
  lastError?: string;
  scheduledAt: string;
  writtenAt?: string;
  updatedAt: string;
  written?: WrittenLocation;
  drift?: DriftRecord;
}

export interface NewPlacement extends PlacementKey {
  workNamespace: string;
  workName: string;
  groupId: string;
  destination: string;
  stateStore: string;
  /** A placement that cannot be written from the start (e.g. a path clash) is created failed. */
  error?: string;
}

export interface StoredDestination {
  name: string;
  namespace: string;
  entityRef: string;
  uid?: string;
  etag?: string;
  spec: DestinationSpec;
  labels: Labels;
  stateStore: string;
  specHash: string;
  /** What was last laid out in the store (mode, path, store): Kratix's mode is immutable. */
  written?: { specHash: string; spec: DestinationSpec; store: string };
  ready: boolean;
  message?: string;
  orphanSince?: string;
  deletedAt?: string;
  updatedAt: string;
  drift?: DriftRecord;
}

export interface DestinationInput {
  name: string;
  namespace: string;
  entityRef: string;
  uid?: string;
  etag?: string;
  spec: DestinationSpec;
  labels: Labels;
  stateStore: string;
}

export type StateStoreSpec = GitStateStoreSpec | BucketStateStoreSpec;

export interface StoredStateStore {
  ref: string;
  kind: StateStoreKind;
  name: string;
  namespace: string;
  entityRef: string;
  etag?: string;
  spec: StateStoreSpec;
  ready: boolean;
  message?: string;
  lastVersion?: string;
  lastWrittenAt?: string;
  lastFullSyncAt?: string;
  /** The branch tip seen at the end of the last run (Git): foreign commits start after it. */
  lastSeenTip?: string;
  /** Consecutive failed runs; the next try waits longer each time. */
  failures: number;
  retryAt?: string;
  changeSeq: number;
  doneSeq: number;
  deletedAt?: string;
  updatedAt: string;
}

export interface StateStoreInput {
  ref: string;
  kind: StateStoreKind;
  name: string;
  namespace: string;
  entityRef: string;
  etag?: string;
  spec: StateStoreSpec;
}

export type OwnedFileKind = 'file' | 'stateFile' | 'canary' | 'aggregate';

/** A file the product wrote, with the digest the store reports for it (git blob id or md5). */
export interface OwnedFile {
  store: string;
  /** Relative to the store's root, cleaned, no leading slash. */
  path: string;
  digest: string;
  destination: string;
  placement?: PlacementKey;
  kind: OwnedFileKind;
}

export interface PlacementEvent {
  placement: PlacementKey;
  work: WorkKey;
  destination: string;
  stateStore: string;
  action: 'written' | 'removed' | 'failed' | 'drift' | 'scheduled';
  version?: string;
  actor?: string;
  message?: string;
  at: string;
}

export interface PageRequest {
  limit: number;
  cursor?: string;
}

export interface Paged<T> {
  items: T[];
  totalCount: number;
  nextCursor?: string;
}
