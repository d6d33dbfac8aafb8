import type { CoordinationTable } from './tables/coordination';
import type { DestinationTable } from './tables/destinations';
import type { PlacementEventTable } from './tables/events';
import type { OwnedFileTable } from './tables/ownedFiles';
import type { PathClaimTable } from './tables/pathClaims';
import type { PlacementTable } from './tables/placements';
import type { StateStoreTable } from './tables/stateStores';
import type { WorkTable } from './tables/works';

/** The public methods of an implementation class: what callers may rely on. */
type Api<T> = { [K in keyof T]: T[K] };

export type WorkStore = Api<WorkTable>;
export type PlacementStore = Api<PlacementTable>;
export type DestinationStore = Api<DestinationTable>;
export type StateStoreStore = Api<StateStoreTable>;
export type OwnedFileStore = Api<OwnedFileTable>;
export type PathClaimStore = Api<PathClaimTable>;
export type PlacementEventStore = Api<PlacementEventTable>;
export type CoordinationStore = Api<CoordinationTable>;

/** All persistence of the kratix plugin, table by table. */
export interface KratixStore {
  readonly works: WorkStore;
  readonly placements: PlacementStore;
  readonly destinations: DestinationStore;
  readonly stateStores: StateStoreStore;
  readonly ownedFiles: OwnedFileStore;
  readonly claims: PathClaimStore;
  readonly events: PlacementEventStore;
  readonly coordination: CoordinationStore;
  /** Runs `fn` in one transaction; inside it use only the store it is given. */
  transaction<T>(fn: (tx: KratixStore) => Promise<T>): Promise<T>;
}
