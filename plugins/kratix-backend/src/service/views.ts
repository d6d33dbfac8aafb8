import {
  CredentialSourceView,
  DestinationSummary,
  DestinationView,
  DriftView,
  goJoin,
  GitStateStoreSpec,
  BucketStateStoreSpec,
  PlacementCounts,
  PlacementLocation,
  PlacementView,
  stateStoreLabel,
  StateStoreView,
  WorkStatus,
  WorkSummary,
  WorkView,
} from '@kratix-destinations/plugin-kratix-common';
import type {
  DriftRecord,
  StoredDestination,
  StoredPlacement,
  StoredStateStore,
  StoredWork,
  WrittenLocation,
} from '../database';
import { canaryPaths, effectiveLayout, placementLayout } from '../layout';
import { WebLinks } from './webLinks';

export interface ViewContext {
  works: Map<string, StoredWork>;
  destinations: Map<string, StoredDestination>;
  stores: Map<string, StoredStateStore>;
  links: WebLinks;
}

/** A store-relative path as a path in the repository or bucket (with the store's own prefix). */
function inStore(store: StoredStateStore, path: string): string {
  return goJoin((store.spec as { path?: string }).path ?? '', path)
    .replace(/^\/+/, '')
    .replace(/^\.$/, '');
}

function locationIn(
  store: StoredStateStore,
  where: WrittenLocation | { mode: WrittenLocation['mode']; path: string },
  links: WebLinks,
): PlacementLocation {
  const path = inStore(store, where.path);
  const base = { stateStore: stateStoreLabel(store.ref), mode: where.mode, path };
  if (store.kind === 'GitStateStore') {
    const spec = store.spec as GitStateStoreSpec;
    return {
      ...base,
      url: spec.url,
      branch: spec.branch,
      webUrl: links.file(spec.url, spec.branch, path),
    };
  }
  const spec = store.spec as BucketStateStoreSpec;
  return { ...base, bucket: spec.bucketName, endpoint: spec.endpoint };
}

/** Where a placement's files are: as recorded when written, else where they will go. */
function placementLocation(p: StoredPlacement, ctx: ViewContext): PlacementLocation | undefined {
  if (p.written) {
    const store = ctx.stores.get(p.written.store);
    return store ? locationIn(store, p.written, ctx.links) : undefined;
  }
  const work = ctx.works.get(`${p.workNamespace}/${p.workName}`);
  const dest = ctx.destinations.get(p.destination);
  const store = ctx.stores.get(p.stateStore);
  if (!work || !dest || !store) return undefined;
  try {
    const layout = placementLayout(effectiveLayout(dest), {
      name: p.name,
      namespace: p.namespace,
      promise: work.promise,
      resource: work.resource,
      pipeline: work.pipeline,
      workloadGroupId: p.groupId,
      files: [],
    });
    return locationIn(store, layout.location, ctx.links);
  } catch {
    return undefined;
  }
}

export function driftView(d: DriftRecord | undefined): DriftView | undefined {
  return d ? { at: d.at, files: d.files, version: d.version, resolution: d.resolution } : undefined;
}

export function placementView(p: StoredPlacement, ctx: ViewContext): PlacementView {
  const work = ctx.works.get(`${p.workNamespace}/${p.workName}`);
  const group = work?.groups.find(g => g.id === p.groupId);
  return {
    name: p.name,
    namespace: p.namespace,
    work: { namespace: p.workNamespace, name: p.workName },
    promise: work?.promise,
    resource: work?.resource,
    destination: p.destination,
    destinationRef: ctx.destinations.get(p.destination)?.entityRef,
    workloadGroupId: p.groupId,
    directory: group?.directory ?? '.',
    status: p.status,
    misplaced: p.misplaced,
    version: p.version,
    lastError:
      p.lastError ??
      (p.status === 'orphaned'
        ? `Destination ${p.destination} left the catalog; the resource has no live Destination`
        : undefined),
    scheduledAt: p.scheduledAt,
    writtenAt: p.writtenAt,
    location: placementLocation(p, ctx),
    drift: driftView(p.drift),
  };
}

function workStatus(
  w: StoredWork,
  placements: Pick<StoredPlacement, 'status' | 'groupId'>[],
): WorkStatus {
  if (w.deletedAt) return 'deleting';
  const live = placements.filter(p => p.status !== 'orphaned');
  if (live.length === 0) return 'pending';
  if (live.some(p => p.status === 'failed')) return 'failed';
  const placed = new Set(live.map(p => p.groupId));
  return live.every(p => p.status === 'written') && placed.size === w.groups.length
    ? 'written'
    : 'pending';
}

/** A work's summary; `refs` gives each Destination's entity ref, for links to its page. */
export function workSummary(
  w: StoredWork,
  placements: StoredPlacement[],
  refs: Map<string, string> = new Map(),
): WorkSummary {
  return {
    namespace: w.namespace,
    name: w.name,
    promise: w.promise,
    resource: w.resource,
    pipeline: w.pipeline,
    kind: w.resource ? 'resource' : 'dependency',
    status: workStatus(w, placements),
    destinations: placements.map(p => ({
      name: p.destination,
      entityRef: refs.get(p.destination),
      status: p.status,
      misplaced: p.misplaced,
    })),
    createdBy: w.createdBy,
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
    deletedAt: w.deletedAt,
  };
}

export function workView(w: StoredWork, placements: StoredPlacement[], ctx: ViewContext): WorkView {
  const placed = new Set(placements.filter(p => p.status !== 'deleting').map(p => p.groupId));
  return {
    ...workSummary(
      w,
      placements,
      new Map([...ctx.destinations.values()].map(d => [d.name, d.entityRef])),
    ),
    workloadGroups: w.groups.map(g => ({
      id: g.id,
      directory: g.directory,
      destinationSelectors: g.selectors,
      files: g.files,
    })),
    placements: placements.map(p => placementView(p, ctx)),
    pendingGroups: w.groups.filter(g => !placed.has(g.id)).map(g => g.id),
  };
}

export function counts(byStatus: Record<string, number> | undefined): PlacementCounts {
  const c = byStatus ?? {};
  const total = Object.values(c).reduce((a, b) => a + b, 0);
  return {
    total,
    written: c.written ?? 0,
    failed: c.failed ?? 0,
    pending: (c.pending ?? 0) + (c.deleting ?? 0),
  };
}

export function destinationSummary(
  d: StoredDestination,
  byStatus: Record<string, number> | undefined,
): DestinationSummary {
  const layout = effectiveLayout(d);
  return {
    name: d.name,
    namespace: d.namespace,
    entityRef: d.entityRef,
    labels: d.labels,
    path: d.spec.path,
    mode: layout.mode,
    cleanup: d.spec.cleanup,
    stateStore: d.stateStore,
    ready: d.ready,
    message: d.message ?? 'Destination is not ready',
    deleting: Boolean(d.deletedAt),
    drifted: d.drift?.resolution === 'reported',
    placementCounts: counts(byStatus),
  };
}

export function destinationView(
  d: StoredDestination,
  byStatus: Record<string, number> | undefined,
  placements: { items: PlacementView[]; nextCursor?: string },
  store: StoredStateStore | undefined,
): DestinationView {
  const layout = effectiveLayout(d);
  const c = canaryPaths(d.spec.path, layout.mode);
  const enabled = d.spec.initWorkloads.enabled;
  const written = Boolean(d.written) && d.written!.specHash === d.specHash;
  return {
    ...destinationSummary(d, byStatus),
    spec: { ...d.spec },
    canaries: {
      enabled,
      written: enabled && written && d.ready,
      paths: [c.namespace, c.configMap],
    },
    placements: placements.items,
    placementsNextCursor: placements.nextCursor,
    store: store ? { ref: d.stateStore, ready: store.ready } : undefined,
    drift: driftView(d.drift),
  };
}

export function stateStoreView(
  s: StoredStateStore,
  destinations: StoredDestination[],
  byStatus: Record<string, number>,
  credentials: CredentialSourceView,
): StateStoreView {
  const { secretRef, ...spec } = s.spec as unknown as { secretRef?: { name: string } } & Record<
    string,
    unknown
  >;
  const c = counts(byStatus);
  return {
    kind: s.kind,
    name: s.name,
    namespace: s.namespace,
    entityRef: s.entityRef,
    spec: { ...spec, ...(secretRef ? { secretRef: { name: secretRef.name } } : {}) },
    ready: s.ready,
    status: s.ready ? 'Ready' : 'NotReady',
    message: s.message ?? 'not written yet',
    lastVersion: s.lastVersion,
    lastWrittenAt: s.lastWrittenAt,
    lastFullSyncAt: s.lastFullSyncAt,
    nextAttemptAt: s.failures > 0 ? s.retryAt : undefined,
    credentials,
    destinations: destinations.map(d => ({
      name: d.name,
      ready: d.ready,
      path: d.spec.path,
      mode: effectiveLayout(d).mode,
    })),
    placements: { total: c.total, written: c.written, failed: c.failed },
  };
}
