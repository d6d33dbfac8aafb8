import { createHash } from 'node:crypto';
import { Knex } from 'knex';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import {
  NewWork,
  StoredDestination,
  StoredGroup,
  StoredPlacement,
  StoredStateStore,
  StoredWork,
} from './types';

const MIGRATIONS = resolvePackagePath('@internal/plugin-kratix-backend', 'migrations');

export async function applyMigrations(knex: Knex): Promise<void> {
  await knex.migrate.latest({ directory: MIGRATIONS, tableName: 'kratix_knex_migrations' });
}

function iso(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'number') return new Date(v).toISOString();
  const s = String(v);
  // SQLite keeps what knex wrote (epoch ms for Dates).
  if (/^\d+$/.test(s)) return new Date(Number(s)).toISOString();
  const d = new Date(s.includes('T') || s.endsWith('Z') ? s : `${s.replace(' ', 'T')}Z`);
  return Number.isNaN(d.getTime()) ? s : d.toISOString();
}

const opt = (v: unknown) => (v === null || v === undefined ? undefined : String(v));

/** A stable hash of a work's content: groups, selectors, paths and bytes. */
export function workContentHash(
  work: Pick<NewWork, 'promise' | 'resource' | 'pipeline' | 'groups'>,
): string {
  const h = createHash('sha256');
  h.update(JSON.stringify([work.promise, work.resource ?? null, work.pipeline]));
  for (const g of [...work.groups].sort((a, b) => a.id.localeCompare(b.id))) {
    h.update(JSON.stringify([g.id, g.directory, Object.entries(g.selectors).sort()]));
    for (const f of g.files) {
      h.update(JSON.stringify(f.path));
      h.update(createHash('sha256').update(f.content).digest());
    }
  }
  return h.digest('hex');
}

function placementFromRow(r: any): StoredPlacement {
  return {
    namespace: r.namespace,
    name: r.name,
    workNamespace: r.work_namespace,
    workName: r.work_name,
    groupId: r.group_id,
    destination: r.destination,
    stateStore: r.state_store,
    status: r.status,
    misplaced: Boolean(r.misplaced),
    generation: Number(r.generation),
    writtenGeneration: Number(r.written_generation),
    version: opt(r.version),
    lastError: opt(r.last_error),
    scheduledAt: iso(r.scheduled_at)!,
    writtenAt: iso(r.written_at),
    updatedAt: iso(r.updated_at)!,
  };
}

function destinationFromRow(r: any): StoredDestination {
  return {
    name: r.name,
    entityRef: r.entity_ref,
    uid: opt(r.uid),
    spec: JSON.parse(r.spec),
    labels: JSON.parse(r.labels),
    stateStore: r.state_store,
    specHash: r.spec_hash,
    writtenSpecHash: opt(r.written_spec_hash),
    writtenSpec: r.written_spec ? JSON.parse(r.written_spec) : undefined,
    ready: Boolean(r.ready),
    message: opt(r.message),
    orphanSince: iso(r.orphan_since),
    deletedAt: iso(r.deleted_at),
    updatedAt: iso(r.updated_at)!,
  };
}

function storeFromRow(r: any): StoredStateStore {
  return {
    ref: r.ref,
    kind: r.kind,
    name: r.name,
    entityRef: r.entity_ref,
    spec: JSON.parse(r.spec),
    ready: Boolean(r.ready),
    message: opt(r.message),
    lastVersion: opt(r.last_version),
    lastWrittenAt: iso(r.last_written_at),
    lastFullSyncAt: iso(r.last_full_sync_at),
    deletedAt: iso(r.deleted_at),
    updatedAt: iso(r.updated_at)!,
  };
}

/** All persistence of the kratix plugin. */
export class KratixDatabase {
  constructor(private readonly knex: Knex) {}

  static async create(
    knex: Knex,
    options: { skipMigrations?: boolean } = {},
  ): Promise<KratixDatabase> {
    if (!options.skipMigrations) await applyMigrations(knex);
    return new KratixDatabase(knex);
  }

  // ---- works ----

  /** Creates or replaces a work. Returns false when the same content was there already. */
  async upsertWork(work: NewWork): Promise<{ changed: boolean; created: boolean }> {
    const hash = workContentHash(work);
    return this.knex.transaction(async tx => {
      const existing = await tx('kratix_works')
        .where({ namespace: work.namespace, name: work.name })
        .first();
      if (existing && existing.content_hash === hash && !existing.deleted_at)
        return { changed: false, created: false };
      const now = new Date();
      if (existing) {
        await tx('kratix_works')
          .where({ namespace: work.namespace, name: work.name })
          .update({
            promise: work.promise,
            resource: work.resource ?? null,
            pipeline: work.pipeline,
            content_hash: hash,
            updated_at: now,
            deleted_at: null,
            created_by: work.createdBy ?? existing.created_by,
          });
        await tx('kratix_work_files')
          .where({ work_namespace: work.namespace, work_name: work.name })
          .delete();
        await tx('kratix_workload_groups')
          .where({ work_namespace: work.namespace, work_name: work.name })
          .delete();
        // Every placement of the work is rewritten; deleting ones come back to life.
        await tx('kratix_placements')
          .where({ work_namespace: work.namespace, work_name: work.name })
          .update({
            generation: tx.raw('generation + 1'),
            status: tx.raw("case when status = 'deleting' then 'pending' else status end"),
            updated_at: now,
          });
      } else {
        await tx('kratix_works').insert({
          namespace: work.namespace,
          name: work.name,
          promise: work.promise,
          resource: work.resource ?? null,
          pipeline: work.pipeline,
          content_hash: hash,
          created_by: work.createdBy ?? null,
          created_at: now,
          updated_at: now,
        });
      }
      for (const g of work.groups) {
        await tx('kratix_workload_groups').insert({
          work_namespace: work.namespace,
          work_name: work.name,
          group_id: g.id,
          directory: g.directory,
          selectors: JSON.stringify(g.selectors),
        });
        const rows = g.files.map((f, position) => ({
          work_namespace: work.namespace,
          work_name: work.name,
          group_id: g.id,
          path: f.path,
          position,
          content: f.content,
        }));
        for (let i = 0; i < rows.length; i += 200)
          await tx('kratix_work_files').insert(rows.slice(i, i + 200));
      }
      return { changed: true, created: !existing };
    });
  }

  /** Workload groups with their file paths, per work (`<namespace>/<name>`), from one query each. */
  private async groupsByWork(
    where: { work_namespace?: string; work_name?: string } = {},
  ): Promise<Map<string, StoredGroup[]>> {
    const [groups, files] = await Promise.all([
      this.knex('kratix_workload_groups').where(where).orderBy('directory'),
      this.knex('kratix_work_files')
        .select('work_namespace', 'work_name', 'group_id', 'path')
        .where(where)
        .orderBy('position'),
    ]);
    const paths = new Map<string, string[]>();
    for (const f of files) {
      const key = `${f.work_namespace}/${f.work_name}/${f.group_id}`;
      const list = paths.get(key) ?? [];
      list.push(f.path);
      paths.set(key, list);
    }
    const out = new Map<string, StoredGroup[]>();
    for (const g of groups) {
      const work = `${g.work_namespace}/${g.work_name}`;
      const list = out.get(work) ?? [];
      list.push({
        id: g.group_id,
        directory: g.directory,
        selectors: JSON.parse(g.selectors),
        files: paths.get(`${work}/${g.group_id}`) ?? [],
      });
      out.set(work, list);
    }
    return out;
  }

  private workFromRow(r: any, groups: StoredGroup[]): StoredWork {
    return {
      namespace: r.namespace,
      name: r.name,
      promise: r.promise,
      resource: opt(r.resource),
      pipeline: r.pipeline,
      contentHash: r.content_hash,
      createdBy: opt(r.created_by),
      createdAt: iso(r.created_at)!,
      updatedAt: iso(r.updated_at)!,
      deletedAt: iso(r.deleted_at),
      groups,
    };
  }

  async getWork(namespace: string, name: string): Promise<StoredWork | undefined> {
    const row = await this.knex('kratix_works').where({ namespace, name }).first();
    if (!row) return undefined;
    const groups = await this.groupsByWork({ work_namespace: namespace, work_name: name });
    return this.workFromRow(row, groups.get(`${namespace}/${name}`) ?? []);
  }

  async listWorks(options: { includeDeleted?: boolean } = {}): Promise<StoredWork[]> {
    const q = this.knex('kratix_works').orderBy(['namespace', 'name']);
    if (!options.includeDeleted) q.whereNull('deleted_at');
    const [rows, groups] = await Promise.all([q, this.groupsByWork()]);
    return rows.map((r: any) => this.workFromRow(r, groups.get(`${r.namespace}/${r.name}`) ?? []));
  }

  /** The files of one workload group, in order. */
  async groupFiles(
    namespace: string,
    name: string,
    groupId: string,
  ): Promise<{ path: string; content: Buffer }[]> {
    const rows = await this.knex('kratix_work_files')
      .select('path', 'content')
      .where({ work_namespace: namespace, work_name: name, group_id: groupId })
      .orderBy('position');
    return rows.map((r: any) => ({ path: r.path, content: Buffer.from(r.content) }));
  }

  /** Marks a work deleted: its placements go to `deleting` until their files are gone. */
  async deleteWork(namespace: string, name: string): Promise<boolean> {
    return this.knex.transaction(async tx => {
      const now = new Date();
      const n = await tx('kratix_works')
        .where({ namespace, name })
        .whereNull('deleted_at')
        .update({ deleted_at: now, updated_at: now });
      if (n === 0) return false;
      await tx('kratix_placements')
        .where({ work_namespace: namespace, work_name: name })
        .update({ status: 'deleting', updated_at: now });
      await this.purgeWorkIfDone(namespace, name, tx);
      return true;
    });
  }

  /** Drops a deleted work once none of its placements is left. */
  async purgeWorkIfDone(namespace: string, name: string, db: Knex = this.knex): Promise<void> {
    const left = await db('kratix_placements')
      .where({ work_namespace: namespace, work_name: name })
      .count({ n: '*' })
      .first();
    if (Number(left?.n ?? 0) > 0) return;
    await db('kratix_work_files').where({ work_namespace: namespace, work_name: name }).delete();
    await db('kratix_workload_groups')
      .where({ work_namespace: namespace, work_name: name })
      .delete();
    await db('kratix_works').where({ namespace, name }).whereNotNull('deleted_at').delete();
  }

  // ---- placements ----

  async listPlacements(
    filter: {
      work?: { namespace: string; name: string };
      destination?: string;
      stateStore?: string;
    } = {},
  ): Promise<StoredPlacement[]> {
    const q = this.knex('kratix_placements').orderBy(['namespace', 'name']);
    if (filter.work)
      q.where({ work_namespace: filter.work.namespace, work_name: filter.work.name });
    if (filter.destination) q.where({ destination: filter.destination });
    if (filter.stateStore) q.where({ state_store: filter.stateStore });
    return (await q).map(placementFromRow);
  }

  async createPlacement(p: {
    namespace: string;
    name: string;
    workNamespace: string;
    workName: string;
    groupId: string;
    destination: string;
    stateStore: string;
  }): Promise<void> {
    const now = new Date();
    await this.knex('kratix_placements')
      .insert({
        namespace: p.namespace,
        name: p.name,
        work_namespace: p.workNamespace,
        work_name: p.workName,
        group_id: p.groupId,
        destination: p.destination,
        state_store: p.stateStore,
        status: 'pending',
        misplaced: false,
        generation: 1,
        written_generation: 0,
        scheduled_at: now,
        updated_at: now,
      })
      .onConflict(['namespace', 'name'])
      .ignore();
  }

  async setMisplaced(namespace: string, name: string, misplaced: boolean): Promise<void> {
    await this.knex('kratix_placements')
      .where({ namespace, name })
      .whereNot({ misplaced })
      .update({ misplaced, updated_at: new Date() });
  }

  async markPlacementsDeleting(where: {
    destination?: string;
    work?: { namespace: string; name: string };
    groupId?: string;
  }): Promise<void> {
    const q = this.knex('kratix_placements').whereNot({ status: 'deleting' });
    if (where.destination) q.where({ destination: where.destination });
    if (where.work) q.where({ work_namespace: where.work.namespace, work_name: where.work.name });
    if (where.groupId) q.where({ group_id: where.groupId });
    await q.update({ status: 'deleting', updated_at: new Date() });
  }

  /** Records a successful write of the generation that was planned. */
  async markWritten(p: StoredPlacement, version: string | undefined): Promise<void> {
    const now = new Date();
    await this.knex('kratix_placements')
      .where({ namespace: p.namespace, name: p.name, generation: p.generation })
      .whereNot({ status: 'deleting' })
      .update({
        status: 'written',
        written_generation: p.generation,
        last_error: null,
        written_at: now,
        updated_at: now,
        ...(version ? { version } : {}),
      });
  }

  async markFailed(p: StoredPlacement, error: string): Promise<void> {
    await this.knex('kratix_placements')
      .where({ namespace: p.namespace, name: p.name })
      .whereNot({ status: 'deleting' })
      .update({ status: 'failed', last_error: error, updated_at: new Date() });
  }

  async recordDeletingError(p: StoredPlacement, error: string): Promise<void> {
    await this.knex('kratix_placements')
      .where({ namespace: p.namespace, name: p.name })
      .update({ last_error: error, updated_at: new Date() });
  }

  /** Drops placements whose files are gone (only if still deleting). */
  async removePlacement(p: StoredPlacement): Promise<void> {
    await this.knex('kratix_placements')
      .where({ namespace: p.namespace, name: p.name, status: 'deleting' })
      .delete();
    await this.purgeWorkIfDone(p.workNamespace, p.workName);
  }

  async forgetPlacementsOf(destination: string): Promise<void> {
    const works = await this.knex('kratix_placements')
      .distinct('work_namespace', 'work_name')
      .where({ destination });
    await this.knex('kratix_placements').where({ destination }).delete();
    for (const w of works) await this.purgeWorkIfDone(w.work_namespace, w.work_name);
  }

  // ---- destinations ----

  async listDestinations(options: { includeDeleted?: boolean } = {}): Promise<StoredDestination[]> {
    const q = this.knex('kratix_destinations').orderBy('name');
    if (!options.includeDeleted) q.whereNull('deleted_at');
    return (await q).map(destinationFromRow);
  }

  async getDestination(name: string): Promise<StoredDestination | undefined> {
    const row = await this.knex('kratix_destinations').where({ name }).first();
    return row ? destinationFromRow(row) : undefined;
  }

  async upsertDestination(d: {
    name: string;
    entityRef: string;
    uid?: string;
    spec: any;
    labels: Record<string, string>;
    stateStore: string;
  }): Promise<void> {
    const specHash = createHash('sha256')
      .update(JSON.stringify([d.spec, d.stateStore]))
      .digest('hex');
    const now = new Date();
    await this.knex('kratix_destinations')
      .insert({
        name: d.name,
        entity_ref: d.entityRef,
        uid: d.uid ?? null,
        spec: JSON.stringify(d.spec),
        labels: JSON.stringify(d.labels),
        state_store: d.stateStore,
        spec_hash: specHash,
        ready: false,
        orphan_since: null,
        updated_at: now,
      })
      .onConflict('name')
      .merge([
        'entity_ref',
        'uid',
        'spec',
        'labels',
        'state_store',
        'spec_hash',
        'orphan_since',
        'updated_at',
      ]);
  }

  async setDestinationOrphan(name: string, since: Date | null): Promise<void> {
    await this.knex('kratix_destinations').where({ name }).update({ orphan_since: since });
  }

  async markDestinationDeleted(name: string): Promise<void> {
    await this.knex('kratix_destinations')
      .where({ name })
      .whereNull('deleted_at')
      .update({ deleted_at: new Date(), updated_at: new Date() });
  }

  async removeDestination(name: string): Promise<void> {
    await this.forgetPlacementsOf(name);
    await this.knex('kratix_destinations').where({ name }).delete();
  }

  async setDestinationWritten(name: string, specHash: string, spec: any): Promise<void> {
    await this.knex('kratix_destinations')
      .where({ name, spec_hash: specHash })
      .update({ written_spec_hash: specHash, written_spec: JSON.stringify(spec) });
  }

  async setDestinationStatus(name: string, ready: boolean, message: string): Promise<void> {
    await this.knex('kratix_destinations').where({ name }).update({ ready, message });
  }

  // ---- state stores ----

  async listStateStores(): Promise<StoredStateStore[]> {
    return (await this.knex('kratix_state_stores').whereNull('deleted_at').orderBy('ref')).map(
      storeFromRow,
    );
  }

  async getStateStore(ref: string): Promise<StoredStateStore | undefined> {
    const row = await this.knex('kratix_state_stores').where({ ref }).first();
    return row ? storeFromRow(row) : undefined;
  }

  async upsertStateStore(s: {
    ref: string;
    kind: string;
    name: string;
    entityRef: string;
    spec: any;
  }): Promise<void> {
    const now = new Date();
    await this.knex('kratix_state_stores')
      .insert({
        ref: s.ref,
        kind: s.kind,
        name: s.name,
        entity_ref: s.entityRef,
        spec: JSON.stringify(s.spec),
        ready: false,
        deleted_at: null,
        updated_at: now,
      })
      .onConflict('ref')
      .merge(['kind', 'name', 'entity_ref', 'spec', 'deleted_at', 'updated_at']);
  }

  async markStateStoresDeletedExcept(refs: string[]): Promise<void> {
    const q = this.knex('kratix_state_stores').whereNull('deleted_at');
    if (refs.length) q.whereNotIn('ref', refs);
    await q.update({ deleted_at: new Date() });
  }

  async setStateStoreStatus(
    ref: string,
    s: { ready: boolean; message: string; version?: string; written?: boolean; fullSync?: boolean },
  ): Promise<void> {
    const now = new Date();
    await this.knex('kratix_state_stores')
      .where({ ref })
      .update({
        ready: s.ready,
        message: s.message,
        ...(s.version ? { last_version: s.version } : {}),
        ...(s.written ? { last_written_at: now } : {}),
        ...(s.fullSync ? { last_full_sync_at: now } : {}),
      });
  }

  /**
   * Placements a store's writer has not acted on yet: new or changed ones and
   * deletions. Failed ones are retried on the next run, not counted here.
   */
  async pendingCount(stateStore: string): Promise<number> {
    const r = await this.knex('kratix_placements')
      .where({ state_store: stateStore })
      .andWhere(q =>
        q
          .where(q2 =>
            q2.whereRaw('generation <> written_generation').whereNot({ status: 'failed' }),
          )
          .orWhere({ status: 'deleting' }),
      )
      .count({ n: '*' })
      .first();
    return Number(r?.n ?? 0);
  }
}
