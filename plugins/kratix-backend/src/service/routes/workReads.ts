import type { Request } from 'express';
import { NotFoundError } from '@backstage/errors';
import type { StoredPlacement, StoredWork, WorkKey } from '../../database';
import { pageOf, queryString } from '../requests/pages';
import { workSummary } from '../views';
import type { WorkRouteDeps } from './workDeps';

const keyOf = (p: { workNamespace: string; workName: string }) =>
  `${p.workNamespace}/${p.workName}`;

/** A work the caller may read, or 404 (the same answer whether it exists or not). */
export async function visibleWork(
  { db, access }: WorkRouteDeps,
  req: Request,
  key: WorkKey,
): Promise<StoredWork> {
  const credentials = await access.credentials(req);
  const work = await db.works.get(key);
  if (!work || !(await access.workFilter(credentials))(work)) {
    throw new NotFoundError(`work ${key.namespace}/${key.name} not found`);
  }
  return work;
}

/** A placement is shown unless its (live or deleted) Destination is hidden from the caller. */
async function placementFilter(
  { db, access }: WorkRouteDeps,
  req: Request,
  placements: StoredPlacement[],
) {
  const seeDestination = await access.destinationFilter(await access.credentials(req));
  const names = [...new Set(placements.map(p => p.destination))];
  const destinations = new Map(
    (await db.destinations.list({ includeDeleted: true, names })).map(d => [d.name, d]),
  );
  return (p: StoredPlacement) =>
    !destinations.get(p.destination) || seeDestination(destinations.get(p.destination)!);
}

/** `GET /works`: one page of summaries, filtered in the database, then by permission. */
export async function listWorks(deps: WorkRouteDeps, req: Request) {
  const { db, access } = deps;
  const canSee = await access.workFilter(await access.credentials(req));
  const filter = {
    namespace: queryString(req, 'namespace'),
    promise: queryString(req, 'promise'),
    resource: queryString(req, 'resource'),
    destination: queryString(req, 'destination'),
    search: queryString(req, 'search'),
  };
  const page = await db.works.list(filter, pageOf(req));
  const visible = page.items.filter(canSee);
  const placements = await db.placements.list({ works: visible });
  const shown = await placementFilter(deps, req, placements);
  const byWork = new Map<string, StoredPlacement[]>();
  for (const p of placements.filter(shown))
    byWork.set(keyOf(p), [...(byWork.get(keyOf(p)) ?? []), p]);
  return {
    items: visible.map(w => workSummary(w, byWork.get(`${w.namespace}/${w.name}`) ?? [])),
    totalCount: page.totalCount,
    nextCursor: page.nextCursor,
  };
}
