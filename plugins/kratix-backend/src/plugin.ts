import { coreServices, createBackendPlugin } from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { createConditionAuthorizer } from '@backstage/plugin-permission-node';
import { kratixPermissions } from '@internal/plugin-kratix-common';
import { kratixDestinationResourceRef, kratixWorkResourceRef } from '@internal/plugin-kratix-node';
import { readKratixConfig } from './config';
import { DatabaseKratixStore } from './database';
import { registerPermissions } from './service/permissionResources';
import { Reconciler } from './reconciler';
import { Access } from './service/access';
import { decisionAllows } from './service/caller';
import { CatalogErrors } from './service/CatalogErrors';
import { createRouter } from './service/router';
import { WebLinks } from './service/webLinks';
import { WriterFactory } from './writers';
import { registerActions } from './service/actions';
import { RunAnnouncer } from './service/RunAnnouncer';
import { RunAuditor } from './service/RunAuditor';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';

/**
 * The kratix backend plugin: schedules works onto Destinations and writes
 * them into their Git and S3 State Stores, byte-compatible with Kratix.
 */
export const kratixPlugin = createBackendPlugin({
  pluginId: 'kratix',
  register(env) {
    env.registerInit({
      deps: {
        rootConfig: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        userInfo: coreServices.userInfo,
        auditor: coreServices.auditor,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        lifecycle: coreServices.lifecycle,
        catalog: catalogServiceRef,
        events: eventsServiceRef,
        signals: signalsServiceRef,
        notifications: notificationService,
        actionsRegistry: actionsRegistryServiceRef,
      },
      async init(deps) {
        const { rootConfig, logger, database, permissionsRegistry, lifecycle } = deps;
        const config = readKratixConfig(rootConfig);
        const db = await DatabaseKratixStore.create({
          database,
          skipMigrations: database.migrations?.skip,
        });
        const writers = new WriterFactory(rootConfig, config, logger);
        registerPermissions(permissionsRegistry, db, kratixPermissions);
        const destinationAuthorizer = createConditionAuthorizer(
          permissionsRegistry.getPermissionRuleset(kratixDestinationResourceRef),
        );
        const workAuthorizer = createConditionAuthorizer(
          permissionsRegistry.getPermissionRuleset(kratixWorkResourceRef),
        );
        const announcer = new RunAnnouncer({
          db,
          logger,
          signals: deps.signals,
          notifications: deps.notifications,
        });
        const runAuditor = new RunAuditor({ auditor: deps.auditor, logger });
        const reconciler = new Reconciler({
          db,
          catalog: deps.catalog,
          auth: deps.auth,
          logger,
          scheduler: deps.scheduler,
          writers,
          config,
          permit: (work, d) =>
            decisionAllows(destinationAuthorizer, work.placementConditions as any, d),
          onRun: (ref, result) => {
            announcer.onRun(ref, result);
            runAuditor.onRun(ref, result);
          },
        });
        await reconciler.start();
        lifecycle.addShutdownHook(async () => {
          await reconciler.stop();
          await writers.closeAll();
        });
        const catalogErrors = new CatalogErrors();
        await catalogErrors.subscribe(deps.events);
        const access = new Access({
          httpAuth: deps.httpAuth,
          permissions: deps.permissions,
          userInfo: deps.userInfo,
          auditor: deps.auditor,
          destinationAuthorizer,
          workAuthorizer,
        });
        deps.httpRouter.use(
          await createRouter({
            db,
            reconciler,
            access,
            links: new WebLinks(ScmIntegrations.fromConfig(rootConfig)),
            config,
            catalogErrors,
          }),
        );
        deps.httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
        registerActions(deps.actionsRegistry, { db, reconciler, access, config });
      },
    });
  },
});
