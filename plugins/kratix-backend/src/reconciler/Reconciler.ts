import { randomUUID } from 'node:crypto';
import { AuthService, LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import type { KratixConfig } from '../config';
import type { KratixStore } from '../database';
import type { WriterFactory } from '../writers';
import { CatalogSync } from './CatalogSync';
import { DestinationCache } from './DestinationCache';
import { StoreBrowser } from './StoreBrowser';
import { StoreLoop } from './StoreLoop';
import { StoreRun, StoreRunListener } from './store/StoreRun';
import { WorkIntake } from './WorkIntake';
import { PlacementPermit, WorkScheduler } from './WorkScheduler';

/** How long a change signal waits, for the rest of its burst and the catalog's stitching. */
const SIGNAL_DELAY_MS = 1000;

export interface ReconcilerDeps {
  db: KratixStore;
  catalog: CatalogService;
  auth: AuthService;
  logger: LoggerService;
  scheduler: SchedulerService;
  writers: WriterFactory;
  config: KratixConfig;
  /** Where works may be placed later, by their owner's permissions. */
  permit?: PlacementPermit;
  onRun?: StoreRunListener;
}

/**
 * Composes the loop: catalog + works -> schedule -> plan -> write -> status.
 * The HTTP layer reaches it only through `intake`.
 */
export class Reconciler {
  readonly intake: WorkIntake;
  readonly stores: StoreLoop;
  readonly run: StoreRun;
  /** Read-only: what the stores hold (the Files view). */
  readonly browse: StoreBrowser;
  private readonly sync: CatalogSync;
  private readonly workScheduler: WorkScheduler;
  private readonly owner = randomUUID();
  private signalled?: NodeJS.Timeout;
  private syncing?: Promise<void>;
  private syncAgain = false;
  private stopped = false;

  /** Where a store's credentials come from (never a value), for its page. */
  readonly credentialSource = (store: Parameters<WriterFactory['credentialSource']>[0]) =>
    this.deps.writers.credentialSource(store);

  constructor(private readonly deps: ReconcilerDeps) {
    const { db, logger, config } = deps;
    this.workScheduler = new WorkScheduler(db, logger, deps.permit);
    this.run = new StoreRun({ db, writers: deps.writers, logger, config, onRun: deps.onRun });
    this.stores = new StoreLoop({ db, run: this.run, logger, config });
    this.browse = new StoreBrowser(db, deps.writers);
    this.sync = new CatalogSync({
      db,
      catalog: deps.catalog,
      auth: deps.auth,
      logger,
      orphanGraceMs: config.orphanGraceMs,
      fullReadIntervalMs: config.reconcile.catalogReadIntervalMs,
    });
    this.intake = new WorkIntake({
      db,
      scheduler: this.workScheduler,
      destinations: new DestinationCache(db),
      loop: this.stores,
      run: this.run,
    });
  }

  async start(): Promise<void> {
    const { reconcile } = this.deps.config;
    await this.deps.scheduler.scheduleTask({
      id: 'kratix-catalog-sync',
      frequency: reconcile.catalogFrequency,
      timeout: { milliseconds: reconcile.timeoutMs },
      initialDelay: { seconds: 1 },
      scope: 'local',
      fn: () => this.syncCatalog(),
    });
    await this.deps.scheduler.scheduleTask({
      id: 'kratix-store-loop',
      frequency: reconcile.frequency,
      timeout: { milliseconds: reconcile.timeoutMs },
      initialDelay: { seconds: 2 },
      scope: 'local',
      fn: () => this.stores.tick(),
    });
  }

  /**
   * Catalog to database, then works to placements when Destinations changed.
   * One sync at a time in this replica (the timer and a change signal both
   * call it; a call during a sync runs it once more afterwards), and one
   * replica at a time by the lease.
   */
  syncCatalog(): Promise<void> {
    if (this.syncing) {
      this.syncAgain = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      try {
        do {
          this.syncAgain = false;
          await this.syncCatalogOnce();
        } while (this.syncAgain && !this.stopped);
      } finally {
        this.syncing = undefined;
      }
    })();
    return this.syncing;
  }

  private async syncCatalogOnce(): Promise<void> {
    const { db } = this.deps;
    const lease = 'catalog-sync';
    if (!(await db.coordination.acquire(lease, this.owner, this.deps.config.reconcile.timeoutMs)))
      return;
    try {
      const result = await this.sync.run();
      const touched = result.rescheduled
        ? await this.workScheduler.scheduleAll()
        : new Set<string>();
      for (const ref of new Set([...result.touched, ...touched])) void this.stores.trigger(ref);
    } finally {
      await db.coordination.release(lease, this.owner);
    }
  }

  /**
   * The catalog module processed a changed Destination or State Store: sync
   * shortly (signals in a burst share one run). If the catalog has not stitched
   * the change yet, the next cycles read again until it shows.
   */
  catalogChanged(entityRef?: string, content?: string): void {
    this.sync.noteChange(entityRef, content);
    if (this.signalled || this.stopped) return;
    this.signalled = setTimeout(() => {
      this.signalled = undefined;
      this.syncCatalog().catch(e =>
        this.deps.logger.warn(`Catalog sync after a change signal failed: ${e}`),
      );
    }, SIGNAL_DELAY_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.signalled);
    this.signalled = undefined;
    await this.syncing?.catch(() => undefined);
    await this.stores.stop();
  }
}
