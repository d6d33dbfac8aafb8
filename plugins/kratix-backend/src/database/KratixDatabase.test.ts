import { TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { applyMigrations, KratixDatabase, workContentHash } from './KratixDatabase';
import { NewWork } from './types';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const work = (over: Partial<NewWork> = {}): NewWork => ({
  namespace: 'default',
  name: 'redis-my-redis-configure',
  promise: 'redis',
  resource: 'my-redis',
  pipeline: 'configure',
  groups: [
    {
      id: '5058f1af8388633f609cadb75a75dc9d',
      directory: '.',
      selectors: { environment: 'dev' },
      files: [
        { path: 'b.yaml', content: Buffer.from('b: 1\n') },
        { path: 'a.yaml', content: Buffer.from([0, 255, 1]) },
      ],
    },
  ],
  ...over,
});

describe.each(databases.eachSupportedId())('KratixDatabase on %p', databaseId => {
  let knex: Knex;
  let db: KratixDatabase;

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    db = await KratixDatabase.create(knex);
  });

  it('migrates down and up again', async () => {
    await knex.migrate.rollback(
      { directory: `${__dirname}/../../migrations`, tableName: 'kratix_knex_migrations' },
      true,
    );
    expect(await knex.schema.hasTable('kratix_works')).toBe(false);
    await applyMigrations(knex);
    expect(await knex.schema.hasTable('kratix_placements')).toBe(true);
  });

  it('stores a work with its files in order and bytes intact, and notices unchanged content', async () => {
    expect(await db.upsertWork(work())).toEqual({ changed: true, created: true });
    expect(await db.upsertWork(work())).toEqual({ changed: false, created: false });
    const stored = await db.getWork('default', 'redis-my-redis-configure');
    expect(stored).toMatchObject({
      promise: 'redis',
      resource: 'my-redis',
      pipeline: 'configure',
      contentHash: workContentHash(work()),
    });
    expect(stored!.groups).toEqual([
      {
        id: '5058f1af8388633f609cadb75a75dc9d',
        directory: '.',
        selectors: { environment: 'dev' },
        files: ['b.yaml', 'a.yaml'],
      },
    ]);
    expect(
      await db.groupFiles(
        'default',
        'redis-my-redis-configure',
        '5058f1af8388633f609cadb75a75dc9d',
      ),
    ).toEqual([
      { path: 'b.yaml', content: Buffer.from('b: 1\n') },
      { path: 'a.yaml', content: Buffer.from([0, 255, 1]) },
    ]);
    expect(Date.parse(stored!.createdAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('tracks placements: generations, written, failed, deleting, removed', async () => {
    await db.upsertStateStore({
      ref: 'GitStateStore:default/g',
      kind: 'GitStateStore',
      name: 'g',
      entityRef: 'gitstatestore:default/g',
      spec: { url: 'https://x' },
    });
    await db.upsertDestination({
      name: 'dev',
      entityRef: 'destination:default/dev',
      uid: 'u1',
      spec: { path: 'dev' },
      labels: { environment: 'dev' },
      stateStore: 'GitStateStore:default/g',
    });
    const p = {
      namespace: 'default',
      name: 'redis-my-redis-configure.dev-5058f',
      workNamespace: 'default',
      workName: 'redis-my-redis-configure',
      groupId: '5058f1af8388633f609cadb75a75dc9d',
      destination: 'dev',
      stateStore: 'GitStateStore:default/g',
    };
    await db.createPlacement(p);
    await db.createPlacement(p); // idempotent
    let [placement] = await db.listPlacements({ destination: 'dev' });
    expect(placement).toMatchObject({
      status: 'pending',
      generation: 1,
      writtenGeneration: 0,
      misplaced: false,
    });
    expect(await db.pendingCount('GitStateStore:default/g')).toBe(1);

    await db.markWritten(placement, 'abc123');
    [placement] = await db.listPlacements({ destination: 'dev' });
    expect(placement).toMatchObject({ status: 'written', writtenGeneration: 1, version: 'abc123' });
    expect(await db.pendingCount('GitStateStore:default/g')).toBe(0);

    // New content bumps the generation; a write of the old generation does not count.
    await db.upsertWork(
      work({
        groups: [{ ...work().groups[0], files: [{ path: 'c.yaml', content: Buffer.from('c') }] }],
      }),
    );
    const stale = placement;
    [placement] = await db.listPlacements({ destination: 'dev' });
    expect(placement.generation).toBe(2);
    await db.markWritten(stale, 'old');
    [placement] = await db.listPlacements({ destination: 'dev' });
    expect(placement).toMatchObject({ writtenGeneration: 1, version: 'abc123' });

    await db.markFailed(
      placement,
      'GitStateStore/g: cannot reach https://x while fetching (ECONNREFUSED)',
    );
    [placement] = await db.listPlacements({ destination: 'dev' });
    expect(placement).toMatchObject({
      status: 'failed',
      lastError: 'GitStateStore/g: cannot reach https://x while fetching (ECONNREFUSED)',
    });

    await db.setMisplaced(placement.namespace, placement.name, true);
    expect((await db.listPlacements())[0].misplaced).toBe(true);

    expect(await db.deleteWork('default', 'redis-my-redis-configure')).toBe(true);
    expect(await db.deleteWork('default', 'redis-my-redis-configure')).toBe(false);
    [placement] = await db.listPlacements({ destination: 'dev' });
    expect(placement.status).toBe('deleting');
    expect((await db.getWork('default', 'redis-my-redis-configure'))!.deletedAt).toBeDefined();
    await db.removePlacement(placement);
    expect(await db.listPlacements()).toEqual([]);
    expect(await db.getWork('default', 'redis-my-redis-configure')).toBeUndefined();
  });

  it('tracks Destinations: spec changes, deletion, removal with their placements', async () => {
    const before = (await db.getDestination('dev'))!;
    await db.setDestinationWritten('dev', before.specHash, before.spec);
    expect((await db.getDestination('dev'))!.writtenSpecHash).toBe(before.specHash);
    await db.upsertDestination({
      name: 'dev',
      entityRef: 'destination:default/dev',
      uid: 'u1',
      spec: { path: 'dev', initWorkloads: { enabled: false } },
      labels: {},
      stateStore: 'GitStateStore:default/g',
    });
    const after = (await db.getDestination('dev'))!;
    expect(after.specHash).not.toBe(after.writtenSpecHash);
    await db.setDestinationStatus('dev', true, 'Destination is ready');
    expect(await db.getDestination('dev')).toMatchObject({
      ready: true,
      message: 'Destination is ready',
    });
    await db.markDestinationDeleted('dev');
    expect(await db.listDestinations()).toEqual([]);
    expect((await db.listDestinations({ includeDeleted: true }))[0].deletedAt).toBeDefined();
    await db.removeDestination('dev');
    expect(await db.listDestinations({ includeDeleted: true })).toEqual([]);
  });

  it('records State Store status and forgets stores that left the catalog', async () => {
    await db.setStateStoreStatus('GitStateStore:default/g', {
      ready: true,
      message: 'State store is ready',
      version: 'v1',
      written: true,
      fullSync: true,
    });
    expect(await db.getStateStore('GitStateStore:default/g')).toMatchObject({
      ready: true,
      lastVersion: 'v1',
    });
    expect((await db.getStateStore('GitStateStore:default/g'))!.lastFullSyncAt).toBeDefined();
    await db.markStateStoresDeletedExcept([]);
    expect(await db.listStateStores()).toEqual([]);
  });
});
