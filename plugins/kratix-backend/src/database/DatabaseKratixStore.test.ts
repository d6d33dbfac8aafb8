import { TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { DestinationSpec } from '@kratix-destinations/plugin-kratix-common';
import { applyMigrations, DatabaseKratixStore } from './DatabaseKratixStore';
import { workContentHash } from './tables/works';
import { NewWork } from './types';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const GROUP = '5058f1af8388633f609cadb75a75dc9d';
const work = (over: Partial<NewWork> = {}): NewWork => ({
  namespace: 'default',
  name: 'redis-my-redis-configure',
  promise: 'redis',
  resource: 'my-redis',
  pipeline: 'configure',
  createdBy: 'user:default/jo',
  ownerRefs: ['user:default/jo', 'group:default/team-a'],
  groups: [
    {
      id: GROUP,
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

const spec = (over: Partial<DestinationSpec> = {}): DestinationSpec => ({
  path: 'dev',
  stateStoreRef: { kind: 'GitStateStore', name: 'g' },
  strictMatchLabels: false,
  filepath: { mode: 'nestedByMetadata' },
  cleanup: 'none',
  initWorkloads: { enabled: true },
  ...over,
});

const placement = {
  namespace: 'default',
  name: 'redis-my-redis-configure.dev-5058f',
  workNamespace: 'default',
  workName: 'redis-my-redis-configure',
  groupId: GROUP,
  destination: 'dev',
  stateStore: 'GitStateStore:default/g',
};

describe.each(databases.eachSupportedId())('DatabaseKratixStore on %p', databaseId => {
  let knex: Knex;
  let db: DatabaseKratixStore;

  // A fresh database for every test: none depends on another's rows.
  beforeEach(async () => {
    knex = await databases.init(databaseId);
    db = await DatabaseKratixStore.create({ database: { getClient: async () => knex } });
  });

  /** The State Store `g` and the Destination `dev` on it. */
  const storeAndDestination = async () => {
    await db.stateStores.upsert([
      {
        ref: 'GitStateStore:default/g',
        kind: 'GitStateStore',
        name: 'g',
        namespace: 'default',
        entityRef: 'gitstatestore:default/g',
        spec: { url: 'https://x' } as any,
      },
    ]);
    await db.destinations.upsert([
      {
        name: 'dev',
        namespace: 'default',
        entityRef: 'destination:default/dev',
        uid: 'u1',
        spec: spec(),
        labels: { environment: 'dev' },
        stateStore: 'GitStateStore:default/g',
      },
    ]);
  };

  it('migrates down and up again', async () => {
    await knex.migrate.rollback(
      { directory: `${__dirname}/../../migrations`, tableName: 'kratix_knex_migrations' },
      true,
    );
    expect(await knex.schema.hasTable('kratix_works')).toBe(false);
    await applyMigrations(knex);
    expect(await knex.schema.hasTable('kratix_owned_files')).toBe(true);
  });

  it('stores a work with its files in order and bytes intact, and notices unchanged content', async () => {
    expect(await db.works.upsert(work())).toEqual({ changed: true, created: true });
    expect(await db.works.upsert(work())).toEqual({ changed: false, created: false });
    const stored = await db.works.get({ namespace: 'default', name: 'redis-my-redis-configure' });
    expect(stored).toMatchObject({
      promise: 'redis',
      resource: 'my-redis',
      pipeline: 'configure',
      identity: 'redis/my-redis/configure',
      ownerRefs: ['user:default/jo', 'group:default/team-a'],
      contentHash: workContentHash(work()),
    });
    expect(stored!.groups).toEqual([
      { id: GROUP, directory: '.', selectors: { environment: 'dev' }, files: ['b.yaml', 'a.yaml'] },
    ]);
    const files = await db.works.groupFiles([
      { namespace: 'default', name: 'redis-my-redis-configure', groupId: GROUP },
    ]);
    expect(files.get(`default/redis-my-redis-configure/${GROUP}`)).toEqual([
      { path: 'b.yaml', content: Buffer.from('b: 1\n') },
      { path: 'a.yaml', content: Buffer.from([0, 255, 1]) },
    ]);
    expect(Date.parse(stored!.createdAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('refuses a second resource whose name cuts to the same work name', async () => {
    await db.works.upsert(work());
    await expect(db.works.upsert(work({ resource: 'my-redis-2' }))).rejects.toThrow(
      'work default/redis-my-redis-configure already holds resource my-redis of promise redis (pipeline configure); resource my-redis-2 of promise redis (pipeline configure) cuts to the same name (names are cut to 56 characters): use a shorter promise, resource or pipeline name',
    );
  });

  it('pages and filters works in the database', async () => {
    await db.works.upsert(work());
    await db.works.upsert(work({ name: 'other-work', resource: 'other', promise: 'pg' }));
    const first = await db.works.list({}, { limit: 1 });
    expect(first.items.map(w => w.name)).toEqual(['other-work']);
    expect(first.totalCount).toBe(2);
    const second = await db.works.list({}, { limit: 1, cursor: first.nextCursor });
    expect(second.items.map(w => w.name)).toEqual(['redis-my-redis-configure']);
    expect(second.nextCursor).toBeUndefined();
    expect((await db.works.list({ promise: 'pg' }, { limit: 10 })).items.map(w => w.name)).toEqual([
      'other-work',
    ]);
    expect(
      (await db.works.list({ search: 'my-red' }, { limit: 10 })).items.map(w => w.name),
    ).toEqual(['redis-my-redis-configure']);
    expect(
      (await db.works.list({ ownedBy: ['group:default/team-a'] }, { limit: 10 })).totalCount,
    ).toBe(2);
    expect(
      (await db.works.list({ ownedBy: ['group:default/team-b'] }, { limit: 10 })).totalCount,
    ).toBe(0);
  });

  it('tracks placements: generations, written with their location, failed, deleting, removed', async () => {
    await storeAndDestination();
    await db.placements.create([placement]);
    await db.placements.create([placement]); // idempotent
    let [p] = await db.placements.list({ destination: 'dev' });
    expect(p).toMatchObject({
      status: 'pending',
      generation: 1,
      writtenGeneration: 0,
      misplaced: false,
      dirty: true,
    });
    expect(await db.placements.countDirty('GitStateStore:default/g')).toBe(1);
    const location = {
      store: 'GitStateStore:default/g',
      mode: 'nestedByMetadata' as const,
      path: 'dev/resources/default/redis/my-redis/configure/5058f',
    };
    await db.placements.markWritten([{ placement: p, version: 'abc123', location }]);
    [p] = await db.placements.list({ destination: 'dev' });
    expect(p).toMatchObject({
      status: 'written',
      writtenGeneration: 1,
      version: 'abc123',
      dirty: false,
      written: location,
    });
    expect(await db.placements.countDirty('GitStateStore:default/g')).toBe(0);
    // New content bumps the generation; a write of the old generation does not count.
    await db.works.upsert(
      work({
        groups: [{ ...work().groups[0], files: [{ path: 'c.yaml', content: Buffer.from('c') }] }],
      }),
    );
    await db.placements.bumpGeneration({ namespace: 'default', name: 'redis-my-redis-configure' });
    const stale = p;
    [p] = await db.placements.list({ destination: 'dev' });
    expect(p).toMatchObject({ generation: 2, dirty: true });
    await db.placements.markWritten([{ placement: stale, version: 'old', location }]);
    [p] = await db.placements.list({ destination: 'dev' });
    expect(p).toMatchObject({ writtenGeneration: 1, version: 'abc123', dirty: true });
    await db.placements.markFailed(
      [
        {
          placement: p,
          error: 'GitStateStore/g: cannot reach https://x while fetching (ECONNREFUSED)',
        },
      ],
      'GitStateStore:default/g',
    );
    [p] = await db.placements.list({ destination: 'dev' });
    expect(p).toMatchObject({
      status: 'failed',
      lastError: 'GitStateStore/g: cannot reach https://x while fetching (ECONNREFUSED)',
    });
    await db.placements.setMisplaced([p], true);
    expect((await db.placements.list())[0].misplaced).toBe(true);
    expect(
      await db.works.markDeleted({ namespace: 'default', name: 'redis-my-redis-configure' }),
    ).toBe(true);
    expect(
      await db.works.markDeleted({ namespace: 'default', name: 'redis-my-redis-configure' }),
    ).toBe(false);
    await db.placements.markDeleting({
      work: { namespace: 'default', name: 'redis-my-redis-configure' },
    });
    [p] = await db.placements.list({ destination: 'dev' });
    expect(p.status).toBe('deleting');
    await db.placements.remove([p], 'GitStateStore:default/g');
    await db.works.purgeDeleted([{ namespace: 'default', name: 'redis-my-redis-configure' }]);
    expect(await db.placements.list({ destination: 'dev' })).toEqual([]);
    expect(
      await db.works.get({ namespace: 'default', name: 'redis-my-redis-configure' }),
    ).toBeUndefined();
  });

  it('ignores what a run of the old store records after its Destination moved to another store', async () => {
    await storeAndDestination();
    await db.placements.create([placement]);
    const [before] = await db.placements.list({ destination: 'dev' });
    const dev = (await db.destinations.get('dev'))!;
    const moved = 'BucketStateStore:default/b';
    await db.destinations.upsert([
      { ...dev, entityRef: 'destination:default/dev', uid: 'u1', stateStore: moved },
    ]);
    await db.placements.markDestinationDirty('dev', moved);
    const old = 'GitStateStore:default/g';
    const location = { store: old, mode: 'nestedByMetadata' as const, path: 'dev/resources/x' };
    await db.placements.markWritten([{ placement: before, version: 'v1', location }]);
    await db.placements.markFailed([{ placement: before, error: 'old store failed' }], old);
    await db.destinations.setStatus([{ name: 'dev', ready: false, message: 'old store' }], old);
    const drift = {
      at: '2026-01-01T00:00:00Z',
      files: ['a.yaml'],
      resolution: 'reported' as const,
    };
    await db.placements.setDrift([before], drift, old);
    await db.destinations.setDrift('dev', drift, old);
    await db.destinations.setWritten([
      { name: 'dev', specHash: dev.specHash, spec: dev.spec, store: old },
    ]);
    const [after] = await db.placements.list({ destination: 'dev' });
    expect(after).toMatchObject({ stateStore: moved, status: 'pending', dirty: true });
    expect(after.written).toBeUndefined();
    expect(after.lastError).toBeUndefined();
    expect(after.drift).toBeUndefined();
    expect(await db.placements.countDirty(moved)).toBe(1);
    const d = (await db.destinations.get('dev'))!;
    expect(d.message).not.toBe('old store');
    expect(d.written).toBeUndefined();
    expect(d.drift).toBeUndefined();
    await db.destinations.setDrift('dev', drift, moved);
    expect((await db.destinations.get('dev'))!.drift).toEqual(drift);
    await db.placements.markDeleting({ keys: [before] });
    expect(await db.placements.remove([before], old)).toEqual([]);
    expect(await db.placements.list({ destination: 'dev' })).toHaveLength(1);
    expect(await db.placements.remove([before], moved)).toEqual([
      { namespace: before.namespace, name: before.name },
    ]);
    expect(await db.placements.list({ destination: 'dev' })).toEqual([]);
  });

  it('tracks Destinations: spec changes, deletion, removal', async () => {
    await storeAndDestination();
    const before = (await db.destinations.get('dev'))!;
    await db.destinations.setWritten([
      { name: 'dev', specHash: before.specHash, spec: before.spec, store: before.stateStore },
    ]);
    expect((await db.destinations.get('dev'))!.written!.specHash).toBe(before.specHash);
    await db.destinations.upsert([
      {
        name: 'dev',
        namespace: 'default',
        entityRef: 'destination:default/dev',
        uid: 'u1',
        spec: spec({ initWorkloads: { enabled: false } }),
        labels: {},
        stateStore: 'GitStateStore:default/g',
      },
    ]);
    const after = (await db.destinations.get('dev'))!;
    expect(after.specHash).not.toBe(after.written!.specHash);
    await db.destinations.setStatus(
      [{ name: 'dev', ready: true, message: 'Destination is ready' }],
      'GitStateStore:default/g',
    );
    expect(await db.destinations.get('dev')).toMatchObject({
      ready: true,
      message: 'Destination is ready',
    });
    await db.destinations.markDeleted(['dev']);
    expect(await db.destinations.list()).toEqual([]);
    expect((await db.destinations.list({ includeDeleted: true }))[0].deletedAt).toBeDefined();
    await db.destinations.remove(['dev']);
    expect(await db.destinations.list({ includeDeleted: true })).toEqual([]);
  });

  it('records State Store outcomes, changes to do and forgets stores that left the catalog', async () => {
    await storeAndDestination();
    const ref = 'GitStateStore:default/g';
    const fullBefore = new Date(Date.now() - 60_000);
    expect(await db.stateStores.due(new Date(), fullBefore)).toEqual([ref]);
    const s = (await db.stateStores.get(ref))!;
    await db.stateStores.setOutcome(ref, {
      ready: true,
      message: 'State store is ready',
      version: 'v1',
      written: true,
      fullSync: true,
      doneSeq: s.changeSeq,
      retryAt: null,
    });
    expect(await db.stateStores.get(ref)).toMatchObject({
      ready: true,
      lastVersion: 'v1',
      failures: 0,
    });
    expect(await db.stateStores.due(new Date(), fullBefore)).toEqual([]);
    await db.stateStores.bumpChange([ref]);
    expect(await db.stateStores.due(new Date(), fullBefore)).toEqual([ref]);
    await db.stateStores.setOutcome(ref, {
      ready: false,
      message: 'down',
      failed: true,
      retryAt: new Date(Date.now() + 60_000),
    });
    expect(await db.stateStores.due(new Date(), fullBefore)).toEqual([]);
    expect((await db.stateStores.get(ref))!.failures).toBe(1);
    await db.stateStores.markDeletedExcept([]);
    expect(await db.stateStores.list()).toEqual([]);
  });

  it('keeps the files the plugin owns, and claims of none-mode paths', async () => {
    const store = 'GitStateStore:default/g';
    await db.ownedFiles.put([
      {
        store,
        path: 'flat/a.yaml',
        digest: 'd1',
        destination: 'flat',
        placement: { namespace: 'default', name: 'w.flat-5058f' },
        kind: 'file',
      },
      {
        store,
        path: 'flat/kratix-canary-namespace.yaml',
        digest: 'd2',
        destination: 'flat',
        kind: 'canary',
      },
    ]);
    expect(
      (await db.ownedFiles.list({ store, destinations: ['flat'] })).map(f => f.path).sort(),
    ).toEqual(['flat/a.yaml', 'flat/kratix-canary-namespace.yaml']);
    expect(await db.ownedFiles.indexedPlacements(store)).toEqual(new Set(['default/w.flat-5058f']));
    await db.ownedFiles.forgetPlacements('other-store', [
      { namespace: 'default', name: 'w.flat-5058f' },
    ]);
    expect(await db.ownedFiles.list({ store })).toHaveLength(2);
    await db.ownedFiles.forgetPlacements(store, [{ namespace: 'default', name: 'w.flat-5058f' }]);
    expect((await db.ownedFiles.list({ store })).map(f => f.path)).toEqual([
      'flat/kratix-canary-namespace.yaml',
    ]);
    const mine = { namespace: 'default', name: 'w.flat-5058f' };
    await db.claims.replace(mine, { namespace: 'default', name: 'w' }, 'flat', ['flat/a.yaml']);
    expect(await db.claims.conflicts('flat', ['flat/a.yaml'], mine)).toEqual([]);
    expect(
      await db.claims.conflicts('flat', ['flat/a.yaml'], {
        namespace: 'default',
        name: 'v.flat-5058f',
      }),
    ).toEqual([
      {
        destination: 'flat',
        path: 'flat/a.yaml',
        placement: mine,
        work: { namespace: 'default', name: 'w' },
      },
    ]);
  });

  it('gives a lease to one owner at a time until it lapses', async () => {
    expect(await db.coordination.acquire('store:x', 'a', 60_000)).toBe(true);
    expect(await db.coordination.acquire('store:x', 'b', 60_000)).toBe(false);
    expect(await db.coordination.acquire('store:x', 'a', 60_000)).toBe(true);
    await db.coordination.release('store:x', 'a');
    expect(await db.coordination.acquire('store:x', 'b', 1)).toBe(true);
    await new Promise(r => setTimeout(r, 5));
    expect(await db.coordination.acquire('store:x', 'a', 60_000)).toBe(true);
    expect(await db.coordination.increment('destinations')).toBe(1);
    expect(await db.coordination.increment('destinations')).toBe(2);
  });
});
