import { createHash } from 'node:crypto';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { DatabaseKratixStore } from '../database';
import { CatalogSync } from './CatalogSync';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

function destination(
  name: string,
  uid: string,
  annotations: Record<string, string> = {},
  over: Record<string, unknown> = {},
  namespace = 'default',
): Entity {
  return {
    apiVersion: 'platform.kratix.io/v1alpha1',
    kind: 'Destination',
    metadata: { name, namespace, uid, annotations, labels: { env: 'dev' } },
    spec: {
      path: name,
      stateStoreRef: { kind: 'GitStateStore', name: 'git' },
      cleanup: 'all',
      ...over,
    },
  };
}
const store: Entity = {
  apiVersion: 'platform.kratix.io/v1alpha1',
  kind: 'GitStateStore',
  metadata: { name: 'git', namespace: 'default', uid: 's' },
  spec: { url: 'https://g/r.git' },
};

/** The catalog's etag changes whenever the entity does. */
const withEtag = (e: Entity): Entity => ({
  ...e,
  metadata: { ...e.metadata, etag: createHash('sha1').update(JSON.stringify(e)).digest('hex') },
});

describe('CatalogSync', () => {
  let db: DatabaseKratixStore;
  let entities: Entity[];
  let sync: CatalogSync;
  let fullReads: number;

  beforeEach(async () => {
    db = await DatabaseKratixStore.create({
      database: { getClient: () => databases.init('SQLITE_3') },
    });
    entities = [store];
    fullReads = 0;
    const kinds = (f: any) => new Set((Array.isArray(f) ? f : [f]).map((x: any) => x.kind));
    const catalog = catalogServiceMock.mock({
      getEntities: jest.fn(async (req: any) => ({
        items: entities.map(withEtag).filter(e => kinds(req.filter).has(e.kind)),
      })) as any,
      getEntitiesByRefs: jest.fn(async (req: any) => {
        fullReads += req.entityRefs.length;
        return {
          items: req.entityRefs.map((r: string) =>
            entities.map(withEtag).find(e => stringifyEntityRef(e) === r),
          ),
        };
      }) as any,
    });
    sync = new CatalogSync({
      db,
      catalog,
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
      orphanGraceMs: 60_000,
    });
  });

  it('copies Destinations and stores with their defaults, and forgets a store that left', async () => {
    entities.push(destination('dev', 'u1'));
    expect(await sync.run()).toMatchObject({
      destinations: 1,
      stores: 1,
      deleted: [],
      rescheduled: true,
    });
    expect(await db.destinations.get('dev')).toMatchObject({
      entityRef: 'destination:default/dev',
      namespace: 'default',
      uid: 'u1',
      labels: { env: 'dev' },
      stateStore: 'GitStateStore:default/git',
      spec: {
        path: 'dev',
        filepath: { mode: 'nestedByMetadata' },
        initWorkloads: { enabled: true },
        strictMatchLabels: false,
        cleanup: 'all',
      },
    });
    expect(await db.stateStores.get('GitStateStore:default/git')).toMatchObject({
      spec: { branch: 'main', authMethod: 'basicAuth' },
    });
    entities = entities.filter(e => e.kind !== 'GitStateStore');
    await sync.run();
    expect(await db.stateStores.list()).toEqual([]);
  });

  it('reads in full and writes only what changed', async () => {
    entities.push(destination('dev', 'u1'), destination('prod', 'u2'));
    await sync.run();
    expect(fullReads).toBe(3);
    fullReads = 0;
    expect(await sync.run()).toMatchObject({ rescheduled: false, touched: new Set() });
    expect(fullReads).toBe(0);
    entities = [store, destination('dev', 'u1', {}, { path: 'dev2' }), destination('prod', 'u2')];
    await sync.run();
    expect(fullReads).toBe(1);
  });

  it('marks a Destination that left the catalog as deleted', async () => {
    entities.push(destination('dev', 'u1'));
    await sync.run();
    entities = [store];
    expect((await sync.run()).deleted).toEqual(['dev']);
    expect((await db.destinations.get('dev'))!.deletedAt).toBeDefined();
  });

  it('treats a new uid under the same name as a deletion first', async () => {
    entities.push(destination('dev', 'u1'));
    await sync.run();
    entities = [store, destination('dev', 'u2')];
    expect((await sync.run()).deleted).toEqual(['dev']);
    // The new one waits until the old one is cleaned up.
    expect((await sync.run()).deleted).toEqual([]);
    expect((await db.destinations.get('dev'))!.uid).toBe('u1');
    await db.destinations.remove(['dev']);
    await sync.run();
    expect(await db.destinations.get('dev')).toMatchObject({ uid: 'u2' });
  });

  it('takes one Destination per name, across namespaces', async () => {
    entities.push(destination('dev', 'u1'), destination('dev', 'u9', {}, {}, 'other'));
    await sync.run();
    expect(await db.destinations.list()).toMatchObject([
      { name: 'dev', namespace: 'default', uid: 'u1' },
    ]);
  });

  it('counts an orphaned Destination as deleted only after the grace period', async () => {
    entities.push(destination('dev', 'u1'));
    await sync.run();
    entities = [store, destination('dev', 'u1', { 'backstage.io/orphan': 'true' })];
    expect((await sync.run()).deleted).toEqual([]);
    const d = (await db.destinations.get('dev'))!;
    expect(d.orphanSince).toBeDefined();
    expect(d.deletedAt).toBeUndefined();
    await db.destinations.setOrphanSince('dev', new Date(Date.now() - 61_000));
    expect((await sync.run()).deleted).toEqual(['dev']);
  });

  it('clears the orphan mark when the Destination is back in its location', async () => {
    entities.push(destination('dev', 'u1', { 'backstage.io/orphan': 'true' }));
    await sync.run();
    entities = [store, destination('dev', 'u1')];
    await sync.run();
    expect((await db.destinations.get('dev'))!.orphanSince).toBeUndefined();
  });
});
