import { createApiRef } from '@backstage/frontend-plugin-api';
import type {
  DestinationFilesView,
  DestinationView,
  Page,
  PlacementEventView,
  PlacementView,
  ScheduleResult,
  StateStoreView,
  WorkSummary,
  WorkView,
} from '@kratix-destinations/plugin-kratix-common';

export interface WorkKey {
  namespace: string;
  name: string;
}

export interface WorkListQuery {
  search?: string;
  destination?: string;
  limit?: number;
  cursor?: string;
}

/** The kratix backend's API, as the UI uses it; undefined where the backend does not know the thing (yet). */
export interface KratixApi {
  listWorks(query: WorkListQuery): Promise<Page<WorkSummary>>;
  getWork(work: WorkKey): Promise<WorkView | undefined>;
  getWorkHistory(work: WorkKey): Promise<PlacementEventView[]>;
  /** What the stores would change if the work were sent again. */
  previewWork(work: WorkKey): Promise<ScheduleResult>;
  deleteWork(work: WorkKey): Promise<void>;
  getDestination(name: string): Promise<DestinationView | undefined>;
  listPlacements(
    destination: string,
    page: { limit: number; cursor?: string },
  ): Promise<Page<PlacementView>>;
  getDestinationFiles(destination: string): Promise<DestinationFilesView | undefined>;
  getFileContent(destination: string, path: string): Promise<string>;
  getStateStore(
    kind: string,
    name: string,
    namespace?: string,
  ): Promise<StateStoreView | undefined>;
}

export const kratixApiRef = createApiRef<KratixApi>({ id: 'plugin.kratix.api' });
