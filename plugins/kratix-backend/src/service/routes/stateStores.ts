import Router from 'express-promise-router';
import { InputError } from '@backstage/errors';
import { stateStoreRef } from '@internal/plugin-kratix-common';
import { ViewLoader } from '../viewLoader';
import type { Reconciler } from '../../reconciler';
import { queryString } from '../requests/pages';

export function stateStoresRouter(deps: { views: ViewLoader; reconciler: Reconciler }) {
  const router = Router();
  router.get('/statestores/:kind/:name', async (req, res) => {
    const { kind, name } = req.params;
    if (kind !== 'GitStateStore' && kind !== 'BucketStateStore') {
      throw new InputError(`kind: "${kind}" is not one of GitStateStore, BucketStateStore`);
    }
    const ref = stateStoreRef(kind, queryString(req, 'namespace') ?? 'default', name);
    res.json(await deps.views.stateStore(ref, s => deps.reconciler.credentialSource(s)));
  });
  return router;
}
