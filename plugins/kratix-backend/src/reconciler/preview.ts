import { createTwoFilesPatch } from 'diff';
import {
  DestinationPreview,
  FileChange,
  stateStoreLabel,
} from '@kratix-destinations/plugin-kratix-common';
import {
  groupKey,
  NewWork,
  StoredDestination,
  StoredPlacement,
  StoredWork,
  workKey,
} from '../database';
import { placementName } from '../layout';
import { scheduleWork } from '../scheduling';
import { StoreRun } from './store/StoreRun';

/** Keep answers small: at most this many changes per Destination, this many bytes of diff per file. */
const MAX_CHANGES = 200;
const MAX_DIFF_BYTES = 64 * 1024;

function isBinary(b: Buffer | undefined): boolean {
  if (!b) return false;
  return b.includes(0) || !Buffer.from(b.toString('utf8'), 'utf8').equals(b);
}

/** The placements the work would have: its live ones, new ones, and removals of dropped groups. */
function virtualPlacements(
  work: StoredWork,
  destinations: StoredDestination[],
  existing: StoredPlacement[],
): StoredPlacement[] {
  const now = new Date().toISOString();
  const decision = scheduleWork(
    {
      key: workKey(work),
      isResource: Boolean(work.resource),
      groups: work.groups.map(g => ({ id: g.id, selectors: g.selectors })),
    },
    destinations.map(d => ({
      name: d.name,
      labels: d.labels,
      strictMatchLabels: d.spec.strictMatchLabels,
    })),
    existing
      .filter(p => p.status !== 'deleting')
      .map(p => ({ groupId: p.groupId, destination: p.destination })),
  );
  const storeOf = new Map(destinations.map(d => [d.name, d.stateStore]));
  const groups = new Set(work.groups.map(g => g.id));
  const live = existing
    .filter(p => p.status !== 'deleting' && p.status !== 'orphaned')
    .map(p => ({
      ...p,
      dirty: true,
      status: groups.has(p.groupId) ? p.status : ('deleting' as const),
    }));
  const created = decision.create
    .filter(c => storeOf.has(c.destination))
    .map(c => ({
      namespace: work.namespace,
      name: placementName(work.name, c.destination, c.groupId),
      workNamespace: work.namespace,
      workName: work.name,
      groupId: c.groupId,
      destination: c.destination,
      stateStore: storeOf.get(c.destination)!,
      status: 'pending' as const,
      misplaced: false,
      generation: 1,
      writtenGeneration: 0,
      dirty: true,
      scheduledAt: now,
      updatedAt: now,
    }));
  return [...live, ...created];
}

/** Previews a work: per Destination, the unified diff of what its store would change. */
export async function previewWork(
  run: StoreRun,
  work: NewWork,
  stored: StoredWork,
  destinations: StoredDestination[],
  existing: StoredPlacement[],
): Promise<{ destinations: string[]; pendingGroups: string[]; preview: DestinationPreview[] }> {
  const placements = virtualPlacements(stored, destinations, existing);
  const files = new Map(work.groups.map(g => [groupKey(work.namespace, work.name, g.id), g.files]));
  const byStore = new Map<string, StoredPlacement[]>();
  for (const p of placements) {
    const list = byStore.get(p.stateStore) ?? [];
    list.push(p);
    byStore.set(p.stateStore, list);
  }
  const out: DestinationPreview[] = [];
  for (const [ref, list] of byStore) {
    try {
      const changes = await run.preview(ref, { work: stored, files, placements: list });
      for (const [destination, c] of changes) out.push(toPreview(destination, ref, c));
    } catch (e: any) {
      for (const d of new Set(list.map(p => p.destination))) {
        out.push({
          destination: d,
          stateStore: stateStoreLabel(ref),
          changes: [],
          omitted: 0,
          error: String(e?.message ?? e),
        });
      }
    }
  }
  const placedGroups = new Set(placements.filter(p => p.status !== 'deleting').map(p => p.groupId));
  return {
    destinations: [
      ...new Set(placements.filter(p => p.status !== 'deleting').map(p => p.destination)),
    ].sort(),
    pendingGroups: work.groups.filter(g => !placedGroups.has(g.id)).map(g => g.id),
    preview: out.sort((a, b) => a.destination.localeCompare(b.destination)),
  };
}

export interface PreviewChange {
  path: string;
  before?: Buffer;
  after?: Buffer | null;
}

function toPreview(
  destination: string,
  stateStore: string,
  changes: PreviewChange[],
): DestinationPreview {
  const sorted = [...changes].sort((a, b) => a.path.localeCompare(b.path));
  const shown = sorted.slice(0, MAX_CHANGES).map(fileChange);
  return {
    destination,
    stateStore: stateStoreLabel(stateStore),
    changes: shown,
    omitted: sorted.length - shown.length,
  };
}

function fileChange(c: PreviewChange): FileChange {
  let action: FileChange['action'] = 'change';
  if (c.after === null) action = 'delete';
  else if (c.before === undefined) action = 'add';
  if (isBinary(c.before) || isBinary(c.after ?? undefined))
    return { path: c.path, action, binary: true };
  let diff = createTwoFilesPatch(
    c.before === undefined ? '/dev/null' : `a/${c.path}`,
    c.after === null ? '/dev/null' : `b/${c.path}`,
    c.before?.toString('utf8') ?? '',
    c.after?.toString('utf8') ?? '',
    undefined,
    undefined,
    { context: 3 },
  );
  diff = diff.replace(/^={5,}\n/, '');
  if (diff.length > MAX_DIFF_BYTES)
    diff = `${diff.slice(0, MAX_DIFF_BYTES)}\n… (diff cut at ${MAX_DIFF_BYTES} bytes)\n`;
  return { path: c.path, action, diff };
}
