import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  KratixStore,
  NewPlacement,
  PlacementKey,
  StoredDestination,
  StoredPlacement,
  StoredWork,
  workKey,
} from '../database';
import {
  effectiveLayout,
  flatFilePath,
  placementName,
  reservedPathError,
  storePath,
} from '../layout';
import { ScheduleDecision, scheduleWork, SchedulingDestination } from '../scheduling';

/** May this work be placed on this Destination (the placement permission, evaluated for its owner)? */
export type PlacementPermit = (work: StoredWork, destination: StoredDestination) => boolean;

/** Why a group of a work cannot be placed where it was scheduled (none-mode clashes). */
export interface PlacementProblem {
  destination: string;
  groupId: string;
  message: string;
  /** A clash with another work's file is a conflict; a reserved name is a bad request. */
  conflict: boolean;
}

export interface PlaceResult {
  created: NewPlacement[];
  problems: PlacementProblem[];
  /** Stores with something new to write. */
  touched: Set<string>;
  pendingGroups: string[];
}

export const toScheduling = (d: StoredDestination): SchedulingDestination => ({
  name: d.name,
  labels: d.labels,
  strictMatchLabels: d.spec.strictMatchLabels,
});

/**
 * Turns works into placements (never touches a store): creates placements
 * on matching Destinations, flags misplaced ones, marks placements of
 * removed groups for deletion, and takes `none`-mode path claims.
 */
export class WorkScheduler {
  constructor(
    private readonly db: KratixStore,
    private readonly logger: LoggerService,
    private readonly permit: PlacementPermit = () => true,
  ) {}

  /** The files a placement would write in a `none`-mode Destination, as the store compares them. */
  private flatPaths(
    d: StoredDestination,
    work: StoredWork,
    groupId: string,
    placement: string,
  ): string[] | string {
    const layout = effectiveLayout(d);
    if (layout.mode !== 'none') return [];
    const files = work.groups.find(g => g.id === groupId)?.files ?? [];
    try {
      const paths = files.map(f => flatFilePath(layout, { path: f }, placement));
      const reserved = reservedPathError(layout, paths);
      return reserved ?? paths.map(storePath);
    } catch (e: any) {
      return e.message;
    }
  }

  /**
   * Places one work, inside the caller's transaction. `existing` are its
   * placements; `destinations` the live ones, already narrowed to those the
   * caller may place on. With `defer`, new placements are appended there for
   * the caller to create in bulk instead of being created here.
   */
  async place(
    tx: KratixStore,
    work: StoredWork,
    destinations: StoredDestination[],
    existing: StoredPlacement[],
    options: { reclaim: boolean; defer?: NewPlacement[] } = { reclaim: true },
  ): Promise<PlaceResult> {
    const byName = new Map(destinations.map(d => [d.name, d]));
    const allowed = destinations.filter(d => this.permit(work, d));
    const live = existing.filter(p => p.status !== 'deleting' && p.status !== 'orphaned');
    const decision = scheduleWork(
      {
        key: workKey(work),
        isResource: Boolean(work.resource),
        groups: work.groups.map(g => ({ id: g.id, selectors: g.selectors })),
      },
      allowed.map(toScheduling),
      existing
        .filter(p => p.status !== 'deleting')
        .map(p => ({ groupId: p.groupId, destination: p.destination })),
    );
    const result: PlaceResult = {
      created: [],
      problems: [],
      touched: new Set(),
      pendingGroups: decision.unscheduled,
    };
    await this.claimAll(tx, work, byName, decision, live, options.reclaim, result);
    if (options.defer) options.defer.push(...result.created);
    else await tx.placements.create(result.created);
    // A placement whose Destination left keeps its place (never moved, D3) but is not misplaced.
    await this.flagMisplaced(
      tx,
      live.filter(p => byName.has(p.destination)),
      decision.misplaced,
    );
    for (const o of decision.orphaned) {
      await tx.placements.markDeleting({ work, groupId: o.groupId });
      const d = byName.get(o.destination);
      if (d) result.touched.add(d.stateStore);
    }
    return result;
  }

  /** New placements and, when the work's files changed, the existing ones claim their files. */
  private async claimAll(
    tx: KratixStore,
    work: StoredWork,
    byName: Map<string, StoredDestination>,
    decision: ScheduleDecision,
    live: StoredPlacement[],
    reclaim: boolean,
    result: PlaceResult,
  ) {
    const keep = [
      ...decision.create.map(c => ({ ...c, isNew: true })),
      ...live.map(p => ({ groupId: p.groupId, destination: p.destination, isNew: false })),
    ];
    for (const c of keep) {
      const d = byName.get(c.destination);
      if (!d) continue;
      const name = placementName(work.name, c.destination, c.groupId);
      // Existing placements keep their claims unless the work's files changed.
      if (!c.isNew && !reclaim) continue;
      const problem = await this.claim(tx, work, d, c.groupId, { namespace: work.namespace, name });
      if (problem) result.problems.push(problem);
      if (!c.isNew) continue;
      result.created.push({
        namespace: work.namespace,
        name,
        workNamespace: work.namespace,
        workName: work.name,
        groupId: c.groupId,
        destination: c.destination,
        stateStore: d.stateStore,
        error: problem?.message,
      });
      result.touched.add(d.stateStore);
    }
  }

  /** none mode: the files of a placement are its own; another work's file is a clash. */
  private async claim(
    tx: KratixStore,
    work: StoredWork,
    d: StoredDestination,
    groupId: string,
    placement: PlacementKey,
  ): Promise<PlacementProblem | undefined> {
    const paths = this.flatPaths(d, work, groupId, placement.name);
    if (typeof paths === 'string')
      return {
        destination: d.name,
        groupId,
        message: `placement ${placement.name}: ${paths}`,
        conflict: false,
      };
    if (paths.length === 0 && effectiveLayout(d).mode !== 'none') return undefined;
    const clashes = await tx.claims.conflicts(d.name, paths, placement);
    if (clashes.length > 0) {
      const c = clashes[0];
      return {
        destination: d.name,
        groupId,
        conflict: true,
        message: `file "${c.path}" in Destination ${d.name} is already written by work ${c.work.namespace}/${c.work.name} (placement ${c.placement.name}); two works may not write the same file in a none-mode Destination`,
      };
    }
    await tx.claims.replace(placement, work, d.name, paths);
    return undefined;
  }

  private async flagMisplaced(
    tx: KratixStore,
    live: StoredPlacement[],
    misplaced: { groupId: string; destination: string }[],
  ) {
    const flagged = new Set(misplaced.map(m => `${m.groupId}|${m.destination}`));
    const on: PlacementKey[] = [];
    const off: PlacementKey[] = [];
    for (const p of live) {
      const flag = flagged.has(`${p.groupId}|${p.destination}`);
      if (flag !== p.misplaced) (flag ? on : off).push(p);
    }
    await tx.placements.setMisplaced(on, true);
    await tx.placements.setMisplaced(off, false);
  }

  /**
   * Every live work against every live Destination: after Destinations
   * change (new ones get dependencies, pending works find a place, misplaced
   * flags follow labels). Yields to the event loop between chunks.
   */
  async scheduleAll(): Promise<Set<string>> {
    const destinations = await this.db.destinations.list();
    const works = await this.db.works.listAll();
    const placements = await this.db.placements.list();
    const byWork = new Map<string, StoredPlacement[]>();
    for (const p of placements) {
      const k = `${p.workNamespace}/${p.workName}`;
      const list = byWork.get(k) ?? [];
      list.push(p);
      byWork.set(k, list);
    }
    const touched = new Set<string>();
    for (let i = 0; i < works.length; i += 200) {
      await this.db.transaction(async tx => {
        for (const work of works.slice(i, i + 200)) {
          const r = await this.place(tx, work, destinations, byWork.get(workKey(work)) ?? [], {
            reclaim: false,
          });
          r.touched.forEach(t => touched.add(t));
          for (const c of r.created)
            this.logger.info(
              `Scheduled work ${workKey(work)} group ${c.groupId.slice(0, 5)} to Destination ${c.destination}`,
            );
        }
      });
      await yieldToLoop();
    }
    await this.db.stateStores.bumpChange([...touched]);
    return touched;
  }
}
