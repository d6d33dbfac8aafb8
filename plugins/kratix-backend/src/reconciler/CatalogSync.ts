import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';

const ANNOTATION_ORPHAN = 'backstage.io/orphan';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  DestinationEntity,
  KRATIX_API_VERSION,
  validateKratixEntity,
} from '@internal/plugin-kratix-common';
import { KratixDatabase } from '../database';
import { stateStoreRef } from './refs';

export interface CatalogSyncOptions {
  /** How long an orphaned Destination is kept before it counts as deleted. */
  orphanGraceMs: number;
}

/**
 * Copies Destinations and State Stores from the catalog, and notices deleted
 * Destinations: the catalog publishes no deletion events, so the plugin keeps
 * its own list (name + uid) and compares it on every run.
 */
export class CatalogSync {
  constructor(
    private readonly db: KratixDatabase,
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
    private readonly logger: LoggerService,
    private readonly options: CatalogSyncOptions,
  ) {}

  private async fetch(kind: string): Promise<Entity[]> {
    const credentials = await this.auth.getOwnServiceCredentials();
    const { items } = await this.catalog.getEntities(
      { filter: { kind, apiVersion: KRATIX_API_VERSION } },
      { credentials },
    );
    return items;
  }

  async run(): Promise<{ destinations: number; stores: number; deleted: string[] }> {
    const [git, bucket, destinations] = await Promise.all([
      this.fetch('GitStateStore'),
      this.fetch('BucketStateStore'),
      this.fetch('Destination'),
    ]);

    const storeRefs: string[] = [];
    for (const e of [...git, ...bucket]) {
      const v = validateKratixEntity(e);
      if (!v.ok) {
        this.logger.warn(`Skipping ${stringifyEntityRef(e)}: ${v.errors.join('; ')}`);
        continue;
      }
      const ref = stateStoreRef(e.kind, e.metadata.namespace, e.metadata.name);
      storeRefs.push(ref);
      await this.db.upsertStateStore({
        ref,
        kind: e.kind,
        name: e.metadata.name,
        entityRef: stringifyEntityRef(e),
        spec: v.entity.spec,
      });
    }
    await this.db.markStateStoresDeletedExcept(storeRefs);

    const known = new Map(
      (await this.db.listDestinations({ includeDeleted: true })).map(d => [d.name, d]),
    );
    const seen = new Set<string>();
    const deleted: string[] = [];
    const now = Date.now();
    for (const e of destinations) {
      const v = validateKratixEntity(e);
      if (!v.ok) {
        this.logger.warn(`Skipping ${stringifyEntityRef(e)}: ${v.errors.join('; ')}`);
        continue;
      }
      const name = e.metadata.name;
      const previous = known.get(name);
      if (previous?.deletedAt) {
        seen.add(name); // the old one is still being cleaned up; the new one waits
        continue;
      }
      if (previous && previous.uid && e.metadata.uid && previous.uid !== e.metadata.uid) {
        this.logger.info(
          `Destination ${name} was deleted and created again (uid ${previous.uid} -> ${e.metadata.uid}); cleaning up the old one first`,
        );
        await this.db.markDestinationDeleted(name);
        deleted.push(name);
        seen.add(name);
        continue;
      }
      seen.add(name);
      const spec = (v.entity as DestinationEntity).spec;
      if (e.metadata.annotations?.[ANNOTATION_ORPHAN] === 'true') {
        const since = previous?.orphanSince ? Date.parse(previous.orphanSince) : now;
        if (!previous?.orphanSince) await this.db.setDestinationOrphan(name, new Date(now));
        if (now - since >= this.options.orphanGraceMs && previous) {
          this.logger.info(
            `Destination ${name} has been orphaned since ${new Date(since).toISOString()}; treating it as deleted`,
          );
          await this.db.markDestinationDeleted(name);
          deleted.push(name);
        }
        continue;
      }
      await this.db.upsertDestination({
        name,
        entityRef: stringifyEntityRef(e),
        uid: e.metadata.uid,
        spec,
        labels: (e.metadata.labels ?? {}) as Record<string, string>,
        stateStore: stateStoreRef(
          spec.stateStoreRef.kind,
          e.metadata.namespace,
          spec.stateStoreRef.name,
        ),
      });
    }
    for (const [name, d] of known) {
      if (!seen.has(name) && !d.deletedAt) {
        this.logger.info(
          `Destination ${name} left the catalog; its cleanup policy is "${d.spec.cleanup}"`,
        );
        await this.db.markDestinationDeleted(name);
        deleted.push(name);
      }
    }
    return { destinations: seen.size, stores: storeRefs.length, deleted };
  }
}
