import type { OwnedFile, PlacementKey } from '../../database';
import type { StoreSnapshot } from '../../writers';

export interface DriftFinding {
  /** Placements whose files changed, with the files. */
  placements: Map<string, { key: PlacementKey; destination: string; files: string[] }>;
  /** Destinations whose own files (canaries, aggregate) changed. */
  destinations: Map<string, string[]>;
}

const keyOf = (p: PlacementKey) => `${p.namespace}/${p.name}`;

/**
 * Files the plugin owns that the store no longer holds as written: changed
 * or removed by someone else. `paths` limits the check to files touched by
 * foreign commits (Git); without it every owned file is compared (full sync).
 */
export function findDrift(
  owned: Iterable<OwnedFile>,
  snapshot: StoreSnapshot,
  paths?: Set<string>,
  ownedDirs: { dir: string; key: PlacementKey; destination: string }[] = [],
): DriftFinding {
  const out: DriftFinding = { placements: new Map(), destinations: new Map() };
  const ownedPaths = new Set<string>();
  const note = (f: { placement?: PlacementKey; destination: string }, path: string) => {
    if (f.placement) {
      const k = keyOf(f.placement);
      const entry = out.placements.get(k) ?? {
        key: f.placement,
        destination: f.destination,
        files: [],
      };
      entry.files.push(path);
      out.placements.set(k, entry);
    } else {
      out.destinations.set(f.destination, [...(out.destinations.get(f.destination) ?? []), path]);
    }
  };
  for (const f of owned) {
    ownedPaths.add(f.path);
    if (paths && !paths.has(f.path)) continue;
    if (snapshot.digest(f.path) !== f.digest) note(f, f.path);
  }
  // A file someone added inside a directory a placement replaces as a whole.
  for (const d of ownedDirs) {
    for (const p of snapshot.list(d.dir)) {
      if (!ownedPaths.has(p) && (!paths || paths.has(p)))
        note({ placement: d.key, destination: d.destination }, p);
    }
  }
  return out;
}
