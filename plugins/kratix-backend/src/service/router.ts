import express from 'express';
import Router from 'express-promise-router';
import type { KratixConfig } from '../config';
import type { KratixStore } from '../database';
import type { Reconciler } from '../reconciler';
import { StoreError } from '../writers';
import { InputError, ServiceUnavailableError } from '@backstage/errors';
import { Access } from './access';
import { ReadAccess } from './ReadAccess';
import { CatalogErrors } from './CatalogErrors';
import { charsetOf, jsonBody } from './requests/body';
import { queryErrors } from './requests/pages';
import { destinationsRouter } from './routes/destinations';
import { stateStoresRouter } from './routes/stateStores';
import { worksRouter } from './routes/works';
import { ViewLoader } from './viewLoader';
import { WebLinks } from './webLinks';

export interface RouterOptions {
  db: KratixStore;
  reconciler: Reconciler;
  access: Access;
  links: WebLinks;
  config: KratixConfig;
  catalogErrors?: CatalogErrors;
}

/**
 * A body that is not JSON is a 415 that says what to send, not a list of
 * missing fields; so is JSON in another charset than UTF-8 (it would be
 * decoded into garbage). A query parameter with a control character is a
 * 400 naming it, before any route reads it.
 */
function requireJson(req: express.Request, res: express.Response, next: express.NextFunction) {
  const hasBody =
    Number(req.headers['content-length'] ?? 0) > 0 ||
    req.headers['transfer-encoding'] !== undefined;
  const contentType = req.headers['content-type'];
  const unsupported = (message: string) =>
    res.status(415).json({ error: { name: 'UnsupportedMediaTypeError', message } });
  if (['POST', 'PUT', 'PATCH'].includes(req.method) && hasBody) {
    if (!req.is('application/json')) {
      unsupported(
        `Content-Type: "${contentType ?? '(none)'}" is not supported; send the body as JSON with Content-Type: application/json`,
      );
      return;
    }
    const charset = charsetOf(contentType);
    if (charset !== undefined && charset !== 'utf-8') {
      unsupported(
        `Content-Type: charset "${charset}" is not supported; send the JSON body encoded as UTF-8, with Content-Type: application/json or application/json; charset=utf-8`,
      );
      return;
    }
  }
  const errors = queryErrors(req.query);
  if (errors.length > 0) {
    next(new InputError(errors.join('; ')));
    return;
  }
  next();
}

/** A store that cannot be reached while answering a request is a 503 that names the store. */
function storeErrors(
  err: Error,
  _req: express.Request,
  _res: express.Response,
  next: express.NextFunction,
) {
  if (err instanceof StoreError) next(new ServiceUnavailableError(err.message));
  else next(err);
}

/** The HTTP API: parses, authorizes, and enters the reconciler through its intake. */
export async function createRouter(options: RouterOptions): Promise<express.Router> {
  const { db, reconciler, access, config } = options;
  const views = new ViewLoader(db, options.links);
  const reads = new ReadAccess({ db, access });
  const router = Router();
  router.use(requireJson);
  router.use(jsonBody(Math.ceil(config.works.maxWorkBytes * 1.5) + 1024 * 1024));
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.use(worksRouter({ db, reconciler, access, reads, views, config }));
  router.use(destinationsRouter({ db, reconciler, access, reads, views, links: options.links }));
  router.use(stateStoresRouter({ views, reconciler, access }));
  // Why a Destination or State Store is missing from the catalog: its latest processing errors.
  router.get('/catalog-errors', async (_req, res) => {
    res.json({ items: options.catalogErrors?.list() ?? [] });
  });
  router.use(storeErrors);
  return router;
}
