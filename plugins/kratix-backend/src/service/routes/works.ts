import Router from 'express-promise-router';
import type { Request } from 'express';
import { storedAsNew } from '../storedWork';
import { submitBulk } from './bulkWorks';
import type { WorkRouteDeps } from './workDeps';
import { listWorks, visibleWork } from './workReads';
import { deleteWork, previewOf, submitWork } from './workSubmit';

const keyOf = (req: Request) => ({ namespace: req.params.namespace, name: req.params.name });

/** `dryRun` may come as a query parameter or in the body; the body's copy is not part of the work. */
function splitDryRun(req: Request): { body: unknown; dryRun: boolean } {
  const raw = req.body;
  const dryRun = req.query.dryRun === 'true' || (raw as any)?.dryRun === true;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { body: raw, dryRun };
  const { dryRun: _ignored, ...body } = raw as Record<string, unknown>;
  return { body, dryRun };
}

export function worksRouter(deps: WorkRouteDeps) {
  const router = Router();
  router.post('/works', async (req, res) => {
    const { body, dryRun } = splitDryRun(req);
    const out = await submitWork(deps, req, body, dryRun);
    res.status(out.status).json(out.body);
  });
  router.post('/works/bulk', async (req, res) => {
    res.status(200).json({ items: await submitBulk(deps, req, (req.body as any)?.items) });
  });
  router.get('/works', async (req, res) => {
    res.json(await listWorks(deps, req));
  });
  router.get('/works/:namespace/:name', async (req, res) => {
    const work = await visibleWork(deps, req, keyOf(req));
    const seeDestination = await deps.access.destinationFilter(await deps.access.credentials(req));
    res.json(await deps.views.work(work, seeDestination));
  });
  router.get('/works/:namespace/:name/history', async (req, res) => {
    res.json({ items: await deps.views.history(await visibleWork(deps, req, keyOf(req))) });
  });
  // A re-run of a stored work, previewed: what its stores would change now.
  router.post('/works/:namespace/:name/preview', async (req, res) => {
    const key = keyOf(req);
    res.json(await previewOf(deps, req, await storedAsNew(deps.db, key), key, false));
  });
  router.delete('/works/:namespace/:name', async (req, res) => {
    const key = keyOf(req);
    const result = await deleteWork(deps, req, key);
    res.status(202).json({ work: key, status: 'deleting', destinations: result.destinations });
  });
  return router;
}
