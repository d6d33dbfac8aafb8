import { LoggerService } from '@backstage/backend-plugin-api';
import { goJoin, stateStoreLabel } from '@kratix-destinations/plugin-kratix-common';
import { storePath } from '../../layout';
import type { KratixConfig } from '../../config';
import {
  KratixStore,
  OwnedFile,
  StoredDestination,
  StoredPlacement,
  StoredStateStore,
  StoredWork,
  workKey,
} from '../../database';
import { StateStoreWriter, StoreSnapshot, WriterFactory } from '../../writers';
import { commitTemplateOf } from '../../config';
import { applyPlan } from './applyPlan';
import { CommitAudit, WriteFacts } from './commitAudit';
import { DriftFinding, findDrift } from './drift';
import { observationNeeds, observeRequest, readStateFiles } from './observe';
import { planStore } from './planStore';
import { PlanContext, PlanDestination, PlanUnit, StorePlan } from './planTypes';
import type { PreviewChange } from '../preview';
import { recordFailure, recordRun, RunTotals, STORE_FAILURE } from './recordRun';
import { clearResolvedDrift, recordDrift } from './recordDrift';
import {
  decide,
  DestinationDecision,
  destinationDirty,
  destinationMoved,
  isActive,
  loadContent,
} from './runInputs';
import { backoffUntil } from './backoff';

export interface StoreRunResult {
  store: string;
  skipped: boolean;
  written: number;
  deleted: number;
  version?: string;
  error?: string;
  /** Placements written, failed and removed, and which ones changed between failing and not. */
  placements?: RunTotals;
  drift?: DriftFinding;
  /** The store failed now and had not before; or works again after failing. */
  storeTransition?: 'failing' | 'recovered';
  /** The placements a whole-run failure marked failed (for the first time). */
  newlyFailed?: RunTotals['newlyFailed'];
  /**
   * Entity refs of the Destinations a whole-run failure reached for the first
   * time: all of them when the store starts failing, and any that joined it since.
   */
  newlyFailingDestinations?: string[];
}

/** Told after each run, to publish status (signals) and tell owners (notifications). */
export type StoreRunListener = (ref: string, result: StoreRunResult) => void;

export interface StoreRunDeps {
  db: KratixStore;
  writers: WriterFactory;
  logger: LoggerService;
  config: Pick<KratixConfig, 'reconcile' | 'drift'> & Partial<Pick<KratixConfig, 'commitMessages'>>;
  onRun?: StoreRunListener;
}

/** A work not yet stored, laid over the store's placements for a preview. */
export interface Overlay {
  work: StoredWork;
  files: Map<string, { path: string; content: Buffer }[]>;
  placements: StoredPlacement[];
}

/** Thrown by `beforeWrite` when another replica now writes the store: this run stops, nothing failed. */
export class RunHandedOver extends Error {}

/** What a run prepared before writing: the plan and how it was made. */
interface Prepared {
  plan: StorePlan;
  retrying: Set<string>;
  drift?: DriftFinding;
  actors: Map<string, string | undefined>;
  /** Who asked for each placement's files, by placement name: commit messages and object metadata. */
  facts: Map<string, WriteFacts[]>;
}

/**
 * One run of one State Store, in four steps: observe what the store holds
 * for the Destinations concerned, plan (pure) desired against observed,
 * apply with one writer call, record every outcome in one transaction.
 */
export class StoreRun {
  private readonly validated = new WeakSet<StateStoreWriter>();

  constructor(private readonly deps: StoreRunDeps) {}

  private fullDue(store: StoredStateStore): boolean {
    if (!store.lastFullSyncAt) return true;
    return (
      Date.now() - Date.parse(store.lastFullSyncAt) >= this.deps.config.reconcile.fullSyncIntervalMs
    );
  }

  /**
   * One run of a store. `beforeWrite` is awaited just before the store is
   * written and may throw to stop the run there (the loop checks that its
   * lease is still its own).
   */
  async run(
    ref: string,
    options: { full?: boolean; beforeWrite?: () => Promise<void> } = {},
  ): Promise<StoreRunResult> {
    const { db } = this.deps;
    const started = Date.now();
    const store = await db.stateStores.get(ref);
    if (!store || store.deletedAt) return this.storeGone(ref);
    const full = Boolean(options.full) || this.fullDue(store);
    const destinations = await db.destinations.list({ stateStore: ref, includeDeleted: true });
    const placements = await this.placementsOf(ref, destinations, full);
    const retry =
      store.failures > 0 ||
      (store.retryAt !== undefined && Date.parse(store.retryAt) <= Date.now());
    if (!full && !retry && placements.length === 0 && !destinations.some(destinationDirty)) {
      await db.stateStores.markDone(ref, store.changeSeq);
      return { store: ref, skipped: true, written: 0, deleted: 0 };
    }
    let writer: StateStoreWriter;
    const phases: Phases = {};
    try {
      writer = this.deps.writers.get(store);
      // Access is checked once per writer (a new or changed store) and after failures,
      // not on every full sync: the check itself creates an upload on buckets.
      if (store.failures > 0 || !this.validated.has(writer)) {
        await writer.validatePermissions();
        this.validated.add(writer);
      }
      await timed(phases, 'fetch', () => writer.refresh());
    } catch (e: any) {
      return this.fail(store, destinations, placements, e);
    }
    try {
      return await this.writeStore(store, writer, {
        destinations,
        placements,
        full,
        started,
        phases,
        beforeWrite: options.beforeWrite,
      });
    } catch (e: any) {
      if (e instanceof RunHandedOver) return { store: ref, skipped: true, written: 0, deleted: 0 };
      return this.fail(store, destinations, placements, e);
    }
  }

  /** The placements a run looks at: dirty ones, or all on a full sync, and all of moved or deleted Destinations. */
  private async placementsOf(
    ref: string,
    destinations: StoredDestination[],
    full: boolean,
  ): Promise<StoredPlacement[]> {
    const { db } = this.deps;
    if (full) return db.placements.list({ stateStore: ref });
    const dirty = await db.placements.list({ stateStore: ref, dirty: true });
    const whole = destinations
      .filter(
        d => (d.deletedAt && d.spec.cleanup === 'all') || (!d.deletedAt && destinationMoved(d)),
      )
      .map(d => d.name);
    if (whole.length === 0) return dirty;
    const more = await db.placements.list({ destinations: whole });
    const seen = new Set(dirty.map(p => `${p.namespace}/${p.name}`));
    return [...dirty, ...more.filter(p => !seen.has(`${p.namespace}/${p.name}`))];
  }

  private async writeStore(
    store: StoredStateStore,
    writer: StateStoreWriter,
    run: RunScope,
  ): Promise<StoreRunResult> {
    const { destinations, placements, full, started, phases } = run;
    const prepared = await timed(phases, 'plan', () =>
      this.prepare(store, writer, destinations, placements, full),
    );
    await run.beforeWrite?.();
    const applied = await timed(phases, 'apply', () =>
      applyPlan(
        writer,
        prepared.plan,
        prepared.retrying,
        new CommitAudit(commitTemplateOf(this.deps.config, store.ref), prepared.facts),
      ),
    );
    const totals = await timed(phases, 'record', () =>
      recordRun(this.deps.db, {
        store,
        plan: prepared.plan,
        applied,
        destinations: new Map(destinations.map(d => [d.name, d])),
        full,
        startSeq: store.changeSeq,
        tip: writer.currentVersion?.(),
        actors: prepared.actors,
      }),
    );
    if (prepared.drift)
      await recordDrift(
        this.deps.db,
        store,
        prepared.drift,
        this.deps.config.drift,
        writer.currentVersion?.(),
      );
    if (full) await clearResolvedDrift(this.deps.db, store, destinations, prepared.drift);
    const label = stateStoreLabel(store.ref);
    if (applied.written + applied.deleted > 0) {
      this.deps.logger.info(
        `${label}: wrote ${applied.written} and deleted ${applied.deleted} files (${applied.version ?? 'no new version'})`,
      );
    }
    if (full) {
      this.deps.logger.info(
        `${label}: full sync of ${placements.length} placements on ${destinations.length} Destinations in ${Date.now() - started} ms (${describePhases(phases)})`,
      );
    }
    for (const [unit, error] of applied.failedUnits)
      this.deps.logger.warn(`${label}: ${unit} failed: ${error}`);
    const result: StoreRunResult = {
      store: store.ref,
      skipped: false,
      written: applied.written,
      deleted: applied.deleted,
      version: applied.version,
      placements: totals,
      drift: prepared.drift,
      storeTransition: store.failures > 0 ? 'recovered' : undefined,
    };
    this.deps.onRun?.(store.ref, result);
    return result;
  }

  /** Observe, find drift, decide, read contents and plan. */
  private async prepare(
    store: StoredStateStore,
    writer: StateStoreWriter,
    destinations: StoredDestination[],
    placements: StoredPlacement[],
    full: boolean,
  ): Promise<Prepared> {
    const owned = await this.ownedFiles(store, destinations, placements, full);
    const fullSnapshot = full
      ? await writer.observe({ full: true, dirs: [], paths: [], known: new Map(), verify: [] })
      : undefined;
    const drift = await this.detectDrift(
      store,
      writer,
      placements,
      destinations,
      owned,
      fullSnapshot,
    );
    const extraWrites = new Set<string>();
    if (drift && this.deps.config.drift === 'repair')
      for (const k of drift.placements.keys()) extraWrites.add(k);
    if (full) for (const k of await this.unindexed(store, placements)) extraWrites.add(k);
    const decisions = decide(destinations, placements, {
      full,
      extraWrites,
      destinationsToSettle:
        drift && this.deps.config.drift === 'repair'
          ? new Set(drift.destinations.keys())
          : undefined,
    });
    const aggregates = await this.aggregatesOf(decisions);
    const { plan, planDestinations } = await this.planDecisions(
      store,
      writer,
      decisions,
      aggregates,
      owned,
      fullSnapshot,
    );
    return { plan, drift, ...whoWrites(planDestinations) };
  }

  /** The files this run may touch: the store's, or those of the Destinations concerned. */
  private async ownedFiles(
    store: StoredStateStore,
    destinations: StoredDestination[],
    placements: StoredPlacement[],
    full: boolean,
  ): Promise<Map<string, OwnedFile>> {
    const concerned = full
      ? undefined
      : [
          ...new Set(
            placements
              .map(p => p.destination)
              .concat(destinations.filter(destinationDirty).map(d => d.name)),
          ),
        ];
    const list = await this.deps.db.ownedFiles.list({ store: store.ref, destinations: concerned });
    return new Map(list.map(f => [f.path, f]));
  }

  /** Reads contents, observes the store where it must and plans: shared by runs and previews. */
  private async planDecisions(
    store: StoredStateStore,
    writer: StateStoreWriter,
    decisions: DestinationDecision[],
    aggregates: Map<string, StoredPlacement[]>,
    owned: Map<string, OwnedFile>,
    fullSnapshot?: StoreSnapshot,
    overlay?: Overlay,
  ): Promise<{ plan: StorePlan; planDestinations: PlanDestination[]; snapshot: StoreSnapshot }> {
    const { db } = this.deps;
    const planDestinations = await loadContent(db, decisions, aggregates, overlay);
    const needs = observationNeeds(planDestinations);
    const stateFiles = await readStateFiles(writer, needs.stateFiles.keys());
    const snapshot =
      fullSnapshot ??
      (await writer.observe(observeRequest(false, needs, stateFiles, owned, planDestinations)));
    const claims = await db.claims.ofDestinations(
      planDestinations.filter(d => d.layout.mode === 'none').map(d => d.name),
    );
    const ctx: PlanContext = {
      store: store.ref,
      snapshot,
      digest: c => writer.digest(c),
      stateFiles,
      owned,
      claimedByOther: (destination, path, self) => {
        const holder = claims.get(destination)?.get(path);
        return (
          Boolean(holder) && (holder!.namespace !== self.namespace || holder!.name !== self.name)
        );
      },
      storeRoot: (store.spec as { path?: string }).path ?? '',
      maxKeyBytes: store.kind === 'BucketStateStore' ? 1024 : undefined,
    };
    return { plan: planStore(ctx, planDestinations), planDestinations, snapshot };
  }

  /** Every active placement of the aggregated Destinations being rebuilt. */
  private async aggregatesOf(
    decisions: DestinationDecision[],
    replace?: Overlay,
  ): Promise<Map<string, StoredPlacement[]>> {
    const aggregated = decisions.filter(x => x.rebuildAggregate).map(x => x.destination.name);
    const out = new Map<string, StoredPlacement[]>();
    if (aggregated.length === 0) return out;
    const own = replace ? workKey(replace.work) : undefined;
    const rows = await this.deps.db.placements.list({ destinations: aggregated });
    const mine = replace ? replace.placements.filter(p => aggregated.includes(p.destination)) : [];
    for (const p of [...rows.filter(r => `${r.workNamespace}/${r.workName}` !== own), ...mine]) {
      if (!isActive(p)) continue;
      const list = out.get(p.destination) ?? [];
      list.push(p);
      out.set(p.destination, list);
    }
    return out;
  }

  /**
   * What the store would change if a work (the overlay) were written, per
   * Destination, with the bytes before and after: the same observation and
   * planner as a run, and nothing applied.
   */
  async preview(ref: string, overlay: Overlay): Promise<Map<string, PreviewChange[]>> {
    const { db } = this.deps;
    const store = await db.stateStores.get(ref);
    if (!store || store.deletedAt) return new Map();
    const writer = this.deps.writers.get(store);
    await writer.refresh();
    const destinations = await db.destinations.list({ stateStore: ref });
    const decisions = decide(destinations, overlay.placements, { full: false });
    const owned = new Map<string, OwnedFile>();
    for (const f of await db.ownedFiles.list({
      store: ref,
      destinations: decisions.map(x => x.destination.name),
    }))
      owned.set(f.path, f);
    const { plan, snapshot } = await this.planDecisions(
      store,
      writer,
      decisions,
      await this.aggregatesOf(decisions, overlay),
      owned,
      undefined,
      overlay,
    );
    const out = new Map<string, PreviewChange[]>();
    const destinationOf = (unit: PlanUnit) =>
      unit.written[0]?.placement.destination ??
      unit.removed[0]?.destination ??
      [...unit.destinations, ...unit.cleaned][0] ??
      unit.name.replace(/^destination:/, '');
    for (const unit of plan.units.values()) {
      for (const path of unit.paths) {
        const after = plan.changes.get(path);
        if (after === undefined) continue;
        const before =
          snapshot.digest(path) !== undefined ? await writer.readFile(path) : undefined;
        const list = out.get(destinationOf(unit)) ?? [];
        // Shown as a path in the repository or bucket, with the store's own prefix.
        list.push({
          path: storePath(goJoin((store.spec as { path?: string }).path ?? '', path)),
          before,
          after,
        });
        out.set(destinationOf(unit), list);
      }
    }
    for (const f of plan.failed) {
      const list = out.get(f.placement.destination) ?? [];
      list.push({
        path: `(placement ${f.placement.name} cannot be written: ${f.error})`,
        after: undefined,
      });
      out.set(f.placement.destination, list);
    }
    return out;
  }

  /** Foreign changes to owned files: since the last run (Git), or everywhere (full sync). */
  private async detectDrift(
    store: StoredStateStore,
    writer: StateStoreWriter,
    placements: StoredPlacement[],
    destinations: StoredDestination[],
    owned: Map<string, OwnedFile>,
    fullSnapshot: Awaited<ReturnType<StateStoreWriter['observe']>> | undefined,
  ): Promise<DriftFinding | undefined> {
    const active = new Set(destinations.filter(d => !d.deletedAt).map(d => d.name));
    const ownedDirs = placements
      .filter(
        p =>
          p.written?.mode === 'nestedByMetadata' &&
          p.written.store === store.ref &&
          p.status === 'written',
      )
      .map(p => ({
        dir: p.written!.path,
        key: { namespace: p.namespace, name: p.name },
        destination: p.destination,
      }));
    let finding: DriftFinding | undefined;
    if (fullSnapshot) {
      finding = findDrift(
        [...owned.values()].filter(f => active.has(f.destination)),
        fullSnapshot,
        undefined,
        ownedDirs,
      );
    } else if (writer.changesSince && store.lastSeenTip) {
      const { paths } = await writer.changesSince(store.lastSeenTip);
      if (paths.length === 0) return undefined;
      const touched = await this.deps.db.ownedFiles.atPaths(store.ref, paths);
      for (const f of touched) owned.set(f.path, f);
      const snapshot = await writer.observe({
        full: false,
        dirs: [],
        paths,
        known: new Map(),
        verify: [],
      });
      finding = findDrift(
        touched.filter(f => active.has(f.destination)),
        snapshot,
        new Set(paths),
      );
    }
    if (!finding || (finding.placements.size === 0 && finding.destinations.size === 0))
      return undefined;
    return finding;
  }

  /** Written placements the owned-files index has never seen (written before it existed): laid out once more. */
  private async unindexed(
    store: StoredStateStore,
    placements: StoredPlacement[],
  ): Promise<string[]> {
    const indexed = await this.deps.db.ownedFiles.indexedPlacements(store.ref);
    return placements
      .filter(p => p.status === 'written' && !indexed.has(`${p.namespace}/${p.name}`))
      .map(p => `${p.namespace}/${p.name}`);
  }

  private async fail(
    store: StoredStateStore,
    destinations: StoredDestination[],
    placements: StoredPlacement[],
    e: any,
  ): Promise<StoreRunResult> {
    const error = String(e?.message ?? e);
    const retryAt = backoffUntil(store.failures + 1, this.deps.config.reconcile);
    this.deps.logger.warn(
      `Writing ${stateStoreLabel(store.ref)} failed: ${error}; next try at ${retryAt.toISOString()}`,
    );
    await recordFailure(this.deps.db, store, destinations, placements, error, retryAt);
    const result: StoreRunResult = {
      store: store.ref,
      skipped: false,
      written: 0,
      deleted: 0,
      error,
      storeTransition: store.failures === 0 ? 'failing' : undefined,
      newlyFailingDestinations: destinations
        .filter(d => !d.deletedAt && !d.message?.startsWith(STORE_FAILURE))
        .map(d => d.entityRef),
      newlyFailed: placements
        .filter(p => p.dirty && p.status !== 'failed' && p.status !== 'deleting')
        .map(placement => ({ placement, error })),
    };
    this.deps.onRun?.(store.ref, result);
    return result;
  }

  /** The store left the catalog: its Destinations cannot be written; deleted ones cannot be cleaned up. */
  private async storeGone(ref: string): Promise<StoreRunResult> {
    const { db } = this.deps;
    const destinations = await db.destinations.list({ stateStore: ref, includeDeleted: true });
    const label = stateStoreLabel(ref);
    await db.destinations.setStatus(
      destinations
        .filter(d => !d.deletedAt)
        .map(d => ({
          name: d.name,
          ready: false,
          message: `${label}: not found; add the ${label.split('/')[0]} named "${label.split('/')[1]}" to the catalog or fix spec.stateStoreRef`,
        })),
      ref,
    );
    const gone = destinations.filter(d => d.deletedAt).map(d => d.name);
    for (const name of gone) await db.placements.orphanDestination(name);
    await db.destinations.remove(gone);
    return { store: ref, skipped: true, written: 0, deleted: 0 };
  }
}

/** Which written placements are retries, and on whose behalf each is written. */
function whoWrites(planDestinations: PlanDestination[]) {
  const retrying = new Set(
    planDestinations.flatMap(d =>
      d.write
        .filter(p => p.stored.status === 'failed')
        .map(p => `placement:${p.stored.namespace}/${p.stored.name}`),
    ),
  );
  const actors = new Map(
    planDestinations.flatMap(d =>
      d.write.map(p => [`${p.stored.namespace}/${p.stored.name}`, p.actor] as const),
    ),
  );
  const facts = new Map<string, WriteFacts[]>();
  for (const d of planDestinations) {
    for (const p of [...d.write, ...d.remove]) {
      facts.set(p.name, [
        ...(facts.get(p.name) ?? []),
        {
          placement: `${p.stored.namespace}/${p.stored.name}`,
          work: `${p.work.namespace}/${p.work.name}`,
          promise: p.promise,
          resource: p.resource || undefined,
          destination: d.name,
          user: p.actor,
          annotations: p.annotations ?? {},
        },
      ]);
    }
  }
  return { retrying, actors, facts };
}

/** Milliseconds per step of a run, for the full sync's log line. */
type Phases = Partial<Record<'fetch' | 'plan' | 'apply' | 'record', number>>;

interface RunScope {
  destinations: StoredDestination[];
  placements: StoredPlacement[];
  full: boolean;
  started: number;
  phases: Phases;
  beforeWrite?: () => Promise<void>;
}

async function timed<T>(phases: Phases, step: keyof Phases, fn: () => Promise<T>): Promise<T> {
  const start = Date.now();
  try {
    return await fn();
  } finally {
    phases[step] = Date.now() - start;
  }
}

function describePhases(phases: Phases): string {
  return Object.entries(phases)
    .map(([step, ms]) => `${step} ${ms} ms`)
    .join(', ');
}
