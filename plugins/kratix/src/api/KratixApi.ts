import { createApiRef } from '@backstage/frontend-plugin-api';
import type { PlacementView, WorkView } from '@internal/plugin-kratix-common';

/** A placement as the kratix API returns it, with the work it belongs to. */
export type Placement = PlacementView & {
  namespace: string;
  work: { namespace: string; name: string };
  promise?: string;
  resource?: string;
  scheduledAt?: string;
  location?: PlacementView['location'] & { branch?: string; endpoint?: string };
};

export type Work = Omit<WorkView, 'placements'> & {
  kind: 'resource' | 'dependency';
  status: 'pending' | 'written' | 'failed' | 'deleting';
  placements: Placement[];
  deletedAt?: string;
};

export interface DestinationStatus {
  name: string;
  entityRef: string;
  labels: Record<string, string>;
  spec: any;
  stateStore: string;
  ready: boolean;
  message: string;
  deleting: boolean;
  canaries: { enabled: boolean; written: boolean; paths: string[] };
  placements: Placement[];
}

export interface StateStoreStatus {
  kind: 'GitStateStore' | 'BucketStateStore';
  name: string;
  entityRef: string;
  spec: any;
  ready: boolean;
  status: 'Ready' | 'NotReady';
  message: string;
  lastVersion?: string;
  lastWrittenAt?: string;
  lastFullSyncAt?: string;
  destinations: { name: string; ready: boolean; path: string; mode?: string }[];
  placements: { total: number; written: number; failed: number };
}

/** The kratix backend's API, as the UI uses it. */
export interface KratixApi {
  listWorks(): Promise<Work[]>;
  deleteWork(work: { namespace: string; name: string }): Promise<void>;
  /** Undefined when the backend does not know the Destination (yet). */
  getDestination(name: string): Promise<DestinationStatus | undefined>;
  getStateStore(
    kind: string,
    name: string,
    namespace?: string,
  ): Promise<StateStoreStatus | undefined>;
}

export const kratixApiRef = createApiRef<KratixApi>({ id: 'plugin.kratix.api' });
