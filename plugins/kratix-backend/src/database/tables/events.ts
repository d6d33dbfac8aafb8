import { Knex } from 'knex';
import { iso, opt, insertChunks } from '../rows';
import { PlacementEvent, PlacementKey, WorkKey } from '../types';

/** Keep this many events per placement; older ones are pruned. */
const KEEP_PER_PLACEMENT = 50;

export class PlacementEventTable {
  constructor(private readonly knex: Knex) {}

  async add(events: PlacementEvent[]): Promise<void> {
    const rows = events.map(e => ({
      placement_namespace: e.placement.namespace,
      placement_name: e.placement.name,
      work_namespace: e.work.namespace,
      work_name: e.work.name,
      destination: e.destination,
      state_store: e.stateStore,
      action: e.action,
      version: e.version ?? null,
      actor: e.actor ?? null,
      message: e.message ? e.message.slice(0, 4000) : null,
      at: new Date(e.at),
    }));
    await insertChunks(this.knex, 'kratix_placement_events', rows, 100);
  }

  async list(
    filter: { work?: WorkKey; placement?: PlacementKey },
    limit = 200,
  ): Promise<PlacementEvent[]> {
    const q = this.knex('kratix_placement_events').orderBy('id', 'desc').limit(limit);
    if (filter.work)
      q.where({ work_namespace: filter.work.namespace, work_name: filter.work.name });
    if (filter.placement) {
      q.where({
        placement_namespace: filter.placement.namespace,
        placement_name: filter.placement.name,
      });
    }
    return (await q).map(r => ({
      placement: { namespace: r.placement_namespace, name: r.placement_name },
      work: { namespace: r.work_namespace, name: r.work_name },
      destination: r.destination,
      stateStore: r.state_store,
      action: r.action,
      version: opt(r.version),
      actor: opt(r.actor),
      message: opt(r.message),
      at: iso(r.at)!,
    }));
  }

  /** Drops events beyond the newest KEEP_PER_PLACEMENT of each of these placements. */
  async prune(placements: PlacementKey[]): Promise<void> {
    for (const p of placements) {
      const where = { placement_namespace: p.namespace, placement_name: p.name };
      const cut = await this.knex('kratix_placement_events')
        .where(where)
        .orderBy('id', 'desc')
        .offset(KEEP_PER_PLACEMENT)
        .first('id');
      if (cut)
        await this.knex('kratix_placement_events').where(where).where('id', '<=', cut.id).delete();
    }
  }
}
