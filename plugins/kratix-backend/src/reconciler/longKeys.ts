import { InputError } from '@backstage/errors';
import { keyTooLong } from '@kratix-destinations/plugin-kratix-common';
import type { KratixStore, NewWork, StoredDestination, StoredStateStore } from '../database';
import { effectiveLayout } from '../layout';

/** What the check needs of a placement (live or being created). */
interface PlacementOnStore {
  name: string;
  destination: string;
  groupId: string;
  stateStore: string;
}

/**
 * Refuses, at intake with a 400, a work whose file would become an S3
 * object key over the bucket's limit once the store's prefix and the
 * Destination's layout are added: otherwise it would be accepted and fail
 * only later, on its placement. Git has no such limit.
 */
export async function refuseLongKeys(
  db: KratixStore,
  work: NewWork,
  placements: PlacementOnStore[],
  destinations: Map<string, StoredDestination>,
): Promise<void> {
  const stores = new Map<string, StoredStateStore | undefined>();
  for (const p of placements) {
    if (!stores.has(p.stateStore)) stores.set(p.stateStore, await db.stateStores.get(p.stateStore));
    const store = stores.get(p.stateStore);
    const d = destinations.get(p.destination);
    const group = work.groups.find(g => g.id === p.groupId);
    if (store?.kind !== 'BucketStateStore' || !d || !group) continue;
    const layout = effectiveLayout(d);
    const message = keyTooLong(
      store.spec.path ?? '',
      { name: d.name, path: layout.path, mode: layout.mode },
      {
        namespace: work.namespace,
        promise: work.promise,
        resource: work.resource,
        pipeline: work.pipeline,
        groupId: group.id,
        name: p.name,
      },
      group.files.map(f => f.path),
    );
    if (message) throw new InputError(message);
  }
}
