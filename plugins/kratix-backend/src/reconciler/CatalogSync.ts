import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  DestinationEntity,
  KRATIX_API_VERSION,
  KRATIX_KINDS,
  kratixEntityContent,
  stateStoreRef,
  validateKratixEntity,
} from '@kratix-destinations/plugin-kratix-common';
import { DestinationInput, KratixStore, StateStoreInput, StoredDestination } from '../database';
import { DESTINATIONS_COUNTER } from './DestinationCache';
import { destinationMoved } from './store/runInputs';

const ANNOTATION_ORPHAN = 'backstage.io/orphan';
/**
 * How long a signalled entity keeps the list read on every cycle when no
 * change of it shows up (the catalog had not stitched it yet, or the change
 * was one the catalog does not keep).
 */
const SIGNAL_WINDOW_MS = 30_000;
/** Destinations and State Stores of Kratix's apiVersion: what the plugin copies. */
const KRATIX_FILTER = KRATIX_KINDS.map(kind => ({ kind, apiVersion: KRATIX_API_VERSION }));
const LIGHT_FIELDS = [
  'kind',
  'metadata.namespace',
  'metadata.name',
  'metadata.uid',
  'metadata.etag',
];

export interface CatalogSyncResult {
  destinations: number;
  stores: number;
  /** Destinations that left the catalog in this run. */
  deleted: string[];
  /** Whether scheduling must look at every work again (Destinations changed). */
  rescheduled: boolean;
  /** Stores with something new to do. */
  touched: Set<string>;
}

/**
 * Copies Destinations and State Stores from the catalog. A cycle with
 * nothing changed costs one facet count in the catalog (how many of each
 * kind, how many orphaned) and one small query. The list of entities (name,
 * uid, etag) is read when the counts moved, for a while after the catalog
 * module signalled a processed change, and at least every `fullReadIntervalMs`;
 * only entities whose etag changed are then read in full and written. The
 * catalog publishes no deletions, so the plugin compares its own list.
 */
export class CatalogSync {
  constructor(
    private readonly deps: {
      db: KratixStore;
      catalog: CatalogService;
      auth: AuthService;
      logger: LoggerService;
      orphanGraceMs: number;
      fullReadIntervalMs: number;
      now?: () => number;
    },
  ) {}

  private lastRead = -Infinity;
  private lastCounts?: string;
  /** Entities the catalog module signalled whose change was not copied yet: when, and the content. */
  private readonly signalled = new Map<string, { at: number; content?: string }>();
  private known = { destinations: 0, stores: 0 };

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  /** The catalog module processed a new or changed Destination or State Store. */
  noteChange(entityRef = '*', content?: string): void {
    this.signalled.set(entityRef, { at: this.now(), content });
  }

  private signalPending(t: number): boolean {
    for (const [ref, { at }] of this.signalled) {
      if (t - at >= SIGNAL_WINDOW_MS) this.signalled.delete(ref);
    }
    return this.signalled.size > 0;
  }

  /** An entity read in full answers its signal when it holds the signalled content. */
  private answered(e: Entity): void {
    const ref = stringifyEntityRef(e);
    const s = this.signalled.get(ref);
    if (s && (!s.content || s.content === kratixEntityContent(e))) this.signalled.delete(ref);
  }

  /** What moves when an entity is added, deleted, orphaned or adopted again. */
  private async counts(): Promise<string> {
    const credentials = await this.deps.auth.getOwnServiceCredentials();
    const { facets } = await this.deps.catalog.getEntityFacets(
      {
        filter: KRATIX_FILTER,
        facets: ['kind', `metadata.annotations.${ANNOTATION_ORPHAN}`],
      },
      { credentials },
    );
    return JSON.stringify(facets);
  }

  private async read(): Promise<Entity[]> {
    const credentials = await this.deps.auth.getOwnServiceCredentials();
    const { items } = await this.deps.catalog.getEntities(
      {
        filter: KRATIX_FILTER,
        fields: LIGHT_FIELDS,
      },
      { credentials },
    );
    return items;
  }

  private async full(refs: string[]): Promise<Entity[]> {
    if (refs.length === 0) return [];
    const credentials = await this.deps.auth.getOwnServiceCredentials();
    const out: Entity[] = [];
    for (let i = 0; i < refs.length; i += 500) {
      const { items } = await this.deps.catalog.getEntitiesByRefs(
        { entityRefs: refs.slice(i, i + 500) },
        { credentials },
      );
      out.push(...items.filter((e): e is Entity => Boolean(e)));
    }
    return out;
  }

  private valid(e: Entity): Entity | undefined {
    const v = validateKratixEntity(e);
    if (v.ok) return v.entity as unknown as Entity;
    this.deps.logger.warn(`Skipping ${stringifyEntityRef(e)}: ${v.errors.join('; ')}`);
    return undefined;
  }

  async run(): Promise<CatalogSyncResult> {
    const result: CatalogSyncResult = {
      ...this.known,
      deleted: [],
      rescheduled: false,
      touched: new Set(),
    };
    const t = this.now();
    const counts = await this.counts();
    const grace = new Date(t - this.deps.orphanGraceMs);
    // An orphan about to leave is checked against the catalog first (it may be back).
    let expiring = await this.deps.db.destinations.orphanedBefore(grace);
    const due =
      expiring.length > 0 ||
      counts !== this.lastCounts ||
      this.signalPending(t) ||
      t - this.lastRead >= this.deps.fullReadIntervalMs;
    if (due) {
      this.lastCounts = undefined; // a copy that fails is tried again next cycle
      await this.copy(await this.read(), result);
      this.lastCounts = counts;
      this.lastRead = t;
      this.known = { destinations: result.destinations, stores: result.stores };
      expiring = await this.deps.db.destinations.orphanedBefore(grace);
    }
    for (const d of expiring) {
      await this.markDeleted(d.name, `has been orphaned since ${d.orphanSince}`, result);
    }
    if (result.rescheduled) await this.deps.db.coordination.increment(DESTINATIONS_COUNTER);
    await this.deps.db.stateStores.bumpChange([...result.touched]);
    return result;
  }

  private async copy(light: Entity[], result: CatalogSyncResult): Promise<void> {
    await this.syncStores(
      light.filter(e => e.kind !== 'Destination'),
      result,
    );
    await this.syncDestinations(
      light.filter(e => e.kind === 'Destination'),
      result,
    );
  }

  private async syncStores(light: Entity[], result: CatalogSyncResult): Promise<void> {
    const { db } = this.deps;
    const known = await db.stateStores.etags();
    const refOf = (e: Entity) => stateStoreRef(e.kind, e.metadata.namespace, e.metadata.name);
    const changed = light.filter(e => {
      const k = known.get(refOf(e));
      return !k || k.deleted || k.etag !== e.metadata.etag;
    });
    const inputs: StateStoreInput[] = [];
    const invalid = new Set<string>();
    for (const e of await this.full(changed.map(x => stringifyEntityRef(x)))) {
      this.answered(e);
      const v = this.valid(e);
      if (!v) {
        invalid.add(refOf(e));
        continue;
      }
      inputs.push({
        ref: refOf(v),
        kind: v.kind as StateStoreInput['kind'],
        name: v.metadata.name,
        namespace: v.metadata.namespace ?? 'default',
        entityRef: stringifyEntityRef(v),
        etag: v.metadata.etag,
        spec: v.spec as any,
      });
    }
    await db.stateStores.upsert(inputs);
    inputs.forEach(s => result.touched.add(s.ref));
    const present = light.map(refOf).filter(r => !invalid.has(r) || known.has(r));
    await db.stateStores.markDeletedExcept(present);
    result.stores = present.length;
  }

  private async syncDestinations(light: Entity[], result: CatalogSyncResult): Promise<void> {
    const { db, logger } = this.deps;
    const known = await db.destinations.etags();
    const byName = new Map<string, Entity>();
    for (const e of light) {
      const first = byName.get(e.metadata.name);
      // Names are unique across namespaces, as in Kratix: a second one is not taken (the catalog refuses it too).
      if (first && first.metadata.namespace !== e.metadata.namespace) {
        logger.warn(
          `Destination ${stringifyEntityRef(e)} has the name of ${stringifyEntityRef(first)}; it is ignored`,
        );
        continue;
      }
      byName.set(e.metadata.name, e);
    }
    const changed = [...byName.values()].filter(e => {
      const k = known.get(e.metadata.name);
      return !k || k.etag !== e.metadata.etag || k.deleted;
    });
    const previous = new Map(
      (
        await db.destinations.list({
          includeDeleted: true,
          names: changed.map(e => e.metadata.name),
        })
      ).map(d => [d.name, d]),
    );
    for (const e of await this.full(changed.map(x => stringifyEntityRef(x)))) {
      this.answered(e);
      const v = this.valid(e);
      if (v)
        await this.syncDestination(
          v as unknown as DestinationEntity,
          previous.get(v.metadata.name),
          result,
        );
    }
    for (const [name, k] of known) {
      if (!k.deleted && !byName.has(name)) await this.markDeleted(name, `left the catalog`, result);
    }
    result.destinations = byName.size;
  }

  private async syncDestination(
    e: DestinationEntity,
    previous: StoredDestination | undefined,
    result: CatalogSyncResult,
  ) {
    const { db, logger } = this.deps;
    const name = e.metadata.name;
    if (previous?.deletedAt) return; // the old one is still being cleaned up; the new one waits
    if (previous?.uid && e.metadata.uid && previous.uid !== e.metadata.uid) {
      await this.markDeleted(
        name,
        `was deleted and created again (uid ${previous.uid} -> ${e.metadata.uid}); cleaning up the old one first`,
        result,
      );
      return;
    }
    const orphaned = e.metadata.annotations?.[ANNOTATION_ORPHAN] === 'true';
    if (orphaned && previous) {
      if (!previous.orphanSince)
        await db.destinations.setOrphanSince(name, new Date(this.now()), e.metadata.etag);
      return;
    }
    await db.destinations.upsert([toDestinationInput(e)]);
    const now = (await db.destinations.get(name))!;
    result.touched.add(now.stateStore);
    if (!previous) {
      await db.placements.adoptOrphans(name, now.stateStore);
      result.rescheduled = true;
      logger.info(`Destination ${name} joined (${now.stateStore})`);
      return;
    }
    await this.followChanges(previous, now, result);
  }

  /** A known Destination changed: re-place on new labels, follow a move (D2). */
  private async followChanges(
    previous: StoredDestination,
    now: StoredDestination,
    result: CatalogSyncResult,
  ) {
    const { db } = this.deps;
    const name = now.name;
    if (
      JSON.stringify(previous.labels) !== JSON.stringify(now.labels) ||
      previous.spec.strictMatchLabels !== now.spec.strictMatchLabels
    ) {
      result.rescheduled = true;
    }
    if (destinationMoved(now) && previous.written) {
      // D2: its placements follow it to its current store and path; the old files stay, as in Kratix.
      await db.placements.markDestinationDirty(name, now.stateStore);
      await db.ownedFiles.forgetDestination(
        name,
        now.stateStore === previous.written.store ? undefined : now.stateStore,
      );
      if (previous.written.store !== now.stateStore) result.touched.add(previous.written.store);
    }
  }

  private async markDeleted(name: string, why: string, result: CatalogSyncResult) {
    const { db, logger } = this.deps;
    const d = await db.destinations.get(name);
    if (!d || d.deletedAt) return;
    logger.info(`Destination ${name} ${why}; its cleanup policy is "${d.spec.cleanup}"`);
    await db.destinations.markDeleted([name]);
    // D3: its placements stay with it (never placed elsewhere); cleanup: all removes their files.
    if (d.spec.cleanup !== 'all') await db.placements.orphanDestination(name);
    result.deleted.push(name);
    result.touched.add(d.stateStore);
    result.rescheduled = true;
  }
}

function toDestinationInput(e: DestinationEntity): DestinationInput {
  return {
    name: e.metadata.name,
    namespace: e.metadata.namespace ?? 'default',
    entityRef: stringifyEntityRef(e as unknown as Entity),
    uid: e.metadata.uid,
    etag: e.metadata.etag,
    spec: e.spec,
    labels: (e.metadata.labels ?? {}) as Record<string, string>,
    stateStore: stateStoreRef(
      e.spec.stateStoreRef.kind,
      e.metadata.namespace,
      e.spec.stateStoreRef.name,
    ),
  };
}
