import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { HumanDuration } from '@backstage/types';
import { KratixDatabase } from '../database';
import { CatalogSync } from './CatalogSync';
import { WorkScheduler } from './WorkScheduler';
import { StoreReconciler } from './StoreReconciler';
import { storeTaskId } from './refs';

export interface ReconcilerOptions {
  /** How often each State Store is checked for work. */
  frequency: HumanDuration;
  /** How often the catalog is read and works scheduled. */
  catalogFrequency: HumanDuration;
  timeout: HumanDuration;
}

/**
 * Wires the loop on Backstage's scheduler. One global task syncs the catalog
 * and schedules works; each State Store has its own global task, so replicas
 * sharing a database share the stores and no store is written by two at once.
 */
export class Reconciler {
  private readonly registered = new Set<string>();

  constructor(
    private readonly db: KratixDatabase,
    private readonly sync: CatalogSync,
    private readonly workScheduler: WorkScheduler,
    private readonly stores: StoreReconciler,
    private readonly scheduler: SchedulerService,
    private readonly logger: LoggerService,
    private readonly options: ReconcilerOptions,
  ) {}

  async start(): Promise<void> {
    await this.scheduler.scheduleTask({
      id: 'kratix-catalog-sync',
      frequency: this.options.catalogFrequency,
      timeout: this.options.timeout,
      initialDelay: { seconds: 1 },
      scope: 'global',
      fn: async () => {
        await this.syncAndSchedule();
      },
    });
    // Every replica registers the per-store tasks it learns of from the database.
    await this.scheduler.scheduleTask({
      id: 'kratix-register-store-tasks',
      frequency: this.options.frequency,
      timeout: this.options.timeout,
      scope: 'local',
      fn: async () => {
        await this.registerStoreTasks();
      },
    });
  }

  /** Catalog to database, then works to placements; triggers the stores that have new work. */
  async syncAndSchedule(): Promise<void> {
    const { deleted } = await this.sync.run();
    const touched = await this.workScheduler.run();
    await this.registerStoreTasks();
    const destinations = await this.db.listDestinations({ includeDeleted: true });
    for (const name of deleted) {
      const d = destinations.find(x => x.name === name);
      if (d) touched.add(d.stateStore);
    }
    for (const ref of touched) await this.trigger(ref);
  }

  async registerStoreTasks(): Promise<void> {
    for (const store of await this.db.listStateStores()) {
      if (this.registered.has(store.ref)) continue;
      this.registered.add(store.ref);
      await this.scheduler.scheduleTask({
        id: storeTaskId(store.ref),
        frequency: this.options.frequency,
        timeout: this.options.timeout,
        scope: 'global',
        fn: async () => {
          await this.writeStore(store.ref);
        },
      });
    }
  }

  /** Writes a store until nothing is left to do (work that arrived during a run is not left for the timer). */
  async writeStore(ref: string, opts: { full?: boolean } = {}): Promise<void> {
    let full = opts.full;
    for (let round = 0; round < 3; round++) {
      const result = await this.stores.run(ref, { full });
      full = false;
      if (result.error || result.skipped) return;
      if ((await this.db.pendingCount(ref)) === 0) return;
    }
  }

  /** Asks for a store's task to run now; when it is running already, its loop picks the change up. */
  async trigger(ref: string): Promise<void> {
    if (!this.registered.has(ref)) await this.registerStoreTasks();
    try {
      await this.scheduler.triggerTask(storeTaskId(ref));
    } catch (e: any) {
      if (e?.name !== 'ConflictError' && e?.name !== 'NotFoundError') throw e;
      this.logger.debug(`Could not trigger ${storeTaskId(ref)} now: ${e.message}`);
    }
  }
}
