import Router from 'express-promise-router';
import type { Request } from 'express';
import { storedAsNew } from '../storedWork';
import { submitBulk } from './bulkWorks';
import type { WorkRouteDeps } from './workDeps';
import { listWorks } from './workReads';
import { deleteWork, previewOf, submitWork } from './workSubmit';

const keyOf = (req: Request) => ({ namespace: req.params.namespace, name: req.params.name });

/** `dryRun` may come as a query parameter or in the body; the body's copy is not part of the work. */
function splitDryRun(req: Request): { body: unknown; dryRun: boolean } {
  const raw: unknown = req.body;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    return { body: raw, dryRun: req.query.dryRun === 'true' };
  const { dryRun: inBody, ...body } = raw as Record<string, unknown>;
  return { body, dryRun: req.query.dryRun === 'true' || inBody === true };
}

export function worksRouter(deps: WorkRouteDeps) {
  const router = Router();
  const { access, reads, views } = deps;
  router.post('/works', async (req, res) => {
    const { body, dryRun } = splitDryRun(req);
    const out = await submitWork(deps, req, body, dryRun);
    res.status(out.status).json(out.body);
  });
  router.post('/works/bulk', async (req, res) => {
    const items = (req.body as { items?: unknown } | null)?.items;
    res.status(200).json({ items: await submitBulk(deps, req, items) });
  });
  router.get('/works', async (req, res) => {
    res.json(await listWorks(deps, req));
  });
  router.get('/works/:namespace/:name', async (req, res) => {
    const credentials = await access.credentials(req);
    const work = await reads.work(credentials, keyOf(req));
    res.json(await views.work(work, await access.destinationFilter(credentials)));
  });
  router.get('/works/:namespace/:name/history', async (req, res) => {
    const credentials = await access.credentials(req);
    const work = await reads.work(credentials, keyOf(req));
    const events = await views.history(work);
    const shown = await reads.visibleDestinations(
      credentials,
      events.map(e => e.destination),
    );
    res.json({ items: events.filter(e => shown(e.destination)) });
  });
  // A re-run of a stored work, previewed: what its stores would change now. Read like the work,
  // then allowed like posting it again (kratix.work.update on it), as the dry run.
  router.post('/works/:namespace/:name/preview', async (req, res) => {
    const key = keyOf(req);
    await reads.work(await access.credentials(req), key);
    res.json(await previewOf(deps, req, await storedAsNew(deps.db, key), key));
  });
  router.delete('/works/:namespace/:name', async (req, res) => {
    const key = keyOf(req);
    const result = await deleteWork(deps, req, key);
    const shown = await reads.visibleDestinations(
      await access.credentials(req),
      result.destinations,
    );
    res.status(202).json({
      work: key,
      status: 'deleting',
      destinations: result.destinations.filter(shown),
    });
  });
  return router;
}
