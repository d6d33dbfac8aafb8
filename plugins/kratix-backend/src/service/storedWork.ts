import { NotFoundError } from '@backstage/errors';
import type { KratixStore, NewWork, WorkKey } from '../database';

/** A stored work as a submission again, with its contents: what a re-run preview sends. */
export async function storedAsNew(db: KratixStore, key: WorkKey): Promise<NewWork> {
  const w = await db.works.get(key);
  if (!w || w.deletedAt) throw new NotFoundError(`work ${key.namespace}/${key.name} not found`);
  const files = await db.works.groupFiles(
    w.groups.map(g => ({ namespace: w.namespace, name: w.name, groupId: g.id })),
  );
  return {
    namespace: w.namespace,
    name: w.name,
    promise: w.promise,
    resource: w.resource,
    pipeline: w.pipeline,
    groups: w.groups.map(g => ({
      id: g.id,
      directory: g.directory,
      selectors: g.selectors,
      files: files.get(`${w.namespace}/${w.name}/${g.id}`) ?? [],
    })),
  };
}
