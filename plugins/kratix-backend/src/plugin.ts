import { coreServices, createBackendPlugin } from '@backstage/backend-plugin-api';
import { Config, readDurationFromConfig } from '@backstage/config';
import { HumanDuration, durationToMilliseconds } from '@backstage/types';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { CatalogErrors } from './service/CatalogErrors';
import { KratixDatabase } from './database';
import { CatalogSync, Reconciler, StoreReconciler, WorkScheduler } from './reconciler';
import { WriterFactory } from './writers';
import { createRouter } from './service/router';
import { kratixPermissions } from './service/permissions';

function duration(config: Config, key: string, fallback: HumanDuration): HumanDuration {
  return config.has(key) ? readDurationFromConfig(config, { key }) : fallback;
}

/**
 * The kratix backend plugin: schedules works onto Destinations and writes
 * them into their Git and S3 State Stores, byte-compatible with Kratix.
 */
export const kratixPlugin = createBackendPlugin({
  pluginId: 'kratix',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        lifecycle: coreServices.lifecycle,
        catalog: catalogServiceRef,
        events: eventsServiceRef,
      },
      async init({
        config,
        logger,
        database,
        scheduler,
        httpRouter,
        httpAuth,
        auth,
        permissions,
        permissionsRegistry,
        lifecycle,
        catalog,
        events,
      }) {
        const catalogErrors = new CatalogErrors();
        await catalogErrors.subscribe(events);
        const db = await KratixDatabase.create(await database.getClient(), {
          skipMigrations: database.migrations?.skip,
        });
        const writers = new WriterFactory(config, logger);
        lifecycle.addShutdownHook(() => writers.closeAll());
        const workScheduler = new WorkScheduler(db, logger);
        const reconciler = new Reconciler(
          db,
          new CatalogSync(db, catalog, auth, logger, {
            orphanGraceMs: durationToMilliseconds(
              duration(config, 'kratix.destinations.orphanGrace', { hours: 1 }),
            ),
          }),
          workScheduler,
          new StoreReconciler(db, writers, logger, {
            fullSyncIntervalMs: durationToMilliseconds(
              duration(config, 'kratix.reconcile.fullSyncInterval', { minutes: 10 }),
            ),
          }),
          scheduler,
          logger,
          {
            frequency: duration(config, 'kratix.reconcile.frequency', { seconds: 5 }),
            catalogFrequency: duration(
              config,
              'kratix.reconcile.catalogFrequency',
              duration(config, 'kratix.reconcile.frequency', { seconds: 5 }),
            ),
            timeout: duration(config, 'kratix.reconcile.timeout', { minutes: 5 }),
          },
        );
        await reconciler.start();
        permissionsRegistry.addPermissions(kratixPermissions);
        httpRouter.use(
          await createRouter({
            db,
            reconciler,
            workScheduler,
            httpAuth,
            permissions,
            logger,
            catalogErrors,
            limits: {
              maxFileBytes: config.getOptionalNumber('kratix.works.maxFileBytes') ?? 1024 * 1024,
              maxWorkBytes:
                config.getOptionalNumber('kratix.works.maxWorkBytes') ?? 10 * 1024 * 1024,
              maxFiles: config.getOptionalNumber('kratix.works.maxFiles') ?? 5000,
            },
          }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
