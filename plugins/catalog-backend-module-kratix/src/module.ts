import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { CatalogChangePublisher } from './CatalogChangePublisher';
import { DestinationClaims } from './DestinationClaims';
import { KratixEntitiesProcessor } from './KratixEntitiesProcessor';

/** How long a Destination's claim on its name and path outlives its last processing. */
const DEFAULT_CLAIM_TTL = { minutes: 10 };

/** Adds the Destination, GitStateStore and BucketStateStore kinds to the catalog. */
export const catalogModuleKratixEntityModel = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'kratix-entity-model',
  register(reg) {
    reg.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        database: coreServices.database,
        config: coreServices.rootConfig,
        events: eventsServiceRef,
        logger: coreServices.logger,
        lifecycle: coreServices.lifecycle,
      },
      async init({ catalog, database, config, events, logger, lifecycle }) {
        const key = 'kratix.destinations.claimTtl';
        const ttl = durationToMilliseconds(
          config.has(key) ? readDurationFromConfig(config, { key }) : DEFAULT_CLAIM_TTL,
        );
        const claims = await DestinationClaims.create(database, { staleAfterMs: ttl, logger });
        lifecycle.addShutdownHook(() => claims.flush());
        catalog.addProcessor(
          new KratixEntitiesProcessor(claims, new CatalogChangePublisher(events, logger)),
        );
      },
    });
  },
});
