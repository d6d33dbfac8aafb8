import type {
  KratixStore,
  PlacementEvent,
  PlacementKey,
  StoredDestination,
  StoredPlacement,
  StoredStateStore,
  WrittenOutcome,
} from '../../database';
import { ApplyOutcome } from './applyPlan';
import { effectiveLayout } from '../../layout';
import { StorePlan } from './planTypes';

export interface RunRecord {
  store: StoredStateStore;
  plan: StorePlan;
  applied: ApplyOutcome;
  destinations: Map<string, StoredDestination>;
  full: boolean;
  /** The store's change counter when the run started. */
  startSeq: number;
  tip?: string;
  /** Who caused the write (a work's submitter), per placement, for the history. */
  actors: Map<string, string | undefined>;
}

export interface RunTotals {
  written: number;
  failed: number;
  removed: number;
  /** Placements that failed now and had not before (told once, not on every retry). */
  newlyFailed: { placement: StoredPlacement; error: string }[];
  /** Placements written now that had failed before. */
  recovered: StoredPlacement[];
  /** Deleted Destinations whose cleanup finished in this run. */
  cleanedDestinations: string[];
  /** The works whose placements this run wrote, failed or removed. */
  works: { namespace: string; name: string }[];
}

const key = (p: PlacementKey) => `${p.namespace}/${p.name}`;

function event(
  p: StoredPlacement,
  action: PlacementEvent['action'],
  extra: Partial<PlacementEvent>,
): PlacementEvent {
  return {
    placement: { namespace: p.namespace, name: p.name },
    work: { namespace: p.workNamespace, name: p.workName },
    destination: p.destination,
    stateStore: p.stateStore,
    action,
    at: new Date().toISOString(),
    ...extra,
  };
}

function destinationStatus(
  d: StoredDestination,
  failed?: string,
): { ready: boolean; message: string } {
  if (failed)
    return { ready: false, message: `Failed to write test documents to State Store: ${failed}` };
  const written = effectiveLayout(d).mode;
  if (written !== d.spec.filepath.mode) {
    return {
      ready: false,
      message: `spec.filepath.mode is immutable: still writing ${written}; delete the Destination and create it again to change its mode`,
    };
  }
  return d.spec.initWorkloads.enabled
    ? { ready: true, message: 'Test documents written to State Store' }
    : { ready: true, message: 'Destination is ready' };
}

/**
 * A store that takes writes is ready; when it refused some content in this
 * run (a pre-receive hook, a server rule), its page says so in the server's
 * own words until a run without refusals.
 */
function readyMessage(refusals: Map<string, string>): string {
  if (refusals.size === 0) return 'State store is ready';
  const what = refusals.size === 1 ? '1 placement' : `${refusals.size} placements`;
  return `State store is ready, but it refused the changes of ${what}: ${[...refusals.values()][0]}`;
}

/** How a Destination's message says that its store refused some of its placements' changes. */
const REFUSED = ', but its State Store refused the changes of ';

/**
 * A Destination whose placements' changes the store refused stays ready and
 * says why in the server's own words; one whose placements are written
 * again without a refusal gets its plain message back.
 */
function refusalStatuses(r: RunRecord, o: Outcomes) {
  const refused = new Map<string, string[]>();
  for (const u of o.bad) {
    const reason = r.applied.refusals.get(u.name);
    if (!reason) continue;
    for (const p of [...u.written.map(w => w.placement), ...u.removed])
      refused.set(p.destination, [...(refused.get(p.destination) ?? []), `${p.name}: ${reason}`]);
  }
  const statuses: { name: string; ready: boolean; message: string }[] = [];
  for (const [name, reasons] of refused) {
    const d = r.destinations.get(name);
    const plain = d && destinationStatus(d);
    if (plain?.ready)
      statuses.push({ name, ready: true, message: `${plain.message}${REFUSED}${reasons[0]}` });
  }
  for (const name of new Set(o.written.map(w => w.placement.destination))) {
    const d = r.destinations.get(name);
    if (d && !refused.has(name) && d.message?.includes(REFUSED))
      statuses.push({ name, ...destinationStatus(d) });
  }
  return statuses;
}

/** Records a run's outcome in one transaction: placements, owned files, Destinations, the store, history. */
type Unit = StorePlan['units'] extends Map<string, infer U> ? U : never;

/** What the run did, per placement: written, failed (planned or refused), removed; and cleaned Destinations. */
function outcomes(r: RunRecord) {
  const ok = [...r.plan.units.values()].filter(u => !r.applied.failedUnits.has(u.name));
  const bad = [...r.plan.units.values()].filter(u => r.applied.failedUnits.has(u.name));
  const written: WrittenOutcome[] = ok.flatMap(u =>
    u.written.map(w => ({
      placement: w.placement,
      location: w.location,
      version: u.paths.size > 0 ? r.applied.version : (w.placement.version ?? r.store.lastVersion),
    })),
  );
  const refused = bad.flatMap(u =>
    [...u.written.map(w => w.placement), ...u.removed].map(placement => ({
      placement,
      error: r.applied.failedUnits.get(u.name)!,
    })),
  );
  const failed = [...r.plan.failed, ...refused];
  const removed = ok.flatMap(u => u.removed);
  const failedDestinations = new Set(failed.map(f => f.placement.destination));
  const cleaned = ok.flatMap(u => [...u.cleaned]).filter(n => !failedDestinations.has(n));
  const owned = ok.flatMap(u => u.owned.put);
  return { ok, bad, written, failed, removed, cleaned, owned };
}

type Outcomes = ReturnType<typeof outcomes>;

/**
 * A Destination can move to another store while a run of the old one is in
 * flight: what the run wrote or failed for it is not recorded (the new store
 * writes it), and the files it wrote are not claimed as owned by the old
 * store (the move already forgot them). Its removals stand: those files are gone.
 */
async function stillOnStore(tx: KratixStore, r: RunRecord, o: Outcomes): Promise<Outcomes> {
  const names = new Set(o.owned.map(f => f.destination));
  const destinations = await tx.destinations.onStore(r.store.ref, [...names]);
  const placements = await tx.placements.onStore(r.store.ref, [
    ...o.written.map(w => w.placement),
    ...o.failed.map(f => f.placement),
  ]);
  return {
    ...o,
    written: o.written.filter(w => placements.has(key(w.placement))),
    failed: o.failed.filter(f => placements.has(key(f.placement))),
    owned: o.owned.filter(f => destinations.has(f.destination)),
  };
}

function historyOf(r: RunRecord, o: Outcomes): PlacementEvent[] {
  return [
    ...o.written.map(w =>
      event(w.placement, 'written', { version: w.version, actor: r.actors.get(key(w.placement)) }),
    ),
    ...o.removed.map(p => event(p, 'removed', { version: r.applied.version })),
    ...o.failed.map(f => event(f.placement, 'failed', { message: f.error })),
  ];
}

/** Every outcome of the run in one transaction. */
async function recordOutcomes(tx: KratixStore, r: RunRecord, o: Outcomes): Promise<void> {
  for (const u of o.ok) await tx.ownedFiles.delete(r.store.ref, u.owned.delete);
  await tx.ownedFiles.put(o.owned);
  await tx.placements.markWritten(o.written);
  const ref = r.store.ref;
  await tx.placements.markFailed(
    o.failed.map(f => ({ placement: f.placement, error: f.error })),
    ref,
  );
  const dropped = await tx.placements.remove(o.removed, ref, o.cleaned);
  await tx.claims.release(dropped);
  await tx.ownedFiles.forgetPlacements(ref, o.removed);
  await settleDestinations(
    tx,
    r,
    o.ok.flatMap(u => [...u.destinations]),
    o.bad,
  );
  for (const name of o.cleaned) {
    await tx.placements.orphanDestination(name);
    await tx.ownedFiles.forgetDestination(name);
  }
  await tx.destinations.remove(o.cleaned);
  await tx.works.purgeDeleted(
    o.removed.map(p => ({ namespace: p.workNamespace, name: p.workName })),
  );
  await tx.destinations.setStatus(refusalStatuses(r, o), r.store.ref);
  await tx.events.add(historyOf(r, o));
  await tx.stateStores.setOutcome(r.store.ref, {
    ready: true,
    message: readyMessage(r.applied.refusals),
    version: r.applied.version,
    written: r.applied.written + r.applied.deleted > 0,
    fullSync: r.full,
    doneSeq: r.startSeq,
    tip: r.tip,
    retryAt: null,
  });
}

export async function recordRun(db: KratixStore, r: RunRecord): Promise<RunTotals> {
  const o = await db.transaction(async tx => {
    const kept = await stillOnStore(tx, r, outcomes(r));
    await recordOutcomes(tx, r, kept);
    return kept;
  });
  await db.events.prune([...o.written.map(w => w.placement), ...o.failed.map(f => f.placement)]);
  return {
    written: o.written.length,
    failed: o.failed.length,
    removed: o.removed.length,
    newlyFailed: o.failed.filter(f => f.placement.status !== 'failed'),
    recovered: o.written.filter(w => w.placement.status === 'failed').map(w => w.placement),
    cleanedDestinations: o.cleaned,
    works: [
      ...new Map(
        [...o.written.map(w => w.placement), ...o.failed.map(f => f.placement), ...o.removed].map(
          p => [
            `${p.workNamespace}/${p.workName}`,
            { namespace: p.workNamespace, name: p.workName },
          ],
        ),
      ).values(),
    ],
  };
}

async function settleDestinations(
  tx: KratixStore,
  r: RunRecord,
  settled: string[],
  bad: Unit[],
): Promise<void> {
  const statuses: { name: string; ready: boolean; message: string }[] = [];
  const writtenSpecs: { name: string; specHash: string; spec: unknown; store: string }[] = [];
  for (const name of new Set(settled)) {
    const d = r.destinations.get(name);
    if (!d || d.deletedAt) continue;
    statuses.push({ name, ...destinationStatus(d) });
    if (d.written && d.written.specHash === d.specHash && d.written.store === d.stateStore)
      continue;
    const layout = effectiveLayout(d);
    const spec = {
      ...d.spec,
      filepath: { mode: layout.mode, ...(layout.filename ? { filename: layout.filename } : {}) },
    };
    writtenSpecs.push({ name, specHash: d.specHash, spec, store: d.stateStore });
  }
  for (const u of bad) {
    for (const name of u.destinations) {
      const d = r.destinations.get(name);
      if (d && !d.deletedAt)
        statuses.push({ name, ...destinationStatus(d, r.applied.failedUnits.get(u.name)) });
    }
  }
  await tx.destinations.setWritten(writtenSpecs);
  await tx.destinations.setStatus(statuses, r.store.ref);
}

/** A run that could not write at all: the store, its Destinations and its pending placements say why. */
/** How a Destination's message starts while its store cannot be written. */
export const STORE_FAILURE = 'Failed to write to State Store: ';

export async function recordFailure(
  db: KratixStore,
  store: StoredStateStore,
  destinations: StoredDestination[],
  placements: StoredPlacement[],
  error: string,
  retryAt: Date,
): Promise<void> {
  await db.transaction(async tx => {
    await tx.stateStores.setOutcome(store.ref, {
      ready: false,
      message: error,
      retryAt,
      failed: true,
    });
    await tx.destinations.setStatus(
      destinations
        .filter(d => !d.deletedAt)
        .map(d => ({
          name: d.name,
          ready: false,
          message: `${STORE_FAILURE}${error}`,
        })),
      store.ref,
    );
    await tx.placements.markFailed(
      placements.filter(p => p.dirty).map(p => ({ placement: p, error })),
      store.ref,
    );
  });
}
