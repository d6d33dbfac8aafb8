import Router from 'express-promise-router';
import type { Request } from 'express';
import { InputError } from '@backstage/errors';
import {
  DestinationFilesView,
  StoreFileView,
  stateStoreLabel,
} from '@kratix-destinations/plugin-kratix-common';
import type { KratixStore, StoredDestination } from '../../database';
import type { Reconciler } from '../../reconciler';
import { Access } from '../access';
import type { ReadAccess } from '../ReadAccess';
import { pageOf, queryString } from '../requests/pages';
import { destinationSummary } from '../views';
import { ViewLoader } from '../viewLoader';
import { WebLinks } from '../webLinks';

interface DestinationRouteDeps {
  db: KratixStore;
  reconciler: Reconciler;
  access: Access;
  reads: ReadAccess;
  views: ViewLoader;
  links: WebLinks;
}

/** A Destination the caller may see, or 404 (an invisible one is not there for them). */
async function visible({ access, reads }: DestinationRouteDeps, req: Request) {
  return reads.destination(await access.credentials(req), req.params.name);
}

/** `GET /destinations`: one page of the Destinations the caller may see, counted after the policy. */
async function listDestinations({ db, access, reads }: DestinationRouteDeps, req: Request) {
  const filter = { search: queryString(req, 'search'), stateStore: queryString(req, 'stateStore') };
  const page = await reads.destinationsPage(await access.credentials(req), filter, pageOf(req));
  const counts = await db.placements.countsByDestination(page.items.map(d => d.name));
  return {
    items: page.items.map(d => destinationSummary(d, counts.get(d.name))),
    totalCount: page.totalCount,
    nextCursor: page.nextCursor,
  };
}

/** `GET /destinations/:name/files`: what the store holds under the Destination, and whose each file is. */
async function destinationFiles(
  deps: DestinationRouteDeps,
  d: StoredDestination,
): Promise<DestinationFilesView> {
  const store = await deps.db.stateStores.get(d.stateStore);
  const browsed = await deps.reconciler.browse.files(d);
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
  return {
    destination: d.name,
    stateStore: stateStoreLabel(d.stateStore),
    root: browsed.root,
    version: browsed.version,
    files,
    truncated: browsed.truncated,
  };
}

export function destinationsRouter(deps: DestinationRouteDeps) {
  const router = Router();
  router.get('/destinations', async (req, res) => {
    res.json(await listDestinations(deps, req));
  });
  router.get('/destinations/:name', async (req, res) => {
    res.json(await deps.views.destination(await visible(deps, req), pageOf(req)));
  });
  router.get('/destinations/:name/placements', async (req, res) => {
    const d = await visible(deps, req);
    res.json(await deps.views.placements(d.name, pageOf(req)));
  });
  router.get('/destinations/:name/files', async (req, res) => {
    res.json(await destinationFiles(deps, await visible(deps, req)));
  });
  router.get('/destinations/:name/files/content', async (req, res) => {
    const d = await visible(deps, req);
    const path = queryString(req, 'path');
    if (!path) {
      throw new InputError(
        'path: is required, e.g. ?path=dev/resources/kratix-canary-configmap.yaml',
      );
    }
    res.type('application/octet-stream').send(await deps.reconciler.browse.content(d, path));
  });
  return router;
}

/** The work of a placement: `<work>.<destination>-<group>`, and work names hold no dot. */
function workOf(p: { namespace: string; name: string } | undefined) {
  return p ? { namespace: p.namespace, name: p.name.slice(0, p.name.indexOf('.')) } : undefined;
}
