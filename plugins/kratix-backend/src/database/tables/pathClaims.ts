import { Knex } from 'knex';
import { chunks, insertChunks } from '../rows';
import { PlacementKey, WorkKey } from '../types';

export interface PathClaim {
  destination: string;
  path: string;
  placement: PlacementKey;
  work: WorkKey;
}

/**
 * `none` mode is shared ground: each file of a Destination belongs to one
 * placement. Claims are taken when a placement is scheduled, so a clash is
 * refused at the second request rather than overwritten at write time.
 */
export class PathClaimTable {
  constructor(private readonly knex: Knex) {}

  /** Claims held by other placements of these paths. */
  async conflicts(destination: string, paths: string[], self: PlacementKey): Promise<PathClaim[]> {
    const out: PathClaim[] = [];
    for (const batch of chunks(paths, 400)) {
      if (batch.length === 0) continue;
      const rows = await this.knex('kratix_path_claims')
        .where({ destination })
        .whereIn('path', batch)
        .whereNot(q => q.where({ placement_namespace: self.namespace, placement_name: self.name }));
      out.push(
        ...rows.map(r => ({
          destination: r.destination,
          path: r.path,
          placement: { namespace: r.placement_namespace, name: r.placement_name },
          work: { namespace: r.work_namespace, name: r.work_name },
        })),
      );
    }
    return out;
  }

  /** Replaces a placement's claims (the caller checked for conflicts in the same transaction). */
  async replace(placement: PlacementKey, work: WorkKey, destination: string, paths: string[]) {
    await this.release([placement]);
    const rows = paths.map(path => ({
      destination,
      path,
      placement_namespace: placement.namespace,
      placement_name: placement.name,
      work_namespace: work.namespace,
      work_name: work.name,
    }));
    await insertChunks(this.knex, 'kratix_path_claims', rows, 100);
  }

  async release(placements: PlacementKey[]): Promise<void> {
    for (const batch of chunks(placements, 200)) {
      if (batch.length === 0) continue;
      await this.knex('kratix_path_claims')
        .whereIn(
          ['placement_namespace', 'placement_name'],
          batch.map(p => [p.namespace, p.name]),
        )
        .delete();
    }
  }

  /** Every claim of these Destinations: destination -> path -> placement. */
  async ofDestinations(destinations: string[]): Promise<Map<string, Map<string, PlacementKey>>> {
    const out = new Map<string, Map<string, PlacementKey>>();
    for (const batch of chunks(destinations, 400)) {
      if (batch.length === 0) continue;
      for (const r of await this.knex('kratix_path_claims').whereIn('destination', batch)) {
        const m = out.get(r.destination) ?? new Map<string, PlacementKey>();
        m.set(r.path, { namespace: r.placement_namespace, name: r.placement_name });
        out.set(r.destination, m);
      }
    }
    return out;
  }

  /** Paths of a Destination claimed by live placements other than the given ones. */
  async claimedBy(destination: string, paths: string[]): Promise<Map<string, PlacementKey>> {
    const out = new Map<string, PlacementKey>();
    for (const batch of chunks(paths, 400)) {
      if (batch.length === 0) continue;
      const rows = await this.knex('kratix_path_claims')
        .where({ destination })
        .whereIn('path', batch);
      for (const r of rows)
        out.set(r.path, { namespace: r.placement_namespace, name: r.placement_name });
    }
    return out;
  }
}
