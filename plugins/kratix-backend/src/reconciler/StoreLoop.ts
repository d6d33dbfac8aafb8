import { randomUUID } from 'node:crypto';
import { LoggerService } from '@backstage/backend-plugin-api';
import type { KratixConfig } from '../config';
import type { KratixStore } from '../database';
import { RunHandedOver, StoreRun } from './store/StoreRun';

/** Runs per lease at most, so one busy store cannot hold its lease forever. */
const MAX_ROUNDS = 5;
/**
 * A store's lease lasts this long unless its holder renews it, which it does
 * every third of it while its run is alive: a replica that crashed (SIGKILL,
 * out of memory) frees its stores within seconds, not after `timeout`.
 */
export const STORE_LEASE_MS = 9000;

/**
 * Decides when stores are written. A change triggers its store at once (no
 * wait for a scheduler poll); a timer runs the stores that are due (one
 * indexed query); a lease in the database makes sure one replica writes a
 * store at a time, and a run that sees new changes runs again.
 */
export class StoreLoop {
  private readonly owner = randomUUID();
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private stopped = false;

  constructor(
    private readonly deps: {
      db: KratixStore;
      run: StoreRun;
      logger: LoggerService;
      config: Pick<KratixConfig, 'reconcile'>;
      /** The lease's lifetime without renewal (tests shorten it). */
      leaseMs?: number;
    },
  ) {}

  /** Every store with changes, a due retry or a due full sync. */
  async tick(): Promise<void> {
    const now = new Date();
    const fullBefore = new Date(now.getTime() - this.deps.config.reconcile.fullSyncIntervalMs);
    const due = await this.deps.db.stateStores.due(now, fullBefore);
    await Promise.all(due.map(ref => this.trigger(ref)));
  }

  /** Writes a store now; if this replica is writing it already, once more afterwards. */
  trigger(ref: string): Promise<void> {
    const current = this.running.get(ref);
    if (current) {
      this.again.add(ref);
      return current;
    }
    const run = this.runLeased(ref)
      .catch(e => this.deps.logger.error(`Store run of ${ref} failed: ${e?.stack ?? e}`))
      .finally(() => {
        this.running.delete(ref);
        if (this.again.delete(ref) && !this.stopped) void this.trigger(ref);
      });
    this.running.set(ref, run);
    return run;
  }

  /**
   * Runs a store under its lease. The lease is short and renewed by a
   * heartbeat while the run is alive, up to `timeout` after the start: a run
   * that takes longer lets the lease lapse, as one whose process died.
   */
  private async runLeased(ref: string): Promise<void> {
    const { db, config } = this.deps;
    const lease = `store:${ref}`;
    const ttl = this.deps.leaseMs ?? STORE_LEASE_MS;
    const deadline = Date.now() + config.reconcile.timeoutMs;
    if (!(await db.coordination.acquire(lease, this.owner, ttl))) return;
    const renew = setInterval(() => {
      if (Date.now() + ttl > deadline) return;
      void db.coordination.acquire(lease, this.owner, ttl).catch(() => undefined);
    }, ttl / 3);
    try {
      for (let round = 0; round < MAX_ROUNDS && !this.stopped; round++) {
        const result = await this.deps.run.run(ref, {
          // A holder whose heartbeat stalled past the lease may have lost the store to another replica.
          beforeWrite: async () => {
            if (!(await db.coordination.acquire(lease, this.owner, ttl)))
              throw new RunHandedOver(`the lease of ${ref} passed to another replica`);
          },
        });
        if (result.error || result.skipped) return;
        const store = await db.stateStores.get(ref);
        if (!store || store.changeSeq <= store.doneSeq) return; // nothing arrived during the run
      }
    } finally {
      clearInterval(renew);
      await db.coordination.release(lease, this.owner).catch(() => undefined);
    }
  }

  /** Waits for the runs in progress (shutdown and tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running.values()]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle();
  }
}
