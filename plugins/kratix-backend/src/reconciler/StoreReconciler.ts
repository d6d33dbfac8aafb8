import { LoggerService } from '@backstage/backend-plugin-api';
import { goJoin } from '@internal/plugin-kratix-common';
import {
  KratixDatabase,
  StoredDestination,
  StoredPlacement,
  StoredStateStore,
  StoredWork,
} from '../database';
import {
  canaryPaths,
  CANARY_WRITER_NAME,
  desiredLayout,
  isWithin,
  LayoutDestination,
  LayoutPlacement,
  parseStateFile,
  placementRemoval,
  staleStateEntries,
  aggregatedFilePath,
} from '../layout';
import { StateStoreWriter, WriterFactory } from '../writers';

/** Reads a placement's work, once per run. */
type WorkLookup = (p: StoredPlacement) => Promise<StoredWork | undefined>;

export interface StoreRunResult {
  store: string;
  skipped: boolean;
  written: number;
  deleted: number;
  version?: string;
  error?: string;
}

function layoutDestination(d: StoredDestination, spec = d.spec): LayoutDestination {
  return {
    name: d.name,
    path: spec.path,
    mode: spec.filepath?.mode ?? 'nestedByMetadata',
    filename: spec.filepath?.filename,
  };
}

const isDirty = (p: StoredPlacement) =>
  p.generation !== p.writtenGeneration || p.status === 'failed' || p.status === 'pending';

/**
 * Writes one State Store: plans the changes of every Destination on it with
 * the layout module, applies them with one writer call (one Git commit), and
 * records the outcome on placements, Destinations and the store.
 */
export class StoreReconciler {
  constructor(
    private readonly db: KratixDatabase,
    private readonly writers: WriterFactory,
    private readonly logger: LoggerService,
    private readonly options: { fullSyncIntervalMs: number },
  ) {}

  async run(ref: string, opts: { full?: boolean } = {}): Promise<StoreRunResult> {
    const store = await this.db.getStateStore(ref);
    const destinations = (await this.db.listDestinations({ includeDeleted: true })).filter(
      d => d.stateStore === ref,
    );
    if (!store || store.deletedAt) {
      for (const d of destinations.filter(x => !x.deletedAt)) {
        await this.db.setDestinationStatus(
          d.name,
          false,
          `${ref.split(':')[0]}/${ref.split('/').pop()}: not found`,
        );
      }
      // A Destination whose store is gone cannot be cleaned up: drop its bookkeeping (never block on a missing store).
      for (const d of destinations.filter(x => x.deletedAt))
        await this.db.removeDestination(d.name);
      return { store: ref, skipped: true, written: 0, deleted: 0 };
    }
    const placements = await this.db.listPlacements({ stateStore: ref });
    const full =
      opts.full ||
      !store.lastFullSyncAt ||
      Date.now() - Date.parse(store.lastFullSyncAt) >= this.options.fullSyncIntervalMs;
    const dirtyDest = (d: StoredDestination) =>
      Boolean(d.deletedAt) || d.specHash !== d.writtenSpecHash;
    const anyDirty =
      destinations.some(dirtyDest) || placements.some(p => isDirty(p) || p.status === 'deleting');
    if (!full && !anyDirty) return { store: ref, skipped: true, written: 0, deleted: 0 };

    const label = `${store.kind}/${store.name}`;
    let writer: StateStoreWriter;
    try {
      writer = this.writers.get({ ref, kind: store.kind, name: store.name, spec: store.spec });
      if (full) await writer.validatePermissions();
      await writer.refresh();
    } catch (e: any) {
      return this.fail(store, destinations, placements, e.message);
    }

    const plan = new Plan();
    // Each work is read once per run, however many placements it has here.
    const works = new Map<string, Promise<StoredWork | undefined>>();
    const workOf: WorkLookup = p => {
      const key = `${p.workNamespace}/${p.workName}`;
      if (!works.has(key)) works.set(key, this.db.getWork(p.workNamespace, p.workName));
      return works.get(key)!;
    };
    const written: StoredPlacement[] = [];
    const removed: StoredPlacement[] = [];
    const failed: { p: StoredPlacement; error: string }[] = [];
    const doneDestinations: StoredDestination[] = [];
    const cleanedDestinations: StoredDestination[] = [];
    try {
      for (const d of destinations) {
        const mine = placements.filter(p => p.destination === d.name);
        if (d.deletedAt) {
          if (d.spec.cleanup === 'all') await this.planCleanup(writer, d, mine, plan, workOf);
          cleanedDestinations.push(d);
          continue;
        }
        const dest = layoutDestination(d);
        const active = mine.filter(p => p.status !== 'deleting');
        const deleting = mine.filter(p => p.status === 'deleting');
        let toWrite = full || dirtyDest(d) ? active : active.filter(isDirty);
        if (
          dest.mode === 'aggregatedYAML' &&
          (toWrite.length > 0 || deleting.length > 0 || full || dirtyDest(d))
        )
          toWrite = active;
        const layoutPlacements: LayoutPlacement[] = [];
        for (const p of toWrite) {
          const lp = await this.layoutPlacement(p, workOf);
          if (lp) layoutPlacements.push(lp);
        }
        const includeCanaries = full || dirtyDest(d);
        const desired = desiredLayout(dest, layoutPlacements, {
          canaries: includeCanaries ? d.spec.initWorkloads?.enabled !== false : undefined,
        });
        const rejected = new Set(desired.rejected.map(r => r.placement));
        for (const r of desired.rejected)
          failed.push({ p: toWrite.find(p => p.name === r.placement)!, error: r.error });
        for (const [path, content] of desired.files) plan.write(path, content);
        for (const dir of desired.ownedDirs) {
          for (const f of await writer.list(dir)) if (!desired.files.has(f)) plan.delete(f);
        }
        for (const sf of desired.stateFiles) {
          const old = await writer.readFile(sf.path);
          const entries = old ? parseStateFile(old.toString(), `${label}: ${sf.path}`) : [];
          for (const stale of staleStateEntries(dest, entries, sf.entries)) plan.delete(stale);
        }
        for (const path of desired.deletes) plan.delete(path);
        for (const p of deleting) await this.planRemoval(writer, dest, p, plan, label, workOf);
        written.push(
          ...toWrite.filter(
            p => !rejected.has(p.name) && layoutPlacements.some(lp => lp.name === p.name),
          ),
        );
        removed.push(...deleting);
        if (includeCanaries) doneDestinations.push(d);
        plan.names.push(...toWrite.filter(isDirty).map(p => p.name), ...deleting.map(p => p.name));
        if (includeCanaries && dirtyDest(d)) plan.names.push(CANARY_WRITER_NAME);
      }
    } catch (e: any) {
      return this.fail(store, destinations, placements, e.message);
    }

    let result;
    const changes = plan.changes();
    if (changes.size >= 100) {
      this.logger.info(
        `${label}: applying ${changes.size} file changes for ${new Set(plan.names).size} placements (${full ? 'full sync' : 'incremental'})`,
      );
    }
    try {
      result = await writer.apply(
        changes,
        plan.message(removed.length > 0 && written.filter(isDirty).length === 0),
      );
    } catch (e: any) {
      return this.fail(store, destinations, placements, e.message);
    }
    const version = result.version ?? store.lastVersion;
    for (const p of written) await this.db.markWritten(p, result.version ?? p.version ?? version);
    for (const { p, error } of failed) await this.db.markFailed(p, error);
    for (const p of removed) await this.db.removePlacement(p);
    for (const d of cleanedDestinations) await this.db.removeDestination(d.name);
    for (const d of doneDestinations) {
      await this.db.setDestinationWritten(d.name, d.specHash, d.spec);
      await this.db.setDestinationStatus(
        d.name,
        true,
        d.spec.initWorkloads?.enabled === false
          ? 'Destination is ready'
          : 'Test documents written to State Store',
      );
    }
    await this.db.setStateStoreStatus(store.ref, {
      ready: true,
      message: 'State store is ready',
      version: result.version,
      written: result.written + result.deleted > 0,
      fullSync: full,
    });
    if (result.written + result.deleted > 0) {
      this.logger.info(
        `${label}: wrote ${result.written} and deleted ${result.deleted} files (${result.version ?? 'no new version'})`,
      );
    }
    return {
      store: ref,
      skipped: false,
      written: result.written,
      deleted: result.deleted,
      version: result.version,
    };
  }

  private async layoutPlacement(
    p: StoredPlacement,
    workOf: WorkLookup,
  ): Promise<LayoutPlacement | undefined> {
    const work = await workOf(p);
    if (!work) return undefined;
    return {
      name: p.name,
      namespace: p.namespace,
      promise: work.promise,
      resource: work.resource,
      pipeline: work.pipeline,
      workloadGroupId: p.groupId,
      files: await this.db.groupFiles(p.workNamespace, p.workName, p.groupId),
    };
  }

  /** The files of a placement that goes away, found as Kratix does (directory, state file, or the aggregate). */
  private async planRemoval(
    writer: StateStoreWriter,
    dest: LayoutDestination,
    p: StoredPlacement,
    plan: Plan,
    label: string,
    workOf: WorkLookup,
  ) {
    const work = await workOf(p);
    if (!work) return;
    const removal = placementRemoval(dest, {
      name: p.name,
      namespace: p.namespace,
      promise: work.promise,
      resource: work.resource,
      pipeline: work.pipeline,
      workloadGroupId: p.groupId,
    });
    if (removal.kind === 'dir') {
      for (const f of await writer.list(removal.dir)) plan.delete(f);
    } else if (removal.kind === 'stateFile') {
      const old = await writer.readFile(removal.path);
      // A missing state file counts as empty (Kratix retries forever).
      const root = goJoin(dest.path) || '.';
      for (const entry of old ? parseStateFile(old.toString(), `${label}: ${removal.path}`) : []) {
        const full = goJoin(entry);
        if (isWithin(root, full)) plan.delete(full);
      }
      plan.delete(removal.path);
    }
  }

  /** cleanup: all: every placement's files, the aggregate and the canaries; nothing else under the path. */
  private async planCleanup(
    writer: StateStoreWriter,
    d: StoredDestination,
    mine: StoredPlacement[],
    plan: Plan,
    workOf: WorkLookup,
  ) {
    const specs = [d.spec, ...(d.writtenSpec ? [d.writtenSpec] : [])];
    for (const spec of specs) {
      const dest = layoutDestination(d, spec);
      for (const p of mine) await this.planRemoval(writer, dest, p, plan, d.name, workOf);
      if (dest.mode === 'aggregatedYAML') plan.delete(aggregatedFilePath(dest));
      const c = canaryPaths(dest.path, dest.mode);
      plan.delete(c.namespace);
      plan.delete(c.configMap);
    }
    plan.names.push(...mine.map(p => p.name), CANARY_WRITER_NAME);
  }

  private async fail(
    store: StoredStateStore,
    destinations: StoredDestination[],
    placements: StoredPlacement[],
    error: string,
  ): Promise<StoreRunResult> {
    this.logger.warn(`Writing ${store.kind}/${store.name} failed: ${error}`);
    await this.db.setStateStoreStatus(store.ref, { ready: false, message: error });
    for (const d of destinations.filter(x => !x.deletedAt)) {
      await this.db.setDestinationStatus(d.name, false, `Failed to write to State Store: ${error}`);
    }
    for (const p of placements) {
      if (p.status === 'deleting') await this.db.recordDeletingError(p, error);
      else if (isDirty(p)) await this.db.markFailed(p, error);
    }
    return { store: store.ref, skipped: false, written: 0, deleted: 0, error };
  }
}

/** The change set of one run: writes win over deletes of the same path. */
class Plan {
  private readonly writes = new Map<string, Buffer>();
  private readonly deletes = new Set<string>();
  readonly names: string[] = [];

  write(path: string, content: Buffer) {
    this.writes.set(path, content);
  }

  delete(path: string) {
    this.deletes.add(path);
  }

  changes(): Map<string, Buffer | null> {
    const out = new Map<string, Buffer | null>(this.writes);
    for (const d of this.deletes) if (!out.has(d)) out.set(d, null);
    return out;
  }

  /** Kratix's message for one placement, or a summary for a batch. */
  message(onlyDeletes: boolean): string {
    const names = [...new Set(this.names)];
    const verb = onlyDeletes ? 'Delete' : 'Update';
    if (names.length === 1) return `${verb} from: ${names[0]}`;
    if (names.length === 0) return 'Update from: kratix-backstage (full sync)';
    return `Update from: kratix-backstage (${names.length} placements)\n\n${names.map(n => `- ${n}`).join('\n')}\n`;
  }
}
