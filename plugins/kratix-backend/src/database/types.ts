import type { PlacementStatus } from '@internal/plugin-kratix-common';
import type { Labels } from '../scheduling';

/** A work as stored: files already split into workload groups. */
export interface StoredWork {
  namespace: string;
  name: string;
  promise: string;
  resource?: string;
  pipeline: string;
  contentHash: string;
  createdBy?: string;
  createdAt: string;
  updatedAt: string;
  deletedAt?: string;
  groups: StoredGroup[];
}

export interface StoredGroup {
  id: string;
  directory: string;
  selectors: Labels;
  /** Paths only; contents are loaded when written. */
  files: string[];
}

/** A work as the API receives it, after validation. */
export interface NewWork {
  namespace: string;
  name: string;
  promise: string;
  resource?: string;
  pipeline: string;
  createdBy?: string;
  groups: {
    id: string;
    directory: string;
    selectors: Labels;
    files: { path: string; content: Buffer }[];
  }[];
}

export interface StoredPlacement {
  namespace: string;
  name: string;
  workNamespace: string;
  workName: string;
  groupId: string;
  destination: string;
  stateStore: string;
  status: PlacementStatus;
  misplaced: boolean;
  generation: number;
  writtenGeneration: number;
  version?: string;
  lastError?: string;
  scheduledAt: string;
  writtenAt?: string;
  updatedAt: string;
}

export interface StoredDestination {
  name: string;
  entityRef: string;
  uid?: string;
  spec: any;
  labels: Labels;
  stateStore: string;
  specHash: string;
  writtenSpecHash?: string;
  writtenSpec?: any;
  ready: boolean;
  message?: string;
  orphanSince?: string;
  deletedAt?: string;
  updatedAt: string;
}

export interface StoredStateStore {
  ref: string;
  kind: 'GitStateStore' | 'BucketStateStore';
  name: string;
  entityRef: string;
  spec: any;
  ready: boolean;
  message?: string;
  lastVersion?: string;
  lastWrittenAt?: string;
  lastFullSyncAt?: string;
  deletedAt?: string;
  updatedAt: string;
}
