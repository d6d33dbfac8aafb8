import type { LayoutDestination, LayoutPlacement } from '../../layout';
import type {
  OwnedFile,
  PlacementKey,
  StoredPlacement,
  WorkKey,
  WrittenLocation,
} from '../../database';
import type { StoreSnapshot } from '../../writers';

/** A placement with its work's content, ready to lay out. */
export interface PlanPlacement extends LayoutPlacement {
  stored: StoredPlacement;
  work: WorkKey;
  /** Who submitted the work (for the placement's history). */
  actor?: string;
  /** The work's annotations (a ticket, the scaffolder task): for commit messages and object metadata. */
  annotations?: Record<string, string>;
}

/** One Destination of the store, and what this run does to it. */
export interface PlanDestination {
  name: string;
  /** The layout to write with: the written mode is kept (Kratix's mode is immutable). */
  layout: LayoutDestination;
  /** The layout last written, when it differs (cleanup covers both). */
  previousLayout?: LayoutDestination;
  deleted: boolean;
  cleanup: 'all' | 'none';
  /** true: write the canaries; false: remove them; undefined: leave them. */
  canaries?: boolean;
  write: PlanPlacement[];
  remove: PlanPlacement[];
  /** aggregatedYAML: every active placement, when the aggregate is rebuilt. */
  aggregateOf?: PlanPlacement[];
}

export interface PlanContext {
  /** The store's ref, for the owned-files index. */
  store: string;
  snapshot: StoreSnapshot;
  digest(content: Buffer): string;
  /** none-mode state files read before planning: absent, their bytes, or why they cannot be read. */
  stateFiles: Map<string, Buffer | undefined | Error>;
  /** The owned-files index of the Destinations concerned, by path. */
  owned: Map<string, OwnedFile>;
  /** true when another live placement claims this file of the Destination (none mode). */
  claimedByOther(destination: string, path: string, self: PlacementKey): boolean;
  /** The store's own path prefix, to check full key lengths. */
  storeRoot: string;
  /** Longest key the store takes (S3: 1,024 bytes); undefined for no limit. */
  maxKeyBytes?: number;
}

/** A set of changes that succeeds or fails together: one placement, or a Destination's own files. */
export interface PlanUnit {
  name: string;
  /** Placements written when the unit is applied. */
  written: { placement: StoredPlacement; location: WrittenLocation }[];
  /** Placements whose files are gone when the unit is applied. */
  removed: StoredPlacement[];
  /** Names for the commit message (placement names, `kratix-canary`). */
  names: Set<string>;
  /** Paths this unit changes. */
  paths: Set<string>;
  owned: { put: OwnedFile[]; delete: string[] };
  /** Destinations whose own files (canaries, aggregate) are settled by this unit. */
  destinations: Set<string>;
  /** Destinations removed (cleanup done) by this unit. */
  cleaned: Set<string>;
}

export interface StorePlan {
  /** Only real differences from what the store holds. */
  changes: Map<string, Buffer | null>;
  units: Map<string, PlanUnit>;
  /** Placements that cannot be written, with why (nothing of theirs is in `changes`). */
  failed: { placement: StoredPlacement; error: string }[];
}
