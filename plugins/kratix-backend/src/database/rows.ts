import type { Knex } from 'knex';
import type { FilepathMode, PlacementStatus } from '@kratix-destinations/plugin-kratix-common';
import {
  StoredDestination,
  StoredGroup,
  StoredPlacement,
  StoredStateStore,
  StoredWork,
} from './types';

/** A timestamp column as ISO text; SQLite keeps what knex wrote (epoch ms for Dates). */
export function iso(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'number') return new Date(v).toISOString();
  const s = String(v);
  if (/^\d+$/.test(s)) return new Date(Number(s)).toISOString();
  const d = new Date(s.includes('T') || s.endsWith('Z') ? s : `${s.replace(' ', 'T')}Z`);
  return Number.isNaN(d.getTime()) ? s : d.toISOString();
}

export const opt = (v: unknown) => (v === null || v === undefined ? undefined : String(v));
const json = (v: unknown) =>
  v === null || v === undefined || v === '' ? undefined : JSON.parse(String(v));

export function placementFromRow(r: any): StoredPlacement {
  return {
    namespace: r.namespace,
    name: r.name,
    workNamespace: r.work_namespace,
    workName: r.work_name,
    groupId: r.group_id,
    destination: r.destination,
    stateStore: r.state_store,
    status: r.status as PlacementStatus,
    misplaced: Boolean(r.misplaced),
    generation: Number(r.generation),
    writtenGeneration: Number(r.written_generation),
    dirty: Boolean(r.dirty),
    version: opt(r.version),
    lastError: opt(r.last_error),
    scheduledAt: iso(r.scheduled_at)!,
    writtenAt: iso(r.written_at),
    updatedAt: iso(r.updated_at)!,
    written: r.written_store
      ? { store: r.written_store, mode: r.written_mode as FilepathMode, path: r.written_path }
      : undefined,
    drift: json(r.drift),
  };
}

export function destinationFromRow(r: any): StoredDestination {
  return {
    name: r.name,
    namespace: r.namespace ?? 'default',
    entityRef: r.entity_ref,
    uid: opt(r.uid),
    etag: opt(r.etag),
    spec: JSON.parse(r.spec),
    labels: JSON.parse(r.labels),
    stateStore: r.state_store,
    specHash: r.spec_hash,
    written: r.written_spec_hash
      ? {
          specHash: r.written_spec_hash,
          spec: JSON.parse(r.written_spec),
          store: r.written_store ?? r.state_store,
        }
      : undefined,
    ready: Boolean(r.ready),
    message: opt(r.message),
    orphanSince: iso(r.orphan_since),
    deletedAt: iso(r.deleted_at),
    updatedAt: iso(r.updated_at)!,
    drift: json(r.drift),
  };
}

export function storeFromRow(r: any): StoredStateStore {
  return {
    ref: r.ref,
    kind: r.kind,
    name: r.name,
    namespace: r.namespace ?? 'default',
    entityRef: r.entity_ref,
    etag: opt(r.etag),
    spec: JSON.parse(r.spec),
    ready: Boolean(r.ready),
    message: opt(r.message),
    lastVersion: opt(r.last_version),
    lastWrittenAt: iso(r.last_written_at),
    lastFullSyncAt: iso(r.last_full_sync_at),
    lastSeenTip: opt(r.last_seen_tip),
    failures: Number(r.failures ?? 0),
    retryAt: iso(r.retry_at),
    changeSeq: Number(r.change_seq ?? 0),
    doneSeq: Number(r.done_seq ?? 0),
    deletedAt: iso(r.deleted_at),
    updatedAt: iso(r.updated_at)!,
  };
}

export function workFromRow(r: any, groups: StoredGroup[]): StoredWork {
  return {
    namespace: r.namespace,
    name: r.name,
    promise: r.promise,
    resource: opt(r.resource),
    pipeline: r.pipeline,
    identity: r.identity ?? `${r.promise}/${r.resource ?? ''}/${r.pipeline}`,
    contentHash: r.content_hash,
    createdBy: opt(r.created_by),
    submittedBy: opt(r.submitted_by),
    ownerRefs: json(r.owner_refs) ?? [],
    annotations: json(r.annotations),
    placementConditions: json(r.placement_conditions),
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
    deletedAt: iso(r.deleted_at),
    groups,
  };
}

/** Splits a list into chunks that fit the databases' bind-parameter limits. */
export function chunks<T>(items: T[], size = 400): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Opaque page cursors: the last sort key of the previous page. */
export function encodeCursor(key: string[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string[] | undefined {
  if (!cursor) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(key) && key.every(k => typeof k === 'string') ? key : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Inserts rows in chunks on this connection or transaction. Not knex's
 * batchInsert: inside a transaction that opens a savepoint per call, two
 * extra statements for every work submitted.
 */
export async function insertChunks(
  knex: Knex | Knex.Transaction,
  table: string,
  rows: object[],
  size = 100,
): Promise<void> {
  for (const chunk of chunks(rows, size)) await knex(table).insert(chunk);
}
