import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Entity } from '@backstage/catalog-model';
import { KratixDatabase } from '../database';
import { CatalogSync } from './CatalogSync';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

function destination(name: string, uid: string, annotations: Record<string, string> = {}): Entity {
  return {
    apiVersion: 'platform.kratix.io/v1alpha1',
    kind: 'Destination',
    metadata: { name, namespace: 'default', uid, annotations, labels: { env: 'dev' } },
    spec: { path: name, stateStoreRef: { kind: 'GitStateStore', name: 'git' }, cleanup: 'all' },
  };
}
const store: Entity = {
  apiVersion: 'platform.kratix.io/v1alpha1',
  kind: 'GitStateStore',
  metadata: { name: 'git', namespace: 'default', uid: 's' },
  spec: { url: 'https://g/r.git' },
};

describe('CatalogSync', () => {
  let db: KratixDatabase;
  let entities: Entity[];
  let sync: CatalogSync;

  beforeEach(async () => {
    db = await KratixDatabase.create(await databases.init('SQLITE_3'));
    entities = [store];
    const catalog = catalogServiceMock.mock({
      getEntities: jest.fn(async (req: any) => ({
        items: entities.filter(e => e.kind === req.filter.kind),
      })) as any,
    });
    sync = new CatalogSync(db, catalog, mockServices.auth(), mockServices.logger.mock(), {
      orphanGraceMs: 60_000,
    });
  });

  it('copies Destinations and stores with their defaults, and forgets a store that left', async () => {
    entities.push(destination('dev', 'u1'));
    expect(await sync.run()).toEqual({ destinations: 1, stores: 1, deleted: [] });
    expect(await db.getDestination('dev')).toMatchObject({
      entityRef: 'destination:default/dev',
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
    expect(await db.getStateStore('GitStateStore:default/git')).toMatchObject({
      spec: { branch: 'main', authMethod: 'basicAuth' },
    });
    entities = entities.filter(e => e.kind !== 'GitStateStore');
    await sync.run();
    expect(await db.listStateStores()).toEqual([]);
  });

  it('marks a Destination that left the catalog as deleted', async () => {
    entities.push(destination('dev', 'u1'));
    await sync.run();
    entities = [store];
    expect((await sync.run()).deleted).toEqual(['dev']);
    expect((await db.getDestination('dev'))!.deletedAt).toBeDefined();
  });

  it('treats a new uid under the same name as a deletion first', async () => {
    entities.push(destination('dev', 'u1'));
    await sync.run();
    entities = [store, destination('dev', 'u2')];
    expect((await sync.run()).deleted).toEqual(['dev']);
    // The new one waits until the old one is cleaned up.
    expect((await sync.run()).deleted).toEqual([]);
    expect((await db.getDestination('dev'))!.uid).toBe('u1');
    await db.removeDestination('dev');
    await sync.run();
    expect(await db.getDestination('dev')).toMatchObject({ uid: 'u2' });
  });

  it('counts an orphaned Destination as deleted only after the grace period', async () => {
    entities.push(destination('dev', 'u1'));
    await sync.run();
    entities = [store, destination('dev', 'u1', { 'backstage.io/orphan': 'true' })];
    expect((await sync.run()).deleted).toEqual([]);
    const d = (await db.getDestination('dev'))!;
    expect(d.orphanSince).toBeDefined();
    expect(d.deletedAt).toBeUndefined();
    await db.setDestinationOrphan('dev', new Date(Date.now() - 61_000));
    expect((await sync.run()).deleted).toEqual(['dev']);
  });

  it('clears the orphan mark when the Destination is back in its location', async () => {
    entities.push(destination('dev', 'u1', { 'backstage.io/orphan': 'true' }));
    await sync.run();
    entities = [store, destination('dev', 'u1')];
    await sync.run();
    expect((await db.getDestination('dev'))!.orphanSince).toBeUndefined();
  });
});
