import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import { chunks, encodeCursor, placementFromRow, insertChunks } from '../rows';
import { cursorKey } from './cursor';
import {
  DriftRecord,
  NewPlacement,
  PageRequest,
  Paged,
  PlacementKey,
  StoredPlacement,
  WorkKey,
  WrittenLocation,
} from '../types';

export interface PlacementFilter {
  work?: WorkKey;
  works?: WorkKey[];
  destination?: string;
  destinations?: string[];
  stateStore?: string;
  dirty?: boolean;
}

/** A successful write of the generation that was planned. */
export interface WrittenOutcome {
  placement: StoredPlacement;
  version?: string;
  location: WrittenLocation;
}

const pkeys = (list: PlacementKey[]) => list.map(p => [p.namespace, p.name]);

export class PlacementTable {
  constructor(private readonly knex: Knex) {}

  /**
   * Which of these placements are still on the store ("namespace/name"); in a
   * transaction on PostgreSQL they stay locked to it until it ends.
   */
  async onStore(stateStore: string, keys: PlacementKey[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (const batch of chunks(keys, 200)) {
      if (batch.length === 0) continue;
      const q = this.knex('kratix_placements')
        .select('namespace', 'name')
        .whereIn(['namespace', 'name'], pkeys(batch))
        .where({ state_store: stateStore });
      if (this.knex.client.config.client === 'pg') q.forUpdate();
      for (const r of await q) out.add(`${r.namespace}/${r.name}`);
    }
    return out;
  }

  private query(filter: PlacementFilter) {
    const q = this.knex('kratix_placements');
    if (filter.work)
      q.where({ work_namespace: filter.work.namespace, work_name: filter.work.name });
    if (filter.works) {
      q.whereIn(
        ['work_namespace', 'work_name'],
        filter.works.map(w => [w.namespace, w.name]),
      );
    }
    if (filter.destination) q.where({ destination: filter.destination });
    if (filter.destinations) q.whereIn('destination', filter.destinations);
    if (filter.stateStore) q.where({ state_store: filter.stateStore });
    if (filter.dirty !== undefined) q.where({ dirty: filter.dirty });
    return q;
  }

  async list(filter: PlacementFilter = {}): Promise<StoredPlacement[]> {
    if (filter.works) {
      const out: StoredPlacement[] = [];
      for (const batch of chunks(filter.works, 200)) {
        if (batch.length === 0) continue;
        const rows = await this.query({ ...filter, works: batch }).orderBy(['namespace', 'name']);
        out.push(...rows.map(placementFromRow));
      }
      return out;
    }
    if (filter.destinations) {
      const out: StoredPlacement[] = [];
      for (const batch of chunks(filter.destinations, 400)) {
        if (batch.length === 0) continue;
        const rows = await this.query({ ...filter, destinations: batch });
        out.push(...rows.map(placementFromRow));
      }
      return out;
    }
    return (await this.query(filter).orderBy(['namespace', 'name'])).map(placementFromRow);
  }

  async page(filter: PlacementFilter, page: PageRequest): Promise<Paged<StoredPlacement>> {
    const q = this.query(filter);
    const total = await q.clone().count({ n: '*' }).first();
    const after = cursorKey(page.cursor, 2);
    if (after) {
      q.where(w =>
        w
          .where('namespace', '>', after[0])
          .orWhere(w2 => w2.where('namespace', after[0]).andWhere('name', '>', after[1])),
      );
    }
    const rows = (await q.orderBy(['namespace', 'name']).limit(page.limit + 1)).map(
      placementFromRow,
    );
    const items = rows.slice(0, page.limit);
    const last = items[items.length - 1];
    return {
      items,
      totalCount: Number(total?.n ?? 0),
      nextCursor: rows.length > page.limit ? encodeCursor([last.namespace, last.name]) : undefined,
    };
  }

  /** Counts per Destination and status, in one query. */
  async countsByDestination(destinations?: string[]) {
    const q = this.knex('kratix_placements')
      .select('destination', 'status')
      .count({ n: '*' })
      .groupBy('destination', 'status');
    if (destinations) q.whereIn('destination', destinations);
    const out = new Map<string, Record<string, number>>();
    for (const r of (await q) as any[]) {
      const c = out.get(r.destination) ?? {};
      c[r.status] = Number(r.n);
      out.set(r.destination, c);
    }
    return out;
  }

  async create(list: NewPlacement[]): Promise<void> {
    const now = new Date();
    const rows = list.map(p => ({
      namespace: p.namespace,
      name: p.name,
      work_namespace: p.workNamespace,
      work_name: p.workName,
      group_id: p.groupId,
      destination: p.destination,
      state_store: p.stateStore,
      status: p.error ? 'failed' : 'pending',
      last_error: p.error ?? null,
      misplaced: false,
      generation: 1,
      written_generation: 0,
      dirty: !p.error,
      scheduled_at: now,
      updated_at: now,
    }));
    for (const batch of chunks(rows, 50)) {
      if (batch.length > 0) {
        await this.knex('kratix_placements')
          .insert(batch)
          .onConflict(['namespace', 'name'])
          .ignore();
      }
    }
  }

  /** New content: every placement of the work is written again; deleting ones come back. */
  async bumpGeneration(work: WorkKey): Promise<void> {
    await this.knex('kratix_placements')
      .where({ work_namespace: work.namespace, work_name: work.name })
      .whereNot({ status: 'orphaned' })
      .update({
        generation: this.knex.raw('generation + 1'),
        status: this.knex.raw("case when status = 'deleting' then 'pending' else status end"),
        dirty: true,
        updated_at: new Date(),
      });
  }

  async setMisplaced(list: PlacementKey[], misplaced: boolean): Promise<void> {
    for (const batch of chunks(list, 200)) {
      if (batch.length === 0) continue;
      await this.knex('kratix_placements')
        .whereIn(['namespace', 'name'], pkeys(batch))
        .update({ misplaced, updated_at: new Date() });
    }
  }

  /** Marks placements for removal (their files leave the store on the next run). */
  async markDeleting(filter: { work?: WorkKey; groupId?: string; keys?: PlacementKey[] }) {
    const q = this.knex('kratix_placements').whereNot({ status: 'deleting' });
    if (filter.work)
      q.where({ work_namespace: filter.work.namespace, work_name: filter.work.name });
    if (filter.groupId) q.where({ group_id: filter.groupId });
    if (filter.keys) q.whereIn(['namespace', 'name'], pkeys(filter.keys));
    await q.update({ status: 'deleting', dirty: true, updated_at: new Date() });
  }

  /** Every placement of a Destination is laid out again (its path or store changed). */
  async markDestinationDirty(destination: string, stateStore: string): Promise<void> {
    await this.knex('kratix_placements')
      .where({ destination })
      .whereNot({ status: 'orphaned' })
      .update({
        state_store: stateStore,
        dirty: true,
        status: this.knex.raw("case when status = 'deleting' then 'deleting' else 'pending' end"),
        updated_at: new Date(),
      });
  }

  /** D3: a Destination that left the catalog keeps its placements, which no longer write. */
  async orphanDestination(destination: string): Promise<void> {
    await this.knex('kratix_placements')
      .where({ destination })
      .update({ status: 'orphaned', dirty: false, updated_at: new Date() });
  }

  /** A Destination of the same name is back: its placements are written again. */
  async adoptOrphans(destination: string, stateStore: string): Promise<void> {
    await this.knex('kratix_placements')
      .where({ destination, status: 'orphaned' })
      .update({ status: 'pending', state_store: stateStore, dirty: true, updated_at: new Date() });
  }

  /**
   * Written placements, in one staged update. A placement whose generation or
   * store changed meanwhile (its Destination moved during the run) stays dirty.
   */
  async markWritten(list: WrittenOutcome[]): Promise<void> {
    if (list.length === 0) return;
    const runId = randomUUID();
    const rows = list.map(o => ({
      run_id: runId,
      namespace: o.placement.namespace,
      name: o.placement.name,
      generation: o.placement.generation,
      version: o.version ?? o.placement.version ?? null,
      written_store: o.location.store,
      written_mode: o.location.mode,
      written_path: o.location.path,
    }));
    await insertChunks(this.knex, 'kratix_write_outcomes', rows, 100);
    const now = this.knex.client.config.client === 'pg' ? 'now()' : `${Date.now()}`;
    const set = `status = 'written', written_generation = o.generation, last_error = null,
      written_at = ${now}, updated_at = ${now}, dirty = false, version = o.version,
      written_store = o.written_store, written_mode = o.written_mode, written_path = o.written_path,
      drift = null`;
    await this.knex.raw(
      `update kratix_placements set ${set}
       from kratix_write_outcomes as o
       where o.run_id = ? and kratix_placements.namespace = o.namespace
         and kratix_placements.name = o.name and kratix_placements.generation = o.generation
         and kratix_placements.state_store = o.written_store
         and kratix_placements.status <> 'deleting' and kratix_placements.status <> 'orphaned'`,
      [runId],
    );
    await this.knex('kratix_write_outcomes').where({ run_id: runId }).delete();
  }

  /** Failed placements of a store; one that moved to another store meanwhile is left to it. */
  async markFailed(
    list: { placement: PlacementKey; error: string }[],
    stateStore: string,
  ): Promise<void> {
    const byError = new Map<string, PlacementKey[]>();
    for (const f of list) byError.set(f.error, [...(byError.get(f.error) ?? []), f.placement]);
    for (const [error, keys] of byError) {
      for (const batch of chunks(keys, 200)) {
        await this.knex('kratix_placements')
          .whereIn(['namespace', 'name'], pkeys(batch))
          .where({ state_store: stateStore })
          .whereNotIn('status', ['deleting', 'orphaned'])
          .update({ status: 'failed', last_error: error, updated_at: new Date() });
        await this.knex('kratix_placements')
          .whereIn(['namespace', 'name'], pkeys(batch))
          .where({ state_store: stateStore, status: 'deleting' })
          .update({ last_error: error, updated_at: new Date() });
      }
    }
  }

  /** Drift a store's run saw; a placement that moved to another store meanwhile is left alone. */
  async setDrift(
    list: PlacementKey[],
    drift: DriftRecord | null,
    stateStore: string,
  ): Promise<void> {
    for (const batch of chunks(list, 200)) {
      if (batch.length === 0) continue;
      await this.knex('kratix_placements')
        .whereIn(['namespace', 'name'], pkeys(batch))
        .where({ state_store: stateStore })
        .update({ drift: drift ? JSON.stringify(drift) : null });
    }
  }

  /** Marks placements dirty so the next run writes them (drift to repair). */
  async markDirty(list: PlacementKey[]): Promise<void> {
    for (const batch of chunks(list, 200)) {
      if (batch.length === 0) continue;
      await this.knex('kratix_placements')
        .whereIn(['namespace', 'name'], pkeys(batch))
        .update({ dirty: true });
    }
  }

  /**
   * Drops placements whose files are gone: still deleting (a work sent again
   * meanwhile brings its placement back), or on a Destination cleaned up.
   * A placement that moved to another store meanwhile is left to that store.
   * Returns the placements it dropped.
   */
  async remove(
    list: PlacementKey[],
    stateStore: string,
    cleanedDestinations: string[] = [],
  ): Promise<PlacementKey[]> {
    const removed: PlacementKey[] = [];
    const removable = (q: Knex.QueryBuilder) =>
      q.where({ state_store: stateStore }).where(w => {
        w.whereIn('status', ['deleting', 'orphaned']);
        if (cleanedDestinations.length > 0) w.orWhereIn('destination', cleanedDestinations);
      });
    for (const batch of chunks(list, 200)) {
      if (batch.length === 0) continue;
      const rows: PlacementKey[] = await removable(
        this.knex('kratix_placements')
          .select('namespace', 'name')
          .whereIn(['namespace', 'name'], pkeys(batch)),
      );
      if (rows.length === 0) continue;
      await removable(
        this.knex('kratix_placements').whereIn(['namespace', 'name'], pkeys(rows)),
      ).delete();
      removed.push(...rows.map(r => ({ namespace: r.namespace, name: r.name })));
    }
    return removed;
  }

  async countDirty(stateStore: string): Promise<number> {
    const r = await this.knex('kratix_placements')
      .where({ state_store: stateStore, dirty: true })
      .count({ n: '*' })
      .first();
    return Number(r?.n ?? 0);
  }
}
