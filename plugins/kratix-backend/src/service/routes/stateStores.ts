import Router from 'express-promise-router';
import { InputError } from '@backstage/errors';
import {
  kratixStateStoreReadPermission,
  stateStoreRef,
} from '@kratix-destinations/plugin-kratix-common';
import { ViewLoader } from '../viewLoader';
import type { Reconciler } from '../../reconciler';
import type { Access } from '../access';
import { queryString } from '../requests/pages';

/**
 * `GET /statestores/:kind/:name`: a store's page needs `kratix.statestore.read`;
 * it names only the Destinations the caller may read, and counts only theirs.
 */
export function stateStoresRouter(deps: {
  views: ViewLoader;
  reconciler: Reconciler;
  access: Access;
}) {
  const router = Router();
  router.get('/statestores/:kind/:name', async (req, res) => {
    const { kind, name } = req.params;
    if (kind !== 'GitStateStore' && kind !== 'BucketStateStore') {
      throw new InputError(`kind: "${kind}" is not one of GitStateStore, BucketStateStore`);
    }
    const namespace = queryString(req, 'namespace') ?? 'default';
    const credentials = await deps.access.credentials(req);
    const label = `${kind}/${namespace === 'default' ? '' : `${namespace}/`}${name}`;
    await deps.access.require(
      credentials,
      kratixStateStoreReadPermission,
      `read kratix State Store ${label}`,
    );
    const ref = stateStoreRef(kind, namespace, name);
    res.json(
      await deps.views.stateStore(
        ref,
        s => deps.reconciler.credentialSource(s),
        await deps.access.destinationFilter(credentials),
      ),
    );
  });
  return router;
}
