import { goJoin, PlacementView, WorkView } from '@internal/plugin-kratix-common';
import { StoredDestination, StoredPlacement, StoredStateStore, StoredWork } from '../database';
import { aggregatedFilePath, nestedPlacementDir, stateFilePath } from '../layout';

/** Where a placement's files are, as a user looks for them. */
export function placementLocation(
  p: StoredPlacement,
  work: StoredWork | undefined,
  dest: StoredDestination | undefined,
  store: StoredStateStore | undefined,
) {
  if (!dest || !store || !work) return undefined;
  const layoutDest = {
    name: dest.name,
    path: dest.spec.path,
    mode: dest.spec.filepath?.mode,
    filename: dest.spec.filepath?.filename,
  };
  let path: string;
  if (layoutDest.mode === 'aggregatedYAML') path = aggregatedFilePath(layoutDest);
  else if (layoutDest.mode === 'none') path = stateFilePath(layoutDest.path, p.namespace, p.name);
  else {
    path = nestedPlacementDir(layoutDest, {
      name: p.name,
      namespace: p.namespace,
      promise: work.promise,
      resource: work.resource,
      pipeline: work.pipeline,
      workloadGroupId: p.groupId,
      files: [],
    });
  }
  const full = goJoin(store.spec.path ?? '', path).replace(/^\/+/, '');
  const stateStore = `${store.kind}/${store.name}`;
  if (store.kind === 'GitStateStore')
    return {
      stateStore,
      url: store.spec.url as string,
      branch: store.spec.branch as string,
      path: full,
    };
  return {
    stateStore,
    bucket: store.spec.bucketName as string,
    endpoint: store.spec.endpoint as string,
    path: full,
  };
}

export function placementView(
  p: StoredPlacement,
  ctx: {
    works: Map<string, StoredWork>;
    destinations: Map<string, StoredDestination>;
    stores: Map<string, StoredStateStore>;
  },
): PlacementView & Record<string, unknown> {
  const work = ctx.works.get(`${p.workNamespace}/${p.workName}`);
  const dest = ctx.destinations.get(p.destination);
  const group = work?.groups.find(g => g.id === p.groupId);
  return {
    name: p.name,
    namespace: p.namespace,
    work: { namespace: p.workNamespace, name: p.workName },
    promise: work?.promise,
    resource: work?.resource,
    destination: p.destination,
    workloadGroupId: p.groupId,
    directory: group?.directory ?? '.',
    status: p.status,
    misplaced: p.misplaced,
    version: p.version,
    lastError: p.lastError,
    scheduledAt: p.scheduledAt,
    writtenAt: p.writtenAt,
    location: placementLocation(p, work, dest, ctx.stores.get(p.stateStore)),
  } as any;
}

export function workView(
  w: StoredWork,
  placements: PlacementView[],
): WorkView & Record<string, unknown> {
  const placed = new Set(placements.map(p => p.workloadGroupId));
  return {
    namespace: w.namespace,
    name: w.name,
    promise: w.promise,
    resource: w.resource,
    pipeline: w.pipeline,
    kind: w.resource ? 'resource' : 'dependency',
    status: w.deletedAt
      ? 'deleting'
      : placements.length === 0
        ? 'pending'
        : placements.some(p => p.status === 'failed')
          ? 'failed'
          : placements.every(p => p.status === 'written') && placed.size === w.groups.length
            ? 'written'
            : 'pending',
    workloadGroups: w.groups.map(g => ({
      id: g.id,
      directory: g.directory,
      destinationSelectors: g.selectors,
      files: g.files,
    })),
    placements,
    pendingGroups: w.groups.filter(g => !placed.has(g.id)).map(g => g.id),
    createdBy: w.createdBy,
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
    deletedAt: w.deletedAt,
  } as any;
}
