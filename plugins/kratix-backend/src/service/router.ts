import express from 'express';
import Router from 'express-promise-router';
import { HttpAuthService, LoggerService, PermissionsService } from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult, BasicPermission } from '@backstage/plugin-permission-common';
import { canaryPaths } from '../layout';
import { KratixDatabase, StoredWork } from '../database';
import { Reconciler, WorkScheduler, stateStoreRef } from '../reconciler';
import { candidates, chooseDestination } from '../scheduling';
import { kratixWorkCreatePermission, kratixWorkDeletePermission } from './permissions';
import { parseWorkRequest, WorkLimits } from './workRequest';
import { CatalogErrors } from './CatalogErrors';
import { placementView, workView } from './views';

export interface RouterOptions {
  db: KratixDatabase;
  reconciler: Reconciler;
  workScheduler: WorkScheduler;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  logger: LoggerService;
  limits: WorkLimits;
  catalogErrors?: CatalogErrors;
}

export async function createRouter(options: RouterOptions): Promise<express.Router> {
  const { db, httpAuth, permissions, reconciler, workScheduler, logger, limits, catalogErrors } =
    options;
  const router = Router();
  router.use(express.json({ limit: Math.ceil(limits.maxWorkBytes * 1.5) + 1024 * 1024 }));

  async function authorize(req: express.Request, permission: BasicPermission) {
    const credentials = await httpAuth.credentials(req);
    const [decision] = await permissions.authorize([{ permission }], { credentials });
    if (decision.result !== AuthorizeResult.ALLOW)
      throw new NotAllowedError(`not allowed to ${permission.attributes.action} kratix works`);
    return credentials;
  }

  async function context() {
    const [works, destinations, stores] = await Promise.all([
      db.listWorks({ includeDeleted: true }),
      db.listDestinations({ includeDeleted: true }),
      db.listStateStores(),
    ]);
    return {
      works: new Map(works.map(w => [`${w.namespace}/${w.name}`, w])),
      destinations: new Map(destinations.map(d => [d.name, d])),
      stores: new Map(stores.map(s => [s.ref, s])),
    };
  }

  async function describeWork(w: StoredWork) {
    const ctx = await context();
    const placements = (await db.listPlacements({ work: w })).map(p => placementView(p, ctx));
    return workView(w, placements);
  }

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.post('/works', async (req, res) => {
    const credentials = await authorize(req, kratixWorkCreatePermission);
    const principal: any = credentials.principal;
    const work = parseWorkRequest(req.body, limits, principal?.userEntityRef ?? principal?.subject);
    const dryRun = req.query.dryRun === 'true' || req.body?.dryRun === true;
    if (dryRun) {
      const destinations = (await db.listDestinations()).map(d => ({
        name: d.name,
        labels: d.labels,
        strictMatchLabels: Boolean(d.spec.strictMatchLabels),
      }));
      const chosen = new Set<string>();
      for (const g of work.groups) {
        const names = candidates(destinations, g.selectors).map(d => d.name);
        if (names.length === 0) continue;
        if (work.resource)
          chosen.add(chooseDestination(`${work.namespace}/${work.name}`, g.id, names));
        else names.forEach(n => chosen.add(n));
      }
      res
        .status(200)
        .json({
          dryRun: true,
          work: { namespace: work.namespace, name: work.name },
          destinations: [...chosen].sort(),
          placements: [],
        });
      return;
    }
    const { created } = await db.upsertWork(work);
    const stored = (await db.getWork(work.namespace, work.name))!;
    const touched = await workScheduler.run([stored]);
    for (const p of await db.listPlacements({ work })) touched.add(p.stateStore);
    for (const ref of touched) await reconciler.trigger(ref);
    const view = await describeWork(stored);
    logger.info(
      `Work ${work.namespace}/${work.name} ${created ? 'created' : 'updated'}; placed on ${view.placements.map(p => p.destination).join(', ') || 'no destination yet'}`,
    );
    res.status(created ? 201 : 200).json({
      work: { namespace: work.namespace, name: work.name },
      destinations: [...new Set(view.placements.map(p => p.destination))].sort(),
      placements: view.placements,
      pendingGroups: view.pendingGroups,
    });
  });

  router.get('/works', async (req, res) => {
    const ctx = await context();
    const placements = await db.listPlacements();
    let works = [...ctx.works.values()];
    for (const key of ['promise', 'namespace', 'resource'] as const) {
      const v = req.query[key];
      if (typeof v === 'string') works = works.filter(w => w[key] === v);
    }
    if (typeof req.query.destination === 'string') {
      const names = new Set(
        placements
          .filter(p => p.destination === req.query.destination)
          .map(p => `${p.workNamespace}/${p.workName}`),
      );
      works = works.filter(w => names.has(`${w.namespace}/${w.name}`));
    }
    res.json({
      items: works.map(w =>
        workView(
          w,
          placements
            .filter(p => p.workNamespace === w.namespace && p.workName === w.name)
            .map(p => placementView(p, ctx)),
        ),
      ),
    });
  });

  router.get('/works/:namespace/:name', async (req, res) => {
    const w = await db.getWork(req.params.namespace, req.params.name);
    if (!w) throw new NotFoundError(`work ${req.params.namespace}/${req.params.name} not found`);
    res.json(await describeWork(w));
  });

  router.delete('/works/:namespace/:name', async (req, res) => {
    await authorize(req, kratixWorkDeletePermission);
    const { namespace, name } = req.params;
    const w = await db.getWork(namespace, name);
    if (!w || w.deletedAt) throw new NotFoundError(`work ${namespace}/${name} not found`);
    const placements = await db.listPlacements({ work: w });
    await db.deleteWork(namespace, name);
    for (const ref of new Set(placements.map(p => p.stateStore))) await reconciler.trigger(ref);
    logger.info(
      `Work ${namespace}/${name} deleted; removing its files from ${placements.map(p => p.destination).join(', ') || 'no destination'}`,
    );
    res
      .status(202)
      .json({
        work: { namespace, name },
        status: 'deleting',
        destinations: [...new Set(placements.map(p => p.destination))].sort(),
      });
  });

  function destinationView(
    d: Awaited<ReturnType<typeof db.listDestinations>>[number],
    ctx: Awaited<ReturnType<typeof context>>,
    placements: any[],
  ) {
    const mode = d.spec.filepath?.mode ?? 'nestedByMetadata';
    const canaries = canaryPaths(d.spec.path, mode);
    const enabled = d.spec.initWorkloads?.enabled !== false;
    const written = Boolean(d.writtenSpecHash) && d.writtenSpecHash === d.specHash;
    return {
      name: d.name,
      entityRef: d.entityRef,
      labels: d.labels,
      spec: d.spec,
      stateStore: d.stateStore,
      ready: d.ready,
      message: d.message ?? 'Destination is not ready',
      deleting: Boolean(d.deletedAt),
      canaries: {
        enabled,
        written: enabled && written && d.ready,
        paths: [canaries.namespace, canaries.configMap],
      },
      placements,
      store: ctx.stores.get(d.stateStore)
        ? { ref: d.stateStore, ready: ctx.stores.get(d.stateStore)!.ready }
        : undefined,
    };
  }

  // Why a Destination or State Store is missing from the catalog: its latest processing errors.
  router.get('/catalog-errors', async (_req, res) => {
    res.json({ items: catalogErrors?.list() ?? [] });
  });

  router.get('/destinations', async (_req, res) => {
    const ctx = await context();
    const placements = await db.listPlacements();
    res.json({
      items: [...ctx.destinations.values()].map(d =>
        destinationView(
          d,
          ctx,
          placements.filter(p => p.destination === d.name).map(p => placementView(p, ctx)),
        ),
      ),
    });
  });

  router.get('/destinations/:name', async (req, res) => {
    const d = await db.getDestination(req.params.name);
    if (!d)
      throw new NotFoundError(
        `destination ${req.params.name} not found; is it in the catalog and valid?`,
      );
    const ctx = await context();
    const placements = (await db.listPlacements({ destination: d.name })).map(p =>
      placementView(p, ctx),
    );
    res.json(destinationView(d, ctx, placements));
  });

  router.get('/statestores/:kind/:name', async (req, res) => {
    const { kind, name } = req.params;
    if (kind !== 'GitStateStore' && kind !== 'BucketStateStore') {
      throw new InputError(`kind: "${kind}" is not one of GitStateStore, BucketStateStore`);
    }
    const namespace = typeof req.query.namespace === 'string' ? req.query.namespace : 'default';
    const ref = stateStoreRef(kind, namespace, name);
    const s = await db.getStateStore(ref);
    if (!s || s.deletedAt)
      throw new NotFoundError(
        `${kind} ${namespace}/${name} not found; is it in the catalog and valid?`,
      );
    const destinations = (await db.listDestinations()).filter(d => d.stateStore === ref);
    const placements = await db.listPlacements({ stateStore: ref });
    const { secretRef, ...spec } = s.spec;
    res.json({
      kind: s.kind,
      name: s.name,
      entityRef: s.entityRef,
      spec: { ...spec, ...(secretRef ? { secretRef: { name: secretRef.name } } : {}) },
      ready: s.ready,
      status: s.ready ? 'Ready' : 'NotReady',
      message: s.message ?? 'not written yet',
      lastVersion: s.lastVersion,
      lastWrittenAt: s.lastWrittenAt,
      lastFullSyncAt: s.lastFullSyncAt,
      destinations: destinations.map(d => ({
        name: d.name,
        ready: d.ready,
        path: d.spec.path,
        mode: d.spec.filepath?.mode,
      })),
      placements: {
        total: placements.length,
        written: placements.filter(p => p.status === 'written').length,
        failed: placements.filter(p => p.status === 'failed').length,
      },
    });
  });

  return router;
}
