import type { PolicyDecision } from '@backstage/plugin-permission-common';
import { coreServices, createBackendPlugin, ServiceRef } from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { createConditionAuthorizer } from '@backstage/plugin-permission-node';
import {
  KRATIX_CATALOG_CHANGED_TOPIC,
  kratixPermissions,
} from '@kratix-destinations/plugin-kratix-common';
import {
  kratixDestinationResourceRef,
  kratixWorkResourceRef,
} from '@kratix-destinations/plugin-kratix-node';
import { KratixConfig, readKratixConfig } from './config';
import { DatabaseKratixStore } from './database';
import { registerPermissions } from './service/permissionResources';
import { Reconciler } from './reconciler';
import { Access } from './service/access';
import { decisionAllows, destinationResource } from './service/caller';
import { CatalogErrors } from './service/CatalogErrors';
import { createRouter } from './service/router';
import { WebLinks } from './service/webLinks';
import { WriterFactory } from './writers';
import { registerActions } from './service/actions';
import { ReadAccess } from './service/ReadAccess';
import { RunAnnouncer } from './service/RunAnnouncer';
import { RunAuditor } from './service/RunAuditor';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';

const pluginDeps = {
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
};

type PluginDeps = {
  [K in keyof typeof pluginDeps]: (typeof pluginDeps)[K] extends ServiceRef<infer T, any>
    ? T
    : never;
};

/** Permission rules registered, and the authorizers that apply a stored conditional decision. */
function authorizers(deps: PluginDeps, db: DatabaseKratixStore) {
  registerPermissions(deps.permissionsRegistry, db, kratixPermissions);
  return {
    destinationAuthorizer: createConditionAuthorizer(
      deps.permissionsRegistry.getPermissionRuleset(kratixDestinationResourceRef),
    ),
    workAuthorizer: createConditionAuthorizer(
      deps.permissionsRegistry.getPermissionRuleset(kratixWorkResourceRef),
    ),
  };
}

/** The reconciler, telling open pages, owners and the audit log about every store run. */
function reconcilerOf(
  deps: PluginDeps,
  db: DatabaseKratixStore,
  writers: WriterFactory,
  config: KratixConfig,
  auth: ReturnType<typeof authorizers>,
) {
  const { logger } = deps;
  const announcer = new RunAnnouncer({
    db,
    logger,
    signals: deps.signals,
    notifications: deps.notifications,
    recipients: config.signals.recipients,
  });
  const runAuditor = new RunAuditor({ auditor: deps.auditor, logger });
  return new Reconciler({
    db,
    catalog: deps.catalog,
    auth: deps.auth,
    logger,
    scheduler: deps.scheduler,
    writers,
    config,
    permit: (work, d) =>
      decisionAllows(
        auth.destinationAuthorizer,
        work.placementConditions as PolicyDecision | undefined,
        () => destinationResource(d),
      ),
    onRun: (ref, result) => {
      announcer.onRun(ref, result);
      runAuditor.onRun(ref, result);
    },
  });
}

async function init(deps: PluginDeps) {
  const { rootConfig, logger, database, lifecycle } = deps;
  const config = readKratixConfig(rootConfig);
  const db = await DatabaseKratixStore.create({
    database,
    skipMigrations: database.migrations?.skip,
  });
  const writers = new WriterFactory(rootConfig, config, logger);
  const auth = authorizers(deps, db);
  const reconciler = reconcilerOf(deps, db, writers, config, auth);
  await reconciler.start();
  await deps.events.subscribe({
    id: 'kratix-catalog-changes',
    topics: [KRATIX_CATALOG_CHANGED_TOPIC],
    onEvent: async ({ eventPayload }) => {
      const { entityRef, content } = (eventPayload ?? {}) as {
        entityRef?: string;
        content?: string;
      };
      reconciler.catalogChanged(entityRef, content);
    },
  });
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
    ...auth,
  });
  const links = new WebLinks(ScmIntegrations.fromConfig(rootConfig));
  deps.httpRouter.use(await createRouter({ db, reconciler, access, links, config, catalogErrors }));
  deps.httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
  registerActions(deps.actionsRegistry, {
    db,
    reconciler,
    access,
    reads: new ReadAccess({ db, access }),
    config,
  });
}

/**
 * The kratix backend plugin: schedules works onto Destinations and writes
 * them into their Git and S3 State Stores, byte-compatible with Kratix.
 */
export const kratixPlugin = createBackendPlugin({
  pluginId: 'kratix',
  register(env) {
    env.registerInit({ deps: pluginDeps, init });
  },
});
