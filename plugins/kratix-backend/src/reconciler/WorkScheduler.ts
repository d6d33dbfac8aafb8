import { LoggerService } from '@backstage/backend-plugin-api';
import { KratixDatabase, StoredDestination, StoredWork } from '../database';
import { placementName } from '../layout';
import { scheduleWork } from '../scheduling';

/**
 * Turns works into placements (never touches a store): creates placements
 * for matching Destinations, flags misplaced ones, and marks placements of
 * removed groups or deleted Destinations for deletion.
 */
export class WorkScheduler {
  constructor(
    private readonly db: KratixDatabase,
    private readonly logger: LoggerService,
  ) {}

  /** Schedules the given works (all when omitted); returns the stores with new placements. */
  async run(only?: StoredWork[]): Promise<Set<string>> {
    const destinations = await this.db.listDestinations({ includeDeleted: true });
    const active = destinations.filter(d => !d.deletedAt);
    const byName = new Map<string, StoredDestination>(destinations.map(d => [d.name, d]));
    const works = only ?? (await this.db.listWorks());
    const touched = new Set<string>();
    const schedulable = active.map(d => ({
      name: d.name,
      labels: d.labels,
      strictMatchLabels: Boolean(d.spec.strictMatchLabels),
    }));
    const allPlacements = only ? undefined : await this.db.listPlacements();

    for (const work of works) {
      if (work.deletedAt) continue;
      const existing = (allPlacements ?? (await this.db.listPlacements({ work }))).filter(
        p =>
          p.workNamespace === work.namespace && p.workName === work.name && p.status !== 'deleting',
      );
      const decision = scheduleWork(
        {
          key: `${work.namespace}/${work.name}`,
          isResource: Boolean(work.resource),
          groups: work.groups.map(g => ({ id: g.id, selectors: g.selectors })),
        },
        schedulable,
        existing.filter(p => !byName.get(p.destination)?.deletedAt),
      );
      for (const c of decision.create) {
        const dest = byName.get(c.destination)!;
        await this.db.createPlacement({
          namespace: work.namespace,
          name: placementName(work.name, c.destination, c.groupId),
          workNamespace: work.namespace,
          workName: work.name,
          groupId: c.groupId,
          destination: c.destination,
          stateStore: dest.stateStore,
        });
        touched.add(dest.stateStore);
        this.logger.info(
          `Scheduled work ${work.namespace}/${work.name} group ${c.groupId.slice(0, 5)} to Destination ${c.destination}`,
        );
      }
      const misplaced = new Set(decision.misplaced.map(p => `${p.groupId}|${p.destination}`));
      for (const p of existing) {
        const flag = misplaced.has(`${p.groupId}|${p.destination}`);
        if (flag !== p.misplaced) await this.db.setMisplaced(p.namespace, p.name, flag);
      }
      for (const o of decision.orphaned) {
        await this.db.markPlacementsDeleting({ work, groupId: o.groupId });
        const dest = byName.get(o.destination);
        if (dest) touched.add(dest.stateStore);
      }
      if (decision.unscheduled.length > 0) {
        this.logger.debug(
          `Work ${work.namespace}/${work.name}: no matching destination for workload groups ${decision.unscheduled.join(', ')}`,
        );
      }
    }
    return touched;
  }
}
