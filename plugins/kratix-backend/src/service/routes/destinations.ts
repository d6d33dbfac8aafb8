import Router from 'express-promise-router';
import type { Request } from 'express';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  DestinationFilesView,
  StoreFileView,
  stateStoreLabel,
} from '@internal/plugin-kratix-common';
import type { KratixStore, StoredDestination } from '../../database';
import type { Reconciler } from '../../reconciler';
import { Access } from '../access';
import { pageOf, queryString } from '../requests/pages';
import { destinationSummary } from '../views';
import { ViewLoader } from '../viewLoader';
import { WebLinks } from '../webLinks';

export function destinationsRouter(deps: {
  db: KratixStore;
  reconciler: Reconciler;
  access: Access;
  views: ViewLoader;
  links: WebLinks;
}) {
  const { db, reconciler, access, views } = deps;
  const router = Router();

  /** A Destination the caller may see, or 404 (an invisible one is not there for them). */
  async function visible(req: Request): Promise<StoredDestination> {
    const d = await db.destinations.get(req.params.name);
    const canSee = await access.destinationFilter(await access.credentials(req));
    if (!d || !canSee(d))
      throw new NotFoundError(
        `destination ${req.params.name} not found; is it in the catalog and valid?`,
      );
    return d;
  }

  router.get('/destinations', async (req, res) => {
    const canSee = await access.destinationFilter(await access.credentials(req));
    const page = await db.destinations.page(
      { search: queryString(req, 'search'), stateStore: queryString(req, 'stateStore') },
      pageOf(req),
    );
    const items = page.items.filter(canSee);
    const counts = await db.placements.countsByDestination(items.map(d => d.name));
    res.json({
      items: items.map(d => destinationSummary(d, counts.get(d.name))),
      totalCount: page.totalCount,
      nextCursor: page.nextCursor,
    });
  });

  router.get('/destinations/:name', async (req, res) => {
    res.json(await views.destination(await visible(req), pageOf(req)));
  });

  router.get('/destinations/:name/placements', async (req, res) => {
    const d = await visible(req);
    res.json(await views.placements(d.name, pageOf(req)));
  });

  router.get('/destinations/:name/files', async (req, res) => {
    const d = await visible(req);
    const store = await db.stateStores.get(d.stateStore);
    const browsed = await reconciler.browse.files(d);
    const git =
      store?.kind === 'GitStateStore' ? (store.spec as { url: string; branch: string }) : undefined;
    const files: StoreFileView[] = browsed.files.map(f => ({
      path: f.path,
      relativePath: f.relativePath,
      managed: Boolean(f.owned),
      kind: f.owned?.kind,
      placement: f.owned?.placement?.name,
      work: workOf(f.owned?.placement),
      webUrl: git ? deps.links.file(git.url, git.branch, f.path) : undefined,
    }));
    const view: DestinationFilesView = {
      destination: d.name,
      stateStore: stateStoreLabel(d.stateStore),
      root: browsed.root,
      version: browsed.version,
      files,
      truncated: browsed.truncated,
    };
    res.json(view);
  });

  router.get('/destinations/:name/files/content', async (req, res) => {
    const d = await visible(req);
    const path = queryString(req, 'path');
    if (!path)
      throw new InputError(
        'path: is required, e.g. ?path=dev/resources/kratix-canary-configmap.yaml',
      );
    const content = await reconciler.browse.content(d, path);
    res.type('application/octet-stream').send(content);
  });

  return router;
}

/** The work of a placement: `<work>.<destination>-<group>`, and work names hold no dot. */
function workOf(p: { namespace: string; name: string } | undefined) {
  return p ? { namespace: p.namespace, name: p.name.slice(0, p.name.indexOf('.')) } : undefined;
}
