import { createHash } from 'node:crypto';
import { Knex } from 'knex';
import { chunks, destinationFromRow, encodeCursor } from '../rows';
import { cursorKey, refuseControlCharacters } from './cursor';
import { DestinationInput, DriftRecord, PageRequest, Paged, StoredDestination } from '../types';

export function destinationSpecHash(d: Pick<DestinationInput, 'spec' | 'stateStore'>): string {
  return createHash('sha256')
    .update(JSON.stringify([d.spec, d.stateStore]))
    .digest('hex');
}

export interface DestinationFilter {
  includeDeleted?: boolean;
  stateStore?: string;
  names?: string[];
  search?: string;
}

export class DestinationTable {
  constructor(private readonly knex: Knex) {}

  private query(filter: DestinationFilter) {
    const q = this.knex('kratix_destinations');
    if (!filter.includeDeleted) q.whereNull('deleted_at');
    if (filter.stateStore) q.where({ state_store: filter.stateStore });
    if (filter.names) q.whereIn('name', filter.names);
    // `%`, `_` and `\` match themselves: escaped, with the escape character named for both databases.
    if (filter.search) {
      refuseControlCharacters(filter.search);
      q.whereRaw("name like ? escape '\\'", [
        `%${filter.search.replace(/[%_\\]/g, m => `\\${m}`)}%`,
      ]);
    }
    return q;
  }

  async list(filter: DestinationFilter = {}): Promise<StoredDestination[]> {
    if (filter.names && filter.names.length > 400) {
      const out: StoredDestination[] = [];
      for (const names of chunks(filter.names, 400))
        out.push(...(await this.list({ ...filter, names })));
      return out;
    }
    return (await this.query(filter).orderBy('name')).map(destinationFromRow);
  }

  async page(filter: DestinationFilter, page: PageRequest): Promise<Paged<StoredDestination>> {
    const q = this.query(filter);
    const total = await q.clone().count({ n: '*' }).first();
    const after = cursorKey(page.cursor, 1);
    if (after) q.where('name', '>', after[0]);
    const rows = (await q.orderBy('name').limit(page.limit + 1)).map(destinationFromRow);
    const items = rows.slice(0, page.limit);
    return {
      items,
      totalCount: Number(total?.n ?? 0),
      nextCursor:
        rows.length > page.limit ? encodeCursor([items[items.length - 1].name]) : undefined,
    };
  }

  async get(name: string): Promise<StoredDestination | undefined> {
    const row = await this.knex('kratix_destinations').where({ name }).first();
    return row ? destinationFromRow(row) : undefined;
  }

  /** name -> etag of every known Destination: what a catalog sync compares against. */
  async etags(): Promise<Map<string, { etag?: string; deleted: boolean; uid?: string }>> {
    const rows = await this.knex('kratix_destinations').select('name', 'etag', 'deleted_at', 'uid');
    return new Map(
      rows.map(r => [
        r.name,
        { etag: r.etag ?? undefined, deleted: Boolean(r.deleted_at), uid: r.uid ?? undefined },
      ]),
    );
  }

  async upsert(list: DestinationInput[]): Promise<void> {
    const now = new Date();
    const rows = list.map(d => ({
      name: d.name,
      namespace: d.namespace,
      entity_ref: d.entityRef,
      uid: d.uid ?? null,
      etag: d.etag ?? null,
      spec: JSON.stringify(d.spec),
      labels: JSON.stringify(d.labels),
      state_store: d.stateStore,
      spec_hash: destinationSpecHash(d),
      ready: false,
      orphan_since: null,
      deleted_at: null,
      updated_at: now,
    }));
    for (const batch of chunks(rows, 40)) {
      if (batch.length === 0) continue;
      await this.knex('kratix_destinations')
        .insert(batch)
        .onConflict('name')
        .merge([
          'namespace',
          'entity_ref',
          'uid',
          'etag',
          'spec',
          'labels',
          'state_store',
          'spec_hash',
          'orphan_since',
          'deleted_at',
          'updated_at',
        ]);
    }
  }

  async setOrphanSince(name: string, since: Date | null, etag?: string): Promise<void> {
    await this.knex('kratix_destinations')
      .where({ name })
      .update({ orphan_since: since, ...(etag ? { etag } : {}) });
  }

  async markDeleted(names: string[]): Promise<void> {
    for (const batch of chunks(names, 400)) {
      await this.knex('kratix_destinations')
        .whereIn('name', batch)
        .whereNull('deleted_at')
        .update({ deleted_at: new Date(), updated_at: new Date(), etag: null });
    }
  }

  async remove(names: string[]): Promise<void> {
    for (const batch of chunks(names, 400)) {
      await this.knex('kratix_destinations').whereIn('name', batch).delete();
    }
  }

  /** Which of these Destinations are still on the store; locked to it on PostgreSQL until the transaction ends. */
  async onStore(stateStore: string, names: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (const batch of chunks(names, 400)) {
      if (batch.length === 0) continue;
      const q = this.knex('kratix_destinations')
        .select('name')
        .whereIn('name', batch)
        .where({ state_store: stateStore });
      if (this.knex.client.config.client === 'pg') q.forUpdate();
      for (const r of await q) out.add(r.name);
    }
    return out;
  }

  /** Records what was laid out: the spec (mode, path) and the store it went to, if still its store. */
  async setWritten(list: { name: string; specHash: string; spec: unknown; store: string }[]) {
    for (const d of list) {
      await this.knex('kratix_destinations')
        .where({ name: d.name, spec_hash: d.specHash, state_store: d.store })
        .update({
          written_spec_hash: d.specHash,
          written_spec: JSON.stringify(d.spec),
          written_store: d.store,
        });
    }
  }

  /** Statuses told by a store's run; a Destination that moved to another store meanwhile is left to it. */
  async setStatus(
    list: { name: string; ready: boolean; message: string }[],
    stateStore: string,
  ): Promise<void> {
    const groups = new Map<string, string[]>();
    for (const d of list) {
      const k = JSON.stringify([d.ready, d.message]);
      groups.set(k, [...(groups.get(k) ?? []), d.name]);
    }
    for (const [k, names] of groups) {
      const [ready, message] = JSON.parse(k);
      for (const batch of chunks(names, 400)) {
        await this.knex('kratix_destinations')
          .whereIn('name', batch)
          .where({ state_store: stateStore })
          .where(q => q.whereNot({ ready }).orWhereNot({ message }).orWhereNull('message'))
          .update({ ready, message });
      }
    }
  }

  /** Drift a store's run saw; a Destination that moved to another store meanwhile is left alone. */
  async setDrift(name: string, drift: DriftRecord | null, stateStore: string): Promise<void> {
    await this.knex('kratix_destinations')
      .where({ name, state_store: stateStore })
      .update({ drift: drift ? JSON.stringify(drift) : null });
  }

  /** Destinations orphaned for longer than the grace period. */
  async orphanedBefore(before: Date): Promise<StoredDestination[]> {
    const rows = await this.knex('kratix_destinations')
      .whereNull('deleted_at')
      .whereNotNull('orphan_since')
      .where('orphan_since', '<=', before);
    return rows.map(destinationFromRow);
  }
}
