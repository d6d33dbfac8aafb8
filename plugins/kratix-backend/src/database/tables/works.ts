import { createHash } from 'node:crypto';
import { Knex } from 'knex';
import { ConflictError } from '@backstage/errors';
import { chunks, encodeCursor, workFromRow, insertChunks } from '../rows';
import { cursorKey, refuseControlCharacters } from './cursor';
import {
  NewWork,
  PageRequest,
  Paged,
  StoredGroup,
  StoredWork,
  WorkFileContent,
  WorkKey,
  WorkOwnership,
} from '../types';

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

export function workIdentity(w: Pick<NewWork, 'promise' | 'resource' | 'pipeline'>): string {
  return `${w.promise}/${w.resource ?? ''}/${w.pipeline}`;
}

export const workKey = (w: WorkKey) => `${w.namespace}/${w.name}`;
export const groupKey = (ns: string, name: string, groupId: string) => `${ns}/${name}/${groupId}`;

export interface WorkFilter {
  namespace?: string;
  promise?: string;
  resource?: string;
  /** Substring of namespace/name, promise or resource. */
  search?: string;
  /** Only works with a placement on this Destination. */
  destination?: string;
  /** Only works one of these refs owns. */
  ownedBy?: string[];
  /** Only works inside this scope (what a caller may read, from the permission policy's conditions). */
  scope?: WorkScope;
}

/** A tree of conditions on a work's owners and namespace. */
export type WorkScope =
  | { anyOf: WorkScope[] }
  | { allOf: WorkScope[] }
  | { not: WorkScope }
  | { owners: string[] }
  | { namespaces: string[] };

/** `%`, `_` and `\` match themselves in a LIKE pattern with `escape '\'`. */
const likeLiteral = (text: string) => text.replace(/[%_\\]/g, m => `\\${m}`);

/** Owners are compared as the permission rule does: without case. */
function ownedByAny(q: Knex.QueryBuilder, refs: string[]) {
  q.where(w => {
    for (const ref of refs) {
      w.orWhereRaw("lower(owner_refs) like ? escape '\\'", [
        `%${likeLiteral(JSON.stringify(ref.toLowerCase()))}%`,
      ]);
    }
    if (refs.length === 0) w.whereRaw('1 = 0');
  });
}

function inScope(q: Knex.QueryBuilder, scope: WorkScope): void {
  if ('anyOf' in scope) {
    q.where(w => {
      for (const s of scope.anyOf) w.orWhere(x => inScope(x, s));
      if (scope.anyOf.length === 0) w.whereRaw('1 = 0');
    });
  } else if ('allOf' in scope) {
    for (const s of scope.allOf) q.where(x => inScope(x, s));
  } else if ('not' in scope) {
    q.whereNot(x => inScope(x, scope.not));
  } else if ('owners' in scope) {
    ownedByAny(q, scope.owners);
  } else {
    q.whereIn('namespace', scope.namespaces);
  }
}

export class WorkTable {
  constructor(private readonly knex: Knex) {}

  /**
   * Creates or replaces a work. A name already used by another resource (names
   * are cut to 56 characters, as Kratix) is a conflict, never an update.
   */
  async upsert(
    work: NewWork,
    options: { known?: boolean } = {},
  ): Promise<{ changed: boolean; created: boolean }> {
    const hash = workContentHash(work);
    const identity = workIdentity(work);
    const key = { namespace: work.namespace, name: work.name };
    // `known: false`: the caller looked it up in bulk and no row exists.
    const existing =
      options.known === false ? undefined : await this.knex('kratix_works').where(key).first();
    if (existing && existing.identity && existing.identity !== identity) {
      throw new ConflictError(
        `work ${work.namespace}/${work.name} already holds ${describeIdentity(existing.identity)}; ${describeIdentity(identity)} cuts to the same name (names are cut to 56 characters): use a shorter promise, resource or pipeline name`,
      );
    }
    if (existing && existing.content_hash === hash && !existing.deleted_at) {
      await this.updateOwnership(work, existing);
      return { changed: false, created: false };
    }
    const now = new Date();
    const row = workRow(work, now, hash);
    if (existing) {
      // An update by someone else (allowed by the policy) keeps the work's owners: a transfer is not a side effect.
      await this.knex('kratix_works')
        .where(key)
        .update({
          ...row,
          owner_refs: existing.owner_refs,
          created_by: existing.created_by ?? work.createdBy ?? null,
        });
      await this.knex('kratix_work_files').where(workWhere(key)).delete();
      await this.knex('kratix_workload_groups').where(workWhere(key)).delete();
    } else {
      await this.knex('kratix_works').insert(newWorkRow(work, now));
    }
    await this.insertGroups([work]);
    return { changed: true, created: !existing };
  }

  /** Works the caller looked up in bulk and found absent: a few multi-row statements for all. */
  async insertNew(works: NewWork[]): Promise<void> {
    const now = new Date();
    await insertChunks(
      this.knex,
      'kratix_works',
      works.map(w => newWorkRow(w, now)),
      50,
    );
    await this.insertGroups(works);
  }

  /** A new submission by the same owner keeps the work's permission conditions current. */
  /**
   * A submission that changes no file still brings its submitter's permission
   * conditions and its annotations (a new ticket): stored for the next write,
   * without writing anything now.
   */
  private async updateOwnership(work: NewWork, existing: any) {
    const update = {
      placement_conditions: conditionsJson(work.placementConditions),
      annotations: annotationsJson(work.annotations),
      submitted_by: work.submittedBy ?? work.createdBy ?? null,
    };
    const changed = (Object.keys(update) as (keyof typeof update)[]).some(
      k => update[k] !== existing[k],
    );
    if (changed) {
      await this.knex('kratix_works')
        .where({ namespace: work.namespace, name: work.name })
        .update(update);
    }
  }

  private async insertGroups(works: NewWork[]) {
    const groups = works.flatMap(work =>
      work.groups.map(g => ({
        work_namespace: work.namespace,
        work_name: work.name,
        group_id: g.id,
        directory: g.directory,
        selectors: JSON.stringify(g.selectors),
      })),
    );
    await insertChunks(this.knex, 'kratix_workload_groups', groups, 150);
    const files = works.flatMap(work =>
      work.groups.flatMap(g =>
        g.files.map((f, position) => ({
          work_namespace: work.namespace,
          work_name: work.name,
          group_id: g.id,
          path: f.path,
          position,
          content: f.content,
        })),
      ),
    );
    await insertChunks(this.knex, 'kratix_work_files', files, 100);
  }

  /** Workload groups with their file paths, per work, from one query per table. */
  private async groupsOf(keys: WorkKey[] | 'all'): Promise<Map<string, StoredGroup[]>> {
    const out = new Map<string, StoredGroup[]>();
    const batches = keys === 'all' ? [undefined] : chunks(keys, 200);
    for (const batch of batches) {
      if (batch && batch.length === 0) continue;
      const scope = (q: Knex.QueryBuilder) =>
        batch
          ? q.whereIn(
              ['work_namespace', 'work_name'],
              batch.map(k => [k.namespace, k.name]),
            )
          : q;
      const [groups, files] = await Promise.all([
        scope(this.knex('kratix_workload_groups')).orderBy('directory'),
        scope(
          this.knex('kratix_work_files').select('work_namespace', 'work_name', 'group_id', 'path'),
        ).orderBy('position'),
      ]);
      const paths = new Map<string, string[]>();
      for (const f of files) {
        const k = groupKey(f.work_namespace, f.work_name, f.group_id);
        const list = paths.get(k) ?? [];
        list.push(f.path);
        paths.set(k, list);
      }
      for (const g of groups) {
        const k = `${g.work_namespace}/${g.work_name}`;
        const list = out.get(k) ?? [];
        list.push({
          id: g.group_id,
          directory: g.directory,
          selectors: JSON.parse(g.selectors),
          files: paths.get(groupKey(g.work_namespace, g.work_name, g.group_id)) ?? [],
        });
        out.set(k, list);
      }
    }
    return out;
  }

  /** Who owns each of these works that has a row, live or being deleted: one query per 400 keys. */
  async ownership(keys: WorkKey[]): Promise<Map<string, WorkOwnership>> {
    const out = new Map<string, WorkOwnership>();
    for (const batch of chunks(keys, 400)) {
      const rows = await this.knex('kratix_works')
        .select('namespace', 'name', 'owner_refs', 'deleted_at')
        .whereIn(
          ['namespace', 'name'],
          batch.map(k => [k.namespace, k.name]),
        );
      for (const r of rows)
        out.set(workKey(r), {
          ownerRefs: JSON.parse(r.owner_refs ?? '[]'),
          deleting: Boolean(r.deleted_at),
        });
    }
    return out;
  }

  async get(key: WorkKey): Promise<StoredWork | undefined> {
    const row = await this.knex('kratix_works')
      .where({ namespace: key.namespace, name: key.name })
      .first();
    if (!row) return undefined;
    const groups = await this.groupsOf([{ namespace: key.namespace, name: key.name }]);
    return workFromRow(row, groups.get(workKey(key)) ?? []);
  }

  /** Works by key, in one query per table (per 200 keys). */
  async getMany(keys: WorkKey[]): Promise<Map<string, StoredWork>> {
    const unique = [...new Map(keys.map(k => [workKey(k), k])).values()];
    const out = new Map<string, StoredWork>();
    const groups = await this.groupsOf(unique);
    for (const batch of chunks(unique, 200)) {
      const rows = await this.knex('kratix_works').whereIn(
        ['namespace', 'name'],
        batch.map(k => [k.namespace, k.name]),
      );
      for (const r of rows) out.set(workKey(r), workFromRow(r, groups.get(workKey(r)) ?? []));
    }
    return out;
  }

  /** Every live work with its groups: the scheduler's input after Destinations change. */
  async listAll(): Promise<StoredWork[]> {
    const [rows, groups] = await Promise.all([
      this.knex('kratix_works').whereNull('deleted_at').orderBy(['namespace', 'name']),
      this.groupsOf('all'),
    ]);
    return rows.map(r => workFromRow(r, groups.get(workKey(r)) ?? []));
  }

  /** The contents of workload groups, read only when they are written. */
  async groupFiles(
    keys: { namespace: string; name: string; groupId: string }[],
  ): Promise<Map<string, WorkFileContent[]>> {
    const out = new Map<string, WorkFileContent[]>();
    const unique = [
      ...new Map(keys.map(k => [groupKey(k.namespace, k.name, k.groupId), k])).values(),
    ];
    for (const batch of chunks(unique, 150)) {
      const rows = await this.knex('kratix_work_files')
        .select('work_namespace', 'work_name', 'group_id', 'path', 'content')
        .whereIn(
          ['work_namespace', 'work_name', 'group_id'],
          batch.map(k => [k.namespace, k.name, k.groupId]),
        )
        .orderBy('position');
      for (const r of rows) {
        const k = groupKey(r.work_namespace, r.work_name, r.group_id);
        const list = out.get(k) ?? [];
        list.push({ path: r.path, content: Buffer.from(r.content) });
        out.set(k, list);
      }
    }
    return out;
  }

  /** A page of works (newest names last), filtered in the database. */
  async list(filter: WorkFilter, page: PageRequest): Promise<Paged<StoredWork>> {
    const q = this.knex('kratix_works').whereNull('deleted_at');
    if (filter.namespace) q.where('namespace', filter.namespace);
    if (filter.promise) q.where('promise', filter.promise);
    if (filter.resource) q.where('resource', filter.resource);
    if (filter.search) {
      refuseControlCharacters(filter.search);
      const like = `%${filter.search.replace(/[%_\\]/g, m => `\\${m}`)}%`;
      q.where(w =>
        w
          .whereRaw("namespace || '/' || name like ? escape '\\'", [like])
          .orWhereRaw("promise like ? escape '\\'", [like])
          .orWhereRaw("coalesce(resource, '') like ? escape '\\'", [like]),
      );
    }
    if (filter.destination) {
      q.whereExists(
        this.knex('kratix_placements')
          .select(this.knex.raw('1'))
          .whereRaw('kratix_placements.work_namespace = kratix_works.namespace')
          .whereRaw('kratix_placements.work_name = kratix_works.name')
          .where('kratix_placements.destination', filter.destination),
      );
    }
    if (filter.ownedBy) ownedByAny(q, filter.ownedBy);
    if (filter.scope) q.where(w => inScope(w, filter.scope!));
    const total = await q.clone().count({ n: '*' }).first();
    const after = cursorKey(page.cursor, 2);
    if (after) {
      q.where(w =>
        w
          .where('namespace', '>', after[0])
          .orWhere(w2 => w2.where('namespace', after[0]).andWhere('name', '>', after[1])),
      );
    }
    const rows = await q.orderBy(['namespace', 'name']).limit(page.limit + 1);
    const items = rows.slice(0, page.limit);
    const groups = await this.groupsOf(items.map(r => ({ namespace: r.namespace, name: r.name })));
    return {
      items: items.map(r => workFromRow(r, groups.get(workKey(r)) ?? [])),
      totalCount: Number(total?.n ?? 0),
      nextCursor:
        rows.length > page.limit
          ? encodeCursor([items[items.length - 1].namespace, items[items.length - 1].name])
          : undefined,
    };
  }

  /** Marks a work deleted; its placements are removed by the store runs. False when absent. */
  async markDeleted(key: WorkKey): Promise<boolean> {
    const n = await this.knex('kratix_works')
      .where({ namespace: key.namespace, name: key.name })
      .whereNull('deleted_at')
      .update({ deleted_at: new Date(), updated_at: new Date() });
    return n > 0;
  }

  /** Forgets deleted works whose placements are all gone. */
  async purgeDeleted(keys: WorkKey[]): Promise<void> {
    for (const batch of chunks(keys, 200)) {
      if (batch.length === 0) continue;
      await this.knex('kratix_works')
        .whereIn(
          ['namespace', 'name'],
          batch.map(k => [k.namespace, k.name]),
        )
        .whereNotNull('deleted_at')
        .whereNotExists(
          this.knex('kratix_placements')
            .select(this.knex.raw('1'))
            .whereRaw('kratix_placements.work_namespace = kratix_works.namespace')
            .whereRaw('kratix_placements.work_name = kratix_works.name'),
        )
        .delete();
    }
  }

  async setSchedulePending(keys: WorkKey[], pending: boolean): Promise<void> {
    for (const batch of chunks(keys, 200)) {
      if (batch.length === 0) continue;
      await this.knex('kratix_works')
        .whereIn(
          ['namespace', 'name'],
          batch.map(k => [k.namespace, k.name]),
        )
        .update({ schedule_pending: pending });
    }
  }

  async listSchedulePending(limit = 500): Promise<WorkKey[]> {
    return this.knex('kratix_works')
      .select('namespace', 'name')
      .where({ schedule_pending: true })
      .whereNull('deleted_at')
      .limit(limit);
  }
}

function workWhere(key: WorkKey) {
  return { work_namespace: key.namespace, work_name: key.name };
}

function conditionsJson(c: unknown): string | null {
  return c === undefined || c === null ? null : JSON.stringify(c);
}

/** Annotations as stored: keys sorted, so the same annotations compare equal. */
function annotationsJson(a: Record<string, string> | undefined): string | null {
  if (!a || Object.keys(a).length === 0) return null;
  return JSON.stringify(Object.fromEntries(Object.entries(a).sort(([x], [y]) => (x < y ? -1 : 1))));
}

function describeIdentity(identity: string): string {
  const [promise, resource, pipeline] = identity.split('/');
  return resource
    ? `resource ${resource} of promise ${promise} (pipeline ${pipeline})`
    : `the dependencies of promise ${promise} (pipeline ${pipeline})`;
}

function workRow(work: NewWork, now: Date, hash = workContentHash(work)) {
  return {
    promise: work.promise,
    resource: work.resource ?? null,
    pipeline: work.pipeline,
    identity: workIdentity(work),
    content_hash: hash,
    owner_refs: JSON.stringify(work.ownerRefs ?? []),
    placement_conditions: conditionsJson(work.placementConditions),
    annotations: annotationsJson(work.annotations),
    submitted_by: work.submittedBy ?? work.createdBy ?? null,
    updated_at: now,
    deleted_at: null,
  };
}

function newWorkRow(work: NewWork, now: Date) {
  return {
    namespace: work.namespace,
    name: work.name,
    ...workRow(work, now),
    created_by: work.createdBy ?? null,
    created_at: now,
  };
}
