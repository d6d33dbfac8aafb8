import {
  groupKey,
  KratixStore,
  StoredDestination,
  StoredPlacement,
  StoredWork,
  workKey,
} from '../../database';
import { effectiveLayout, layoutOf } from '../../layout';
import { PlanDestination, PlanPlacement } from './planTypes';

export const isActive = (p: StoredPlacement) => p.status !== 'deleting' && p.status !== 'orphaned';

/** Its spec (path, store, canaries) is not what was last laid out. */
export function destinationDirty(d: StoredDestination): boolean {
  return (
    Boolean(d.deletedAt) ||
    !d.written ||
    d.written.specHash !== d.specHash ||
    d.written.store !== d.stateStore
  );
}

/** Its files move: every placement is laid out again. */
export function destinationMoved(d: StoredDestination): boolean {
  return !d.written || d.written.spec.path !== d.spec.path || d.written.store !== d.stateStore;
}

/** What a run does with each Destination, before contents are read. */
export interface DestinationDecision {
  destination: StoredDestination;
  write: StoredPlacement[];
  remove: StoredPlacement[];
  canaries?: boolean;
  /** aggregatedYAML: the aggregate is rebuilt from every active placement. */
  rebuildAggregate: boolean;
}

export function decide(
  destinations: StoredDestination[],
  placements: StoredPlacement[],
  options: { full: boolean; extraWrites?: Set<string>; destinationsToSettle?: Set<string> },
): DestinationDecision[] {
  const byDest = new Map<string, StoredPlacement[]>();
  for (const p of placements) {
    const list = byDest.get(p.destination) ?? [];
    list.push(p);
    byDest.set(p.destination, list);
  }
  const out: DestinationDecision[] = [];
  for (const d of destinations) {
    const mine = byDest.get(d.name) ?? [];
    const dirty = destinationDirty(d);
    const extra = (p: StoredPlacement) =>
      options.extraWrites?.has(`${p.namespace}/${p.name}`) ?? false;
    if (d.deletedAt) {
      out.push({
        destination: d,
        write: [],
        remove: d.spec.cleanup === 'all' ? mine : [],
        rebuildAggregate: false,
      });
      continue;
    }
    const write = mine.filter(
      p => isActive(p) && (p.dirty || p.status !== 'written' || extra(p) || destinationMoved(d)),
    );
    const remove = mine.filter(p => p.status === 'deleting');
    const settle = dirty || options.full || (options.destinationsToSettle?.has(d.name) ?? false);
    if (write.length === 0 && remove.length === 0 && !settle) continue; // D0: nothing to do here
    out.push({
      destination: d,
      write,
      remove,
      canaries: settle ? d.spec.initWorkloads.enabled : undefined,
      rebuildAggregate:
        effectiveLayout(d).mode === 'aggregatedYAML' &&
        (write.length > 0 || remove.length > 0 || settle),
    });
  }
  return out;
}

/** Reads the works and contents the decisions need, in bulk. */
export async function loadContent(
  db: KratixStore,
  decisions: DestinationDecision[],
  aggregates: Map<string, StoredPlacement[]>,
  overlay?: { work: StoredWork; files: Map<string, { path: string; content: Buffer }[]> },
): Promise<PlanDestination[]> {
  const all = decisions.flatMap(x => [
    ...x.write,
    ...x.remove,
    ...(aggregates.get(x.destination.name) ?? []),
  ]);
  const overlayKey = overlay ? workKey(overlay.work) : undefined;
  const stored = all.filter(p => `${p.workNamespace}/${p.workName}` !== overlayKey);
  const works = await db.works.getMany(
    stored.map(p => ({ namespace: p.workNamespace, name: p.workName })),
  );
  const files = await db.works.groupFiles(
    stored
      .filter(p => p.status !== 'deleting')
      .map(p => ({ namespace: p.workNamespace, name: p.workName, groupId: p.groupId })),
  );
  if (overlay) {
    works.set(overlayKey!, overlay.work);
    for (const [k, v] of overlay.files) files.set(k, v);
  }
  const toPlan = (p: StoredPlacement): PlanPlacement | undefined => {
    const work = works.get(`${p.workNamespace}/${p.workName}`);
    if (!work) return undefined;
    return {
      name: p.name,
      namespace: p.namespace,
      promise: work.promise,
      resource: work.resource,
      pipeline: work.pipeline,
      workloadGroupId: p.groupId,
      files: files.get(groupKey(p.workNamespace, p.workName, p.groupId)) ?? [],
      stored: p,
      work: { namespace: p.workNamespace, name: p.workName },
      actor: work.submittedBy ?? work.createdBy,
      annotations: work.annotations,
    };
  };
  const defined = (list: StoredPlacement[]) =>
    list.map(toPlan).filter((x): x is PlanPlacement => Boolean(x));
  return decisions.map(x => ({
    name: x.destination.name,
    layout: effectiveLayout(x.destination),
    previousLayout:
      x.destination.written && x.destination.written.spec.path !== x.destination.spec.path
        ? layoutOf(x.destination.name, x.destination.written.spec)
        : undefined,
    deleted: Boolean(x.destination.deletedAt),
    cleanup: x.destination.spec.cleanup,
    canaries: x.canaries,
    write: defined(x.write),
    remove: defined(x.remove),
    aggregateOf: x.rebuildAggregate ? defined(aggregates.get(x.destination.name) ?? []) : undefined,
  }));
}
