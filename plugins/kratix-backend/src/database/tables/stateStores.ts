import { Knex } from 'knex';
import { chunks, storeFromRow } from '../rows';
import { StateStoreInput, StoredStateStore } from '../types';

export interface StoreOutcome {
  ready: boolean;
  message: string;
  version?: string;
  written?: boolean;
  fullSync?: boolean;
  /** The change counter seen when the run started: changes up to it are done. */
  doneSeq?: number;
  tip?: string;
  /** When the next try is due (failures or failed placements), or null when none is. */
  retryAt?: Date | null;
  failed?: boolean;
}

export class StateStoreTable {
  constructor(private readonly knex: Knex) {}

  async list(options: { includeDeleted?: boolean } = {}): Promise<StoredStateStore[]> {
    const q = this.knex('kratix_state_stores').orderBy('ref');
    if (!options.includeDeleted) q.whereNull('deleted_at');
    return (await q).map(storeFromRow);
  }

  async get(ref: string): Promise<StoredStateStore | undefined> {
    const row = await this.knex('kratix_state_stores').where({ ref }).first();
    return row ? storeFromRow(row) : undefined;
  }

  async etags(): Promise<Map<string, { etag?: string; deleted: boolean }>> {
    const rows = await this.knex('kratix_state_stores').select('ref', 'etag', 'deleted_at');
    return new Map(
      rows.map(r => [r.ref, { etag: r.etag ?? undefined, deleted: Boolean(r.deleted_at) }]),
    );
  }

  /** A new or changed store starts fresh: no backoff, and a full run. */
  async upsert(list: StateStoreInput[]): Promise<void> {
    const now = new Date();
    for (const s of list) {
      await this.knex('kratix_state_stores')
        .insert({
          ref: s.ref,
          kind: s.kind,
          name: s.name,
          namespace: s.namespace,
          entity_ref: s.entityRef,
          etag: s.etag ?? null,
          spec: JSON.stringify(s.spec),
          ready: false,
          deleted_at: null,
          updated_at: now,
          failures: 0,
          retry_at: null,
          last_full_sync_at: null,
        })
        .onConflict('ref')
        .merge([
          'kind',
          'name',
          'namespace',
          'entity_ref',
          'etag',
          'spec',
          'deleted_at',
          'updated_at',
          'failures',
          'retry_at',
          'last_full_sync_at',
        ]);
    }
    await this.bumpChange(list.map(s => s.ref));
  }

  async markDeletedExcept(refs: string[]): Promise<string[]> {
    const q = this.knex('kratix_state_stores').whereNull('deleted_at');
    if (refs.length) q.whereNotIn('ref', refs);
    const gone = (await q.clone().select('ref')).map(r => r.ref);
    if (gone.length) await q.update({ deleted_at: new Date() });
    return gone;
  }

  /** Something changed for these stores: their next run is due. */
  async bumpChange(refs: string[]): Promise<void> {
    for (const batch of chunks([...new Set(refs)], 400)) {
      if (batch.length === 0) continue;
      await this.knex('kratix_state_stores')
        .whereIn('ref', batch)
        .update({ change_seq: this.knex.raw('change_seq + 1') });
    }
  }

  /** Stores with changes, a due retry or a due full sync: one indexed query. */
  async due(now: Date, fullSyncBefore: Date): Promise<string[]> {
    const rows = await this.knex('kratix_state_stores')
      .select('ref')
      .whereNull('deleted_at')
      .where(q =>
        q
          .whereRaw('change_seq > done_seq')
          .orWhere('retry_at', '<=', now)
          .orWhereNull('last_full_sync_at')
          .orWhere('last_full_sync_at', '<=', fullSyncBefore),
      )
      .where(q => q.whereNull('retry_at').orWhere('retry_at', '<=', now).orWhere('failures', 0));
    return rows.map(r => r.ref);
  }

  /** A run found nothing to do: changes up to `seq` are done. */
  async markDone(ref: string, seq: number): Promise<void> {
    await this.knex('kratix_state_stores')
      .where({ ref })
      .where('done_seq', '<', seq)
      .update({ done_seq: seq });
  }

  async setOutcome(ref: string, o: StoreOutcome): Promise<void> {
    const now = new Date();
    await this.knex('kratix_state_stores')
      .where({ ref })
      .update({
        ready: o.ready,
        message: o.message,
        ...(o.version ? { last_version: o.version } : {}),
        ...(o.written ? { last_written_at: now } : {}),
        ...(o.fullSync ? { last_full_sync_at: now } : {}),
        ...(o.doneSeq !== undefined ? { done_seq: o.doneSeq } : {}),
        ...(o.tip !== undefined ? { last_seen_tip: o.tip } : {}),
        ...(o.retryAt !== undefined ? { retry_at: o.retryAt } : {}),
        failures: o.failed ? this.knex.raw('failures + 1') : 0,
      });
  }
}
