import { ConflictError, InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { DestinationPreview } from '@kratix-destinations/plugin-kratix-common';
import {
  KratixStore,
  NewPlacement,
  NewWork,
  StoredDestination,
  StoredWork,
  WorkKey,
  workKey,
  WorkOwnership,
} from '../database';
import { candidates } from '../scheduling';
import { DestinationCache } from './DestinationCache';
import { refuseLongKeys } from './longKeys';
import { previewWork } from './preview';
import { StoreLoop } from './StoreLoop';
import { StoreRun } from './store/StoreRun';
import { PlaceResult, toScheduling, WorkScheduler } from './WorkScheduler';

/** Who submits a work, and where they may place it (decided by the permission policy). */
export interface Caller {
  /** The user (or service) submitting, recorded on the work. */
  actor?: string;
  /** The user and their groups: who owns the work. */
  ownerRefs: string[];
  mayPlaceOn(d: StoredDestination): boolean;
  /** The permission conditions to keep for placements made later (new Destinations). */
  placementConditions?: unknown;
  /** Why a Destination is refused, for the 403 message. */
  refusal?: string;
  /** Whether the caller may create this work (no row holds it). */
  mayCreate(work: WorkKey): boolean;
  /** Whether the caller may change this existing work (live, or still being deleted). */
  mayUpdate(work: WorkKey & { ownerRefs: string[] }): boolean;
}

export interface SubmitResult {
  key: WorkKey;
  created: boolean;
  changed: boolean;
  /** The Destinations the work is placed on after this submission. */
  destinations: string[];
}

type Submitted = { result: SubmitResult; stores: Set<string> } | Error;

function storesOf(results: Submitted[]): Set<string> {
  return new Set(results.flatMap(r => (r instanceof Error ? [] : [...r.stores])));
}

/** The work as stored: who submitted it and who owns it. */
function owned(work: NewWork, caller: Caller): NewWork {
  return {
    ...work,
    createdBy: caller.actor,
    submittedBy: caller.actor,
    ownerRefs: caller.ownerRefs,
    placementConditions: caller.placementConditions,
  };
}

/** New works of a batch and their placements, written in a few statements for all. */
class PendingInserts {
  works: NewWork[] = [];
  placements: NewPlacement[] = [];

  async flush(tx: KratixStore): Promise<void> {
    if (this.works.length > 0) await tx.works.insertNew(this.works);
    if (this.placements.length > 0) await tx.placements.create(this.placements);
    this.works = [];
    this.placements = [];
  }
}

interface Batch {
  caller: Caller;
  all: StoredDestination[];
  /** The rows the batch's transaction found: who owns each work that exists. */
  owners: Map<string, WorkOwnership>;
  known: Set<string>;
  isolated: boolean;
  pending: PendingInserts;
}

/**
 * Create needs `kratix.work.create`; a work that has a row (live, or still
 * being deleted: it keeps its owners until its files are gone) needs
 * `kratix.work.update` on that row. Decided on the rows the writing
 * transaction read, so a racing request cannot turn a create into an update.
 */
function submitRefusal(
  work: WorkKey,
  caller: Caller,
  owners: Map<string, WorkOwnership>,
): Error | undefined {
  const row = owners.get(workKey(work));
  if (row) {
    return caller.mayUpdate({
      namespace: work.namespace,
      name: work.name,
      ownerRefs: row.ownerRefs,
    })
      ? undefined
      : new NotAllowedError(`not allowed to update kratix work ${workKey(work)}`);
  }
  return caller.mayCreate({ namespace: work.namespace, name: work.name })
    ? undefined
    : new NotAllowedError(`not allowed to create kratix works in namespace ${work.namespace}`);
}

/** A duplicate key on insert: another request created the same work first (PostgreSQL, SQLite, MySQL). */
function createdConcurrently(e: unknown, work: WorkKey): Error | undefined {
  const code = String((e as { code?: unknown })?.code);
  if (
    !['23505', 'ER_DUP_ENTRY'].includes(code) &&
    !/^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)$/.test(code)
  )
    return undefined;
  return new ConflictError(
    `work ${workKey(work)} was created by another request at the same time; send it again to update it`,
  );
}

/** A NewWork as the stored shape the scheduler reads (paths only). */
function asStored(work: NewWork, caller: Caller): StoredWork {
  const now = new Date().toISOString();
  return {
    namespace: work.namespace,
    name: work.name,
    promise: work.promise,
    resource: work.resource,
    pipeline: work.pipeline,
    identity: '',
    contentHash: '',
    createdBy: caller.actor,
    ownerRefs: caller.ownerRefs,
    createdAt: now,
    updatedAt: now,
    groups: work.groups.map(g => ({
      id: g.id,
      directory: g.directory,
      selectors: g.selectors,
      files: g.files.map(f => f.path),
    })),
  };
}

/**
 * The one door into the reconciler: works are submitted, previewed and
 * removed here, with the same scheduler and planner as the real path.
 */
export class WorkIntake {
  constructor(
    private readonly deps: {
      db: KratixStore;
      scheduler: WorkScheduler;
      destinations: DestinationCache;
      loop: StoreLoop;
      run: StoreRun;
    },
  ) {}

  /** 403 when a group matches Destinations but none the caller may place on. */
  private checkPermitted(
    work: StoredWork,
    all: StoredDestination[],
    caller: Caller,
    placed: Set<string>,
  ) {
    // Computed once per work, not per group.
    const schedulable = all.map(toScheduling);
    let allowed: Set<string> | undefined;
    for (const g of work.groups) {
      if (placed.has(g.id)) continue;
      const matching = candidates(schedulable, g.selectors);
      if (matching.length === 0) continue;
      allowed ??= new Set(all.filter(d => caller.mayPlaceOn(d)).map(d => d.name));
      const permitted = allowed;
      if (!matching.some(d => permitted.has(d.name))) {
        const names = matching
          .map(d => d.name)
          .slice(0, 5)
          .join(', ');
        throw new NotAllowedError(
          `work ${workKey(work)}${g.directory === '.' ? '' : ` (workload group ${g.directory})`} matches only Destinations you may not place works on: ${names}${caller.refusal ? `; ${caller.refusal}` : ''}`,
        );
      }
    }
  }

  async submit(work: NewWork, caller: Caller): Promise<SubmitResult> {
    const [result] = await this.submitMany([work], caller);
    if (result instanceof Error) throw result;
    return result;
  }

  /**
   * Many works in one transaction (imports). First all at once; if any is
   * refused, again with a savepoint per work, so one refused work does not
   * stop the others. The stores are told once.
   */
  async submitMany(works: NewWork[], caller: Caller): Promise<(SubmitResult | Error)[]> {
    const all = await this.deps.destinations.live();
    const attempt = (isolated: boolean) => this.submitBatch(works, caller, all, isolated);
    let results: Submitted[];
    try {
      results = await attempt(false);
    } catch (e) {
      if (works.length === 1) throw createdConcurrently(e, works[0]) ?? e;
      results = await attempt(true);
    }
    for (const ref of storesOf(results)) this.deps.loop.trigger(ref);
    return results.map(r => (r instanceof Error ? r : r.result));
  }

  private submitBatch(
    works: NewWork[],
    caller: Caller,
    all: StoredDestination[],
    isolated: boolean,
  ): Promise<Submitted[]> {
    return this.deps.db.transaction(async tx => {
      const out: Submitted[] = [];
      const pending = new PendingInserts();
      const owners = await tx.works.ownership(works);
      const known = new Set(owners.keys());
      for (const work of works) {
        const one = await this.submitOne(tx, work, {
          caller,
          all,
          owners,
          known,
          isolated,
          pending,
        });
        out.push(one);
        if (!(one instanceof Error)) known.add(workKey(work));
      }
      await pending.flush(tx);
      // The stores' change counters once per batch, not once per work.
      await tx.stateStores.bumpChange([...storesOf(out)]);
      return out;
    });
  }

  /** Isolated: a savepoint per work, a refusal is its result. Otherwise a refusal fails the batch. */
  private async submitOne(tx: KratixStore, work: NewWork, b: Batch): Promise<Submitted> {
    const isKnown = b.known.has(workKey(work));
    const refused = submitRefusal(work, b.caller, b.owners);
    if (!b.isolated) {
      if (refused) throw refused;
      if (!isKnown) return this.submitNew(tx, work, b);
      await b.pending.flush(tx); // its row may be among the batch's pending ones
      return this.submitIn(tx, work, b.caller, b.all, true);
    }
    if (refused) return refused;
    try {
      return await tx.transaction(inner => this.submitIn(inner, work, b.caller, b.all, isKnown));
    } catch (e) {
      return createdConcurrently(e, work) ?? (e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** A work with no row yet: checked and placed now; its rows are written with the batch's. */
  private async submitNew(tx: KratixStore, work: NewWork, b: Batch): Promise<Submitted> {
    const stored = asStored(work, b.caller);
    this.checkPermitted(stored, b.all, b.caller, new Set());
    const placed = await this.deps.scheduler.place(
      tx,
      stored,
      b.all.filter(d => b.caller.mayPlaceOn(d)),
      [],
      { reclaim: true, defer: b.pending.placements },
    );
    this.refuseProblems(placed);
    await refuseLongKeys(tx, work, placed.created, this.byName(b.all));
    b.pending.works.push(owned(work, b.caller));
    const destinations = [...new Set(placed.created.map(p => p.destination))].sort();
    const key = { namespace: work.namespace, name: work.name };
    return { result: { key, created: true, changed: true, destinations }, stores: placed.touched };
  }

  private async submitIn(
    tx: KratixStore,
    work: NewWork,
    caller: Caller,
    all: StoredDestination[],
    known: boolean,
  ) {
    const stored = asStored(work, caller);
    // A work never stored has no placements: no query for the common case of an import.
    const existing = known ? await tx.placements.list({ work }) : [];
    this.checkPermitted(
      stored,
      all,
      caller,
      new Set(existing.filter(p => p.status !== 'deleting').map(p => p.groupId)),
    );
    const { created, changed } = await tx.works.upsert(owned(work, caller), { known });
    if (changed && !created) await tx.placements.bumpGeneration(work);
    const placed = await this.deps.scheduler.place(
      tx,
      stored,
      all.filter(d => caller.mayPlaceOn(d)),
      existing,
      { reclaim: changed },
    );
    this.refuseProblems(placed);
    await refuseLongKeys(
      tx,
      work,
      [
        ...existing.filter(p => p.status !== 'deleting' && p.status !== 'orphaned'),
        ...placed.created,
      ],
      this.byName(all),
    );
    const stores = new Set([
      ...placed.touched,
      ...(changed ? existing.map(p => p.stateStore) : []),
    ]);
    const kept = existing.filter(p => p.status !== 'deleting').map(p => p.destination);
    const destinations = [...new Set([...kept, ...placed.created.map(p => p.destination)])].sort();
    const key = { namespace: work.namespace, name: work.name };
    return { result: { key, created, changed, destinations }, stores };
  }

  /** The live Destinations by name; built once per list (the cache keeps one list until they change). */
  private readonly named = new WeakMap<StoredDestination[], Map<string, StoredDestination>>();

  private byName(all: StoredDestination[]): Map<string, StoredDestination> {
    let map = this.named.get(all);
    if (!map) {
      map = new Map(all.map(d => [d.name, d]));
      this.named.set(all, map);
    }
    return map;
  }

  /** none-mode clashes are refused at the request: 409 for another work's file, 400 for a reserved name. */
  private refuseProblems(placed: PlaceResult) {
    const conflict = placed.problems.find(p => p.conflict);
    if (conflict) throw new ConflictError(conflict.message);
    const bad = placed.problems[0];
    if (bad) throw new InputError(`files: ${bad.message}`);
  }

  /** Where the work would go and what each store would change, for a caller who may submit it; nothing is written anywhere. */
  async preview(
    work: NewWork,
    caller: Caller,
  ): Promise<{ destinations: string[]; pendingGroups: string[]; preview: DestinationPreview[] }> {
    const refused = submitRefusal(work, caller, await this.deps.db.works.ownership([work]));
    if (refused) throw refused;
    const all = await this.deps.destinations.live();
    const stored = asStored(work, caller);
    const existing = await this.deps.db.placements.list({ work });
    this.checkPermitted(
      stored,
      all,
      caller,
      new Set(existing.filter(p => p.status !== 'deleting').map(p => p.groupId)),
    );
    return previewWork(
      this.deps.run,
      work,
      stored,
      all.filter(d => caller.mayPlaceOn(d)),
      existing,
    );
  }

  /** Deletes a work: its files leave every Destination on the next runs. */
  async remove(key: WorkKey): Promise<{ destinations: string[] }> {
    const { db } = this.deps;
    const stores = await db.transaction(async tx => {
      if (!(await tx.works.markDeleted(key)))
        throw new NotFoundError(`work ${workKey(key)} not found`);
      const placements = await tx.placements.list({ work: key });
      await tx.placements.markDeleting({ work: key });
      if (placements.length === 0) await tx.works.purgeDeleted([key]);
      const refs = [...new Set(placements.map(p => p.stateStore))];
      await tx.stateStores.bumpChange(refs);
      return { refs, destinations: [...new Set(placements.map(p => p.destination))].sort() };
    });
    for (const ref of stores.refs) this.deps.loop.trigger(ref);
    return { destinations: stores.destinations };
  }
}
