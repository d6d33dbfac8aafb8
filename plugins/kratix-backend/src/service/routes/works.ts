import Router from 'express-promise-router';
import type { Request } from 'express';
import { NotFoundError } from '@backstage/errors';
import {
  kratixWorkCreatePermission,
  kratixWorkDeletePermission,
  kratixWorkUpdatePermission,
  ScheduleResult,
} from '@internal/plugin-kratix-common';
import type { KratixConfig } from '../../config';
import type { KratixStore, NewWork, StoredPlacement, WorkKey } from '../../database';
import type { Reconciler } from '../../reconciler';
import { Access } from '../access';
import { audited } from '../audit';
import { resolveCaller } from '../caller';
import { pageOf, queryString } from '../requests/pages';
import { parseWorkRequest } from '../requests/workRequest';
import { workSummary } from '../views';
import { ViewLoader } from '../viewLoader';
import { submitBulk } from './bulkWorks';
import { storedAsNew } from '../storedWork';

export function worksRouter(deps: {
  db: KratixStore;
  reconciler: Reconciler;
  access: Access;
  views: ViewLoader;
  config: KratixConfig;
}) {
  const { db, reconciler, access, views, config } = deps;
  const router = Router();

  /** Create needs kratix.work.create; changing an existing work needs kratix.work.update on it. */
  async function authorizeSubmit(req: Request, work: NewWork) {
    const credentials = await access.credentials(req);
    const existing = await db.works.get(work);
    if (existing && !existing.deletedAt) {
      await access.require(
        credentials,
        kratixWorkUpdatePermission,
        `update kratix work ${work.namespace}/${work.name}`,
        `${work.namespace}/${work.name}`,
      );
    } else {
      await access.require(credentials, kratixWorkCreatePermission, 'create kratix works');
    }
    return credentials;
  }

  async function scheduleResult(key: WorkKey, dryRun = false): Promise<ScheduleResult> {
    const view = await views.work(key);
    return {
      work: key,
      destinations: [...new Set(view.placements.map(p => p.destination))].sort(),
      placements: view.placements,
      pendingGroups: view.pendingGroups,
      ...(dryRun ? { dryRun } : {}),
    };
  }

  async function callerOf(req: Request, work: NewWork) {
    const credentials = await authorizeSubmit(req, work);
    return resolveCaller(credentials, {
      permissions: access.deps.permissions,
      userInfo: access.deps.userInfo,
      authorize: access.deps.destinationAuthorizer,
    });
  }

  async function submitOne(req: Request, body: unknown, dryRun: boolean) {
    const work = parseWorkRequest(body, config.works);
    if (dryRun) {
      const preview = await reconciler.intake.preview(work, await callerOf(req, work));
      return {
        status: 200,
        body: {
          work: { namespace: work.namespace, name: work.name },
          dryRun: true,
          destinations: preview.destinations,
          placements: [],
          pendingGroups: preview.pendingGroups,
          preview: preview.preview,
        },
      };
    }
    // Audited with its authorization: a refused attempt is recorded as failed.
    const result = await audited(
      access.deps.auditor,
      {
        eventId: 'work-submit',
        request: req,
        meta: { work: `${work.namespace}/${work.name}`, promise: work.promise },
      },
      async () => reconciler.intake.submit(work, await callerOf(req, work)),
      r => ({ created: r.created, changed: r.changed }),
    );
    return { status: result.created ? 201 : 200, body: await scheduleResult(result.key) };
  }

  router.post('/works', async (req, res) => {
    const dryRun = req.query.dryRun === 'true' || (req.body as any)?.dryRun === true;
    const body =
      req.body && typeof req.body === 'object' && !Array.isArray(req.body)
        ? { ...req.body }
        : req.body;
    if (body && typeof body === 'object') delete (body as any).dryRun;
    const out = await submitOne(req, body, dryRun);
    res.status(out.status).json(out.body);
  });

  router.post('/works/bulk', async (req, res) => {
    res.status(200).json({ items: await submitBulk(deps, req, (req.body as any)?.items) });
  });

  router.get('/works', async (req, res) => {
    const credentials = await access.credentials(req);
    const canSee = await access.workFilter(credentials);
    const page = await db.works.list(
      {
        namespace: queryString(req, 'namespace'),
        promise: queryString(req, 'promise'),
        resource: queryString(req, 'resource'),
        destination: queryString(req, 'destination'),
        search: queryString(req, 'search'),
      },
      pageOf(req),
    );
    const visible = page.items.filter(canSee);
    const placements = await db.placements.list({ works: visible });
    const byWork = new Map<string, StoredPlacement[]>();
    for (const p of placements)
      byWork.set(`${p.workNamespace}/${p.workName}`, [
        ...(byWork.get(`${p.workNamespace}/${p.workName}`) ?? []),
        p,
      ]);
    const seeDestination = await access.destinationFilter(credentials);
    const destinations = new Map(
      (
        await db.destinations.list({
          includeDeleted: true,
          names: [...new Set(placements.map(p => p.destination))],
        })
      ).map(d => [d.name, d]),
    );
    const shown = (p: StoredPlacement) =>
      !destinations.get(p.destination) || seeDestination(destinations.get(p.destination)!);
    res.json({
      items: visible.map(w =>
        workSummary(w, (byWork.get(`${w.namespace}/${w.name}`) ?? []).filter(shown)),
      ),
      totalCount: page.totalCount,
      nextCursor: page.nextCursor,
    });
  });

  router.get('/works/:namespace/:name', async (req, res) => {
    const credentials = await access.credentials(req);
    const key = { namespace: req.params.namespace, name: req.params.name };
    const work = await db.works.get(key);
    if (!work || !(await access.workFilter(credentials))(work))
      throw new NotFoundError(`work ${key.namespace}/${key.name} not found`);
    res.json(await views.work(key, await access.destinationFilter(credentials)));
  });

  router.get('/works/:namespace/:name/history', async (req, res) => {
    const key = { namespace: req.params.namespace, name: req.params.name };
    if (!(await db.works.get(key)))
      throw new NotFoundError(`work ${key.namespace}/${key.name} not found`);
    res.json({ items: await views.history(key) });
  });

  // A re-run of a stored work, previewed: what its stores would change now.
  router.post('/works/:namespace/:name/preview', async (req, res) => {
    const credentials = await access.credentials(req);
    const key = { namespace: req.params.namespace, name: req.params.name };
    const work = await storedAsNew(db, key);
    const caller = await resolveCaller(credentials, {
      permissions: access.deps.permissions,
      userInfo: access.deps.userInfo,
      authorize: access.deps.destinationAuthorizer,
    });
    const preview = await reconciler.intake.preview(work, caller);
    res.json({
      work: key,
      dryRun: true,
      destinations: preview.destinations,
      placements: [],
      pendingGroups: preview.pendingGroups,
      preview: preview.preview,
    });
  });

  router.delete('/works/:namespace/:name', async (req, res) => {
    const credentials = await access.credentials(req);
    const key = { namespace: req.params.namespace, name: req.params.name };
    // Authorized first (a refusal must not tell whether the work exists), inside the audit event.
    const result = await audited(
      access.deps.auditor,
      { eventId: 'work-delete', request: req, meta: { work: `${key.namespace}/${key.name}` } },
      async () => {
        await access.require(
          credentials,
          kratixWorkDeletePermission,
          `delete kratix work ${key.namespace}/${key.name}`,
          `${key.namespace}/${key.name}`,
        );
        return reconciler.intake.remove(key);
      },
    );
    res.status(202).json({ work: key, status: 'deleting', destinations: result.destinations });
  });

  return router;
}
