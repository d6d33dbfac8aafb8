import { createHash } from 'node:crypto';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { kratixEntityContent } from '@kratix-destinations/plugin-kratix-common';
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
  let listReads: number;
  let catalog: ReturnType<typeof catalogServiceMock.mock>;
  const makeSync = (fullReadIntervalMs: number, now?: () => number) =>
    new CatalogSync({
      db,
      catalog,
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
      orphanGraceMs: 60_000,
      fullReadIntervalMs,
      now,
    });

  beforeEach(async () => {
    db = await DatabaseKratixStore.create({
      database: { getClient: () => databases.init('SQLITE_3') },
    });
    entities = [store];
    fullReads = 0;
    listReads = 0;
    const kinds = (f: any) => new Set((Array.isArray(f) ? f : [f]).map((x: any) => x.kind));
    const facet = (items: Entity[], f: string) => {
      const counts = new Map<string, number>();
      for (const e of items) {
        const v = f === 'kind' ? e.kind : e.metadata.annotations?.['backstage.io/orphan'];
        if (v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
      }
      return [...counts].map(([value, count]) => ({ value, count }));
    };
    catalog = catalogServiceMock.mock({
      getEntities: jest.fn(async (req: any) => {
        listReads++;
        return { items: entities.map(withEtag).filter(e => kinds(req.filter).has(e.kind)) };
      }) as any,
      getEntityFacets: jest.fn(async (req: any) => {
        const items = entities.filter(e => kinds(req.filter).has(e.kind));
        return { facets: Object.fromEntries(req.facets.map((f: string) => [f, facet(items, f)])) };
      }) as any,
      getEntitiesByRefs: jest.fn(async (req: any) => {
        fullReads += req.entityRefs.length;
        return {
          items: req.entityRefs.map((r: string) =>
            entities.map(withEtag).find(e => stringifyEntityRef(e) === r),
          ),
        };
      }) as any,
    });
    // These cases read the list on every cycle; the gating has its own cases below.
    sync = makeSync(0);
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

  describe('between reads of the list', () => {
    let now: number;
    beforeEach(async () => {
      now = 1_000_000;
      sync = makeSync(60_000, () => now);
      entities.push(destination('dev', 'u1'));
      await sync.run();
      listReads = 0;
    });

    it('counts the catalog each cycle and reads its list only when something moved', async () => {
      now += 10_000;
      expect(await sync.run()).toMatchObject({ destinations: 1, stores: 1, rescheduled: false });
      expect(listReads).toBe(0);
      // A Destination added: the count moves.
      entities.push(destination('prod', 'u2'));
      now += 10_000;
      await sync.run();
      expect(listReads).toBe(1);
      expect(await db.destinations.get('prod')).toMatchObject({ uid: 'u2' });
      // Deleted: the count moves.
      entities = [store, destination('prod', 'u2')];
      now += 10_000;
      expect((await sync.run()).deleted).toEqual(['dev']);
      expect(listReads).toBe(2);
    });

    it('sees a changed spec at once when signalled, and without a signal at the next full read', async () => {
      entities = [store, destination('dev', 'u1', {}, { path: 'dev2' })];
      now += 10_000;
      await sync.run();
      expect(listReads).toBe(0);
      expect((await db.destinations.get('dev'))!.spec.path).toBe('dev');
      sync.noteChange('destination:default/dev');
      await sync.run();
      expect((await db.destinations.get('dev'))!.spec.path).toBe('dev2');
      // The signal is answered: the next cycle only counts.
      now += 10_000;
      await sync.run();
      expect(listReads).toBe(1);
      // A change not signalled waits for the next full read.
      entities = [store, destination('dev', 'u1', {}, { path: 'dev3' })];
      now += 10_000;
      await sync.run();
      expect(listReads).toBe(1);
      now += 60_000;
      await sync.run();
      expect(listReads).toBe(2);
      expect((await db.destinations.get('dev'))!.spec.path).toBe('dev3');
    });

    it('keeps reading for a while after a signal whose change does not show (not stitched yet)', async () => {
      sync.noteChange('destination:default/dev');
      now += 5_000;
      await sync.run();
      now += 15_000;
      await sync.run();
      expect(listReads).toBe(2);
      // Stitched late: still copied, and the signal answered.
      entities = [store, destination('dev', 'u1', {}, { path: 'late' })];
      now += 1_000;
      await sync.run();
      expect((await db.destinations.get('dev'))!.spec.path).toBe('late');
      now += 1_000;
      await sync.run();
      expect(listReads).toBe(3);
      // A signal nothing ever answers stops costing reads after 30 seconds.
      sync.noteChange('destination:default/nothing-changed');
      await sync.run();
      now += 29_000;
      await sync.run();
      now += 1_000;
      await sync.run();
      expect(listReads).toBe(5);
    });

    it('answers a signal only with the content it signalled (a change stitched late is not missed)', async () => {
      const pathOf = async () => (await db.destinations.get('dev'))!.spec.path;
      const signalled = destination('dev', 'u1', {}, { path: 'second' });
      sync.noteChange('destination:default/dev', kratixEntityContent(signalled));
      // The catalog still shows an earlier edit: copied, and the signal stays.
      entities = [store, destination('dev', 'u1', {}, { path: 'first' })];
      now += 1_000;
      await sync.run();
      expect(await pathOf()).toBe('first');
      entities = [store, signalled];
      now += 10_000;
      await sync.run();
      expect(await pathOf()).toBe('second');
      now += 10_000;
      await sync.run();
      expect(listReads).toBe(2);
    });

    it('sees an orphaned Destination by its count, and reads the catalog again before letting it go', async () => {
      entities = [store, destination('dev', 'u1', { 'backstage.io/orphan': 'true' })];
      now += 10_000;
      expect((await sync.run()).deleted).toEqual([]);
      expect(listReads).toBe(1);
      expect((await db.destinations.get('dev'))!.orphanSince).toBeDefined();
      await db.destinations.setOrphanSince('dev', new Date(now - 61_000));
      now += 10_000;
      expect((await sync.run()).deleted).toEqual(['dev']);
      expect(listReads).toBe(2);
    });

    it('keeps an orphan that came back while another left, though the counts did not move', async () => {
      entities.push(destination('prod', 'u2'));
      now += 10_000;
      await sync.run();
      entities = [
        store,
        destination('dev', 'u1', { 'backstage.io/orphan': 'true' }),
        destination('prod', 'u2'),
      ];
      now += 10_000;
      await sync.run();
      await db.destinations.setOrphanSince('dev', new Date(now - 61_000));
      entities = [
        store,
        destination('dev', 'u1'),
        destination('prod', 'u2', { 'backstage.io/orphan': 'true' }),
      ];
      now += 10_000;
      expect((await sync.run()).deleted).toEqual([]);
      expect((await db.destinations.get('dev'))!.orphanSince).toBeUndefined();
      expect((await db.destinations.get('prod'))!.orphanSince).toBeDefined();
    });
  });
});
