import type { Request } from 'express';
import type { StoredPlacement } from '../../database';
import { pageOf, queryString } from '../requests/pages';
import { workSummary } from '../views';
import type { WorkRouteDeps } from './workDeps';

const keyOf = (p: { workNamespace: string; workName: string }) =>
  `${p.workNamespace}/${p.workName}`;

/** `GET /works`: one page of summaries, filtered and counted in the database after the policy. */
export async function listWorks({ db, access, reads }: WorkRouteDeps, req: Request) {
  const credentials = await access.credentials(req);
  const filter = {
    namespace: queryString(req, 'namespace'),
    promise: queryString(req, 'promise'),
    resource: queryString(req, 'resource'),
    destination: queryString(req, 'destination'),
    search: queryString(req, 'search'),
  };
  const page = await reads.worksPage(credentials, filter, pageOf(req));
  const placements = await db.placements.list({ works: page.items });
  const { shown, refs } = await reads.destinationsNamed(
    credentials,
    placements.map(p => p.destination),
  );
  const byWork = new Map<string, StoredPlacement[]>();
  for (const p of placements.filter(x => shown(x.destination)))
    byWork.set(keyOf(p), [...(byWork.get(keyOf(p)) ?? []), p]);
  return {
    items: page.items.map(w => workSummary(w, byWork.get(`${w.namespace}/${w.name}`) ?? [], refs)),
    totalCount: page.totalCount,
    nextCursor: page.nextCursor,
  };
}
