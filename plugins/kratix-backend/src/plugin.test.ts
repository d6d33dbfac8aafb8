import request from 'supertest';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { coreServices, createServiceFactory } from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { kratixPlugin } from './plugin';

const entities: Entity[] = [
  {
    apiVersion: 'platform.kratix.io/v1alpha1',
    kind: 'GitStateStore',
    metadata: { name: 'git', namespace: 'default', uid: 's1' },
    spec: { url: 'http://127.0.0.1:1/state.git', secretRef: { name: 'git' } },
  },
  {
    apiVersion: 'platform.kratix.io/v1alpha1',
    kind: 'Destination',
    metadata: { name: 'dev-1', namespace: 'default', uid: 'd1', labels: { env: 'dev' } },
    spec: { path: 'dev-1', stateStoreRef: { kind: 'GitStateStore', name: 'git' } },
  },
  {
    apiVersion: 'platform.kratix.io/v1alpha1',
    kind: 'Destination',
    metadata: { name: 'dev-2', namespace: 'default', uid: 'd2', labels: { env: 'dev' } },
    spec: { path: 'dev-2', stateStoreRef: { kind: 'GitStateStore', name: 'git' } },
  },
];

const catalog = () =>
  catalogServiceMock.mock({
    getEntities: jest.fn(async (req: any) => {
      const kinds = new Set(
        (Array.isArray(req?.filter) ? req.filter : [req?.filter]).map((f: any) => f?.kind),
      );
      return { items: entities.filter(e => kinds.has(e.kind)) };
    }) as any,
    getEntitiesByRefs: jest.fn(async (req: any) => ({
      items: req.entityRefs.map((r: string) => entities.find(e => stringifyEntityRef(e) === r)),
    })) as any,
    // The entities never change here: the counts only have to be counts.
    getEntityFacets: jest.fn(async () => ({
      facets: { kind: [{ value: 'Destination', count: entities.length }] },
    })) as any,
  });

let scheduler: ReturnType<typeof mockServices.scheduler>;

async function backend(
  permission: AuthorizeResult.ALLOW | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
) {
  // The functional mock scheduler runs a task when triggered and awaits it.
  scheduler = mockServices.scheduler();
  const { server } = await startTestBackend({
    features: [
      kratixPlugin,
      catalog().factory,
      createServiceFactory({ service: coreServices.scheduler, deps: {}, factory: () => scheduler }),
      mockServices.permissions.factory({ result: permission }),
      mockServices.rootConfig.factory({
        data: {
          kratix: {
            secrets: {
              git: {
                allowedHosts: ['127.0.0.1:1'],
                username: 'u',
                password: 'top-secret-password',
              },
            },
          },
        },
      }),
    ],
  });
  return server;
}

const work = {
  promise: 'app',
  resource: 'one',
  pipeline: 'p',
  destinationSelectors: { env: 'dev' },
  files: [{ path: 'a.yaml', content: 'a: 1\n' }],
};

describe('kratix plugin', () => {
  it('serves an unauthenticated health check and refuses everything else without credentials', async () => {
    const server = await backend();
    expect((await request(server).get('/api/kratix/health')).status).toBe(200);
    const res = await request(server)
      .post('/api/kratix/works')
      .set('Authorization', mockCredentials.none.header())
      .send(work);
    expect(res.status).toBe(401);
  });

  it('answers 400 naming the fields of a bad work', async () => {
    const server = await backend();
    const res = await request(server).post('/api/kratix/works').send({ promise: 'app', files: [] });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      'pipeline: is required; files: at least one file is required, as [{path, content}]',
    );
  });

  it('answers 403 when the permission policy denies creating or deleting works', async () => {
    const server = await backend(AuthorizeResult.DENY);
    const res = await request(server).post('/api/kratix/works').send(work);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe('not allowed to create kratix works in namespace default');
    expect((await request(server).delete('/api/kratix/works/default/app-one-p')).status).toBe(403);
  });

  it('schedules a work onto a Destination read from the catalog, at once', async () => {
    const server = await backend();
    await scheduler.triggerTask('kratix-catalog-sync');
    const dests = await request(server).get('/api/kratix/destinations');
    expect(dests.body.items.map((d: any) => d.name)).toEqual(['dev-1', 'dev-2']);

    const dry = await request(server).post('/api/kratix/works?dryRun=true').send(work);
    expect(dry.status).toBe(200);
    expect(dry.body.dryRun).toBe(true);
    expect((await request(server).get('/api/kratix/works')).body.items).toEqual([]);

    const res = await request(server).post('/api/kratix/works').send(work);
    expect(res.status).toBe(201);
    expect(res.body.destinations).toEqual(dry.body.destinations);
    expect(res.body.destinations).toHaveLength(1);
    expect(res.body.placements[0]).toMatchObject({
      name: `app-one-p.${res.body.destinations[0]}-5058f`,
      location: {
        stateStore: 'GitStateStore/git',
        url: 'http://127.0.0.1:1/state.git',
        path: `${res.body.destinations[0]}/resources/default/app/one/p/5058f`,
      },
    });
    const got = await request(server).get('/api/kratix/works/default/app-one-p');
    expect(got.body).toMatchObject({
      name: 'app-one-p',
      kind: 'resource',
      workloadGroups: [{ directory: '.', destinationSelectors: { env: 'dev' }, files: ['a.yaml'] }],
    });
    expect((await request(server).get('/api/kratix/works/default/missing')).status).toBe(404);
  });

  it('reports a store it cannot write on the store, its Destinations and placements, without the secret', async () => {
    const server = await backend();
    await scheduler.triggerTask('kratix-catalog-sync');
    await request(server).post('/api/kratix/works').send(work).expect(201);
    await scheduler.triggerTask('kratix-store-loop');
    const store = await request(server).get('/api/kratix/statestores/GitStateStore/git');
    expect(store.body).toMatchObject({
      ready: false,
      status: 'NotReady',
      message: 'GitStateStore/git: cannot reach http://127.0.0.1:1/state.git (ECONNREFUSED)',
      spec: { secretRef: { name: 'git' } },
    });
    const dest = await request(server).get('/api/kratix/destinations/dev-1');
    expect(dest.body).toMatchObject({
      ready: false,
      message:
        'Failed to write to State Store: GitStateStore/git: cannot reach http://127.0.0.1:1/state.git (ECONNREFUSED)',
    });
    const w = await request(server).get('/api/kratix/works/default/app-one-p');
    expect(w.body.placements[0]).toMatchObject({
      status: 'failed',
      lastError: expect.stringContaining('ECONNREFUSED'),
    });
    expect(JSON.stringify([store.body, dest.body, w.body])).not.toContain('top-secret-password');
    expect((await request(server).get('/api/kratix/statestores/Nope/git')).status).toBe(400);
    expect((await request(server).get('/api/kratix/statestores/BucketStateStore/git')).status).toBe(
      404,
    );
  });
});
