/**
 * Destination claims across catalog replicas and concurrent batches: one name and one path per
 * store go to one Destination, claims lapse, and an unchanged Destination costs one batched read.
 */
import path from 'path';
import { KratixEntitiesProcessor } from './KratixEntitiesProcessor';
import { DestinationClaims } from './DestinationClaims';
import {
  claimDatabases,
  DatabaseId,
  destination,
  replicas as replicasOn,
} from './__testUtils__/claims';

const databases = claimDatabases();
const replicas = (count: number, now: () => number, ttl = 900, id: DatabaseId = 'SQLITE_3') =>
  replicasOn(databases, count, now, ttl, id);

describe('DestinationClaims', () => {
  it.each(databases.eachSupportedId())(
    're-processes unchanged Destinations without a transaction: one read per batch, aging claims extended together, and those close to lapsing checked at once (%s)',
    async id => {
      let now = 0;
      const {
        knex,
        claims: [claims],
        processors: [p],
      } = await replicas(1, () => now, 60_000, id as 'SQLITE_3' | 'POSTGRES_15');
      const queries: string[] = [];
      // The same text on both databases: backticks and `?` placeholders.
      knex.on('query', q => queries.push(q.sql.replace(/"/g, '`').replace(/\$\d+/g, '?')));
      const batch = ['dev', 'qa', 'prod'].map(name =>
        destination(name, { path: name, stateStoreRef: { kind: 'GitStateStore', name: 'g' } }),
      );
      // As the catalog does: a batch of entities processed concurrently.
      const processBatch = () => Promise.all(batch.map(d => p.validateEntityKind(d)));
      await processBatch();
      queries.length = 0;
      now = 19_999;
      expect(await processBatch()).toEqual([true, true, true]);
      expect(queries).toEqual([
        'select * from `kratix_destination_claims` where `name` in (?, ?, ?)',
      ]);
      // A third of the claim's lifetime later: the same read, then one update for all of them.
      queries.length = 0;
      now = 20_000;
      expect(await processBatch()).toEqual([true, true, true]);
      expect(queries).toHaveLength(1);
      await claims.flush();
      expect(queries.slice(1)).toEqual([
        'update `kratix_destination_claims` set `seen_ms` = ? where `name` in (?, ?, ?)',
      ]);
      const rows = await knex('kratix_destination_claims').select('name', 'seen_ms');
      expect(rows.map(r => [r.name, Number(r.seen_ms)]).sort()).toEqual([
        ['dev', 20_000],
        ['prod', 20_000],
        ['qa', 20_000],
      ]);
      // So close to lapsing that a delayed extension might land after it: checked and extended
      // at once, in a transaction; and so once lapsed (a whole lifetime unseen).
      const checkedWrite =
        'update `kratix_destination_claims` set `name` = ?, `entity_ref` = ?, `uid` = ?, `store` = ?, `clean_path` = ?, `mode` = ?, `seen_ms` = ? where `name` = ? and `entity_ref` = ? and `seen_ms` = ?';
      const processAt = async (t: number) => {
        queries.length = 0;
        now = t;
        await p.validateEntityKind(batch[0]);
        return queries[1] === 'BEGIN;' || queries[1] === 'BEGIN'
          ? queries.filter(q => q.startsWith('update'))
          : queries;
      };
      expect(await processAt(20_000 + 34_999)).toHaveLength(1);
      expect(await processAt(55_000)).toEqual([checkedWrite]);
      expect(await processAt(55_000 + 60_000)).toEqual([checkedWrite]);
      await claims.flush();
    },
  );

  it('extends aging claims on its own within five seconds', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    try {
      let now = 0;
      const {
        knex,
        processors: [p],
      } = await replicas(1, () => now, 60_000);
      const dev = destination('dev', {
        path: 'dev',
        stateStoreRef: { kind: 'GitStateStore', name: 'g' },
      });
      await p.validateEntityKind(dev);
      now = 25_000;
      await p.validateEntityKind(dev);
      const seen = async () => Number((await knex('kratix_destination_claims').first()).seen_ms);
      jest.advanceTimersByTime(4999);
      expect(await seen()).toBe(0);
      jest.advanceTimersByTime(1);
      for (let i = 0; i < 100 && (await seen()) === 0; i++) await new Promise(r => setImmediate(r));
      expect(await seen()).toBe(25_000);
    } finally {
      jest.useRealTimers();
    }
  });

  it('decides clashes across replicas, and a lapsed claim lets the path go', async () => {
    let now = 0;
    const {
      processors: [a, b],
    } = await replicas(2, () => now);
    const ref = { kind: 'GitStateStore', name: 'git' };
    const first = destination('first', { path: 'shared', stateStoreRef: ref });
    const second = destination('second', { path: 'shared', stateStoreRef: ref });
    expect(await a.validateEntityKind(first)).toBe(true);
    await expect(b.validateEntityKind(second)).rejects.toThrow(
      "spec.path: destination path 'shared' already exists for state store 'git' (used by destination:default/first)",
    );
    now = 100;
    expect(await a.validateEntityKind(first)).toBe(true);
    // first is not processed for a whole lifetime (gone from the catalog): second may take the path.
    now = 1000;
    expect(await b.validateEntityKind(second)).toBe(true);
    now = 1001;
    await expect(a.validateEntityKind(first)).rejects.toThrow(
      "spec.path: destination path 'shared' already exists for state store 'git' (used by destination:default/second)",
    );
  });

  it.each(databases.eachSupportedId())(
    'gives a path and a name to one of two new Destinations processed at the same moment (%s)',
    async id => {
      const {
        processors: [a, b],
      } = await replicas(2, () => 0, 900, id as 'SQLITE_3' | 'POSTGRES_15');
      const ref = { kind: 'GitStateStore', name: 'git' };
      // As two replicas (or one replica's concurrent batch) do: each checks, then claims.
      const outcomes = await Promise.allSettled([
        a.validateEntityKind(destination('blue', { path: 'apps', stateStoreRef: ref })),
        b.validateEntityKind(destination('green', { path: 'apps/', stateStoreRef: ref })),
        a.validateEntityKind(destination('edge', { path: 'edge-a', stateStoreRef: ref })),
        b.validateEntityKind(destination('edge', { path: 'edge-b', stateStoreRef: ref }, 'team-b')),
      ]);
      const errors = outcomes.flatMap(o => (o.status === 'rejected' ? [String(o.reason)] : []));
      expect(outcomes.filter(o => o.status === 'fulfilled')).toHaveLength(2);
      expect(errors).toHaveLength(2);
      expect(errors.find(e => e.includes('spec.path'))).toMatch(
        /^Error: spec\.path: destination path 'apps\/?' already exists for state store 'git' \(used by destination:default\/(blue|green)\); choose another path$/,
      );
      expect(errors.find(e => e.includes('metadata.name'))).toMatch(
        /^Error: metadata\.name: a Destination named "edge" already exists \(destination:(default|team-b)\/edge\); Destination names are unique across namespaces, as in Kratix: choose another name$/,
      );
      // The one refused is refused again on its next processing, from either replica.
      const blueWon = outcomes[0].status === 'fulfilled';
      const loser = destination(blueWon ? 'green' : 'blue', { path: 'apps', stateStoreRef: ref });
      await expect(b.validateEntityKind(loser)).rejects.toThrow(
        `(used by destination:default/${blueWon ? 'blue' : 'green'})`,
      );
    },
  );

  it('refuses a lapsed name to a newcomer when its holder comes back while the newcomer is checked (POSTGRES_15)', async () => {
    const {
      knex,
      processors: [p],
    } = await replicas(1, () => 1000, 900, 'POSTGRES_15');
    const ref = { kind: 'GitStateStore', name: 'git' };
    await knex('kratix_destination_claims').insert({
      name: 'edge',
      entity_ref: 'destination:default/edge',
      store: 'GitStateStore:default/git',
      clean_path: 'edge-a',
      mode: 'nestedByMetadata',
      seen_ms: 0,
    });
    // Another replica processes default/edge again: its write holds the row until it commits.
    const holder = await knex.transaction();
    await holder('kratix_destination_claims').where({ name: 'edge' }).update({ seen_ms: 1000 });
    const newcomer = p.validateEntityKind(
      destination('edge', { path: 'edge-b', stateStoreRef: ref }, 'team-b'),
    );
    const outcome = newcomer.then(
      () => 'accepted',
      e => String(e),
    );
    // The newcomer read the lapsed row and now waits to write over it.
    for (let i = 0; i < 200; i++) {
      const waiting = await knex('pg_stat_activity')
        .where({ wait_event_type: 'Lock', datname: knex.client.database() })
        .count({ n: '*' });
      if (Number(waiting[0].n) > 0) break;
      await new Promise(r => setTimeout(r, 25));
    }
    await holder.commit();
    expect(await outcome).toBe(
      'Error: metadata.name: a Destination named "edge" already exists (destination:default/edge); Destination names are unique across namespaces, as in Kratix: choose another name',
    );
    expect(await knex('kratix_destination_claims').select('entity_ref', 'clean_path')).toEqual([
      { entity_ref: 'destination:default/edge', clean_path: 'edge-a' },
    ]);
  });

  it.each(databases.eachSupportedId())(
    'keeps the claim seen last when an earlier version left a path claimed twice (%s)',
    async id => {
      const knex = await databases.init(id);
      const directory = path.resolve(__dirname, '../migrations');
      const tableName = 'kratix_catalog_knex_migrations';
      await knex.migrate.up({ directory, tableName, name: '20261125000000_destination_claims.js' });
      const row = (name: string, cleanPath: string, seen: number) => ({
        name,
        entity_ref: `destination:default/${name}`,
        store: 'GitStateStore:default/git',
        clean_path: cleanPath,
        mode: 'nestedByMetadata',
        seen_ms: seen,
      });
      await knex('kratix_destination_claims').insert([
        row('blue', 'apps', 5),
        row('green', 'apps', 7),
        row('solo', 'solo', 1),
      ]);
      const claims = await DestinationClaims.create({ getClient: async () => knex } as any, {
        staleAfterMs: 900,
        now: () => 8,
      });
      const rows = await knex('kratix_destination_claims').orderBy('name');
      expect(rows.map(r => r.name)).toEqual(['green', 'solo']);
      // The database itself now refuses a second claim on the path, and the step reverts.
      await expect(
        knex('kratix_destination_claims').insert(row('blue', 'apps', 9)),
      ).rejects.toMatchObject({
        code: id === 'POSTGRES_15' ? '23505' : 'SQLITE_CONSTRAINT_UNIQUE',
      });
      await knex.migrate.down({ directory, tableName });
      await knex('kratix_destination_claims').insert(row('blue', 'apps', 9));
      await knex('kratix_destination_claims').where({ name: 'blue' }).delete();
      await knex.migrate.latest({ directory, tableName });
      await expect(
        new KratixEntitiesProcessor(claims).validateEntityKind(
          destination('blue', {
            path: 'apps',
            stateStoreRef: { kind: 'GitStateStore', name: 'git' },
          }),
        ),
      ).rejects.toThrow('(used by destination:default/green)');
    },
  );

  it('refuses a Destination moved back to a path another took meanwhile, whichever replica processes it', async () => {
    let now = 0;
    const {
      processors: [a, b],
    } = await replicas(2, () => now);
    const ref = { kind: 'GitStateStore', name: 'git' };
    expect(await a.validateEntityKind(destination('dev', { path: 'p', stateStoreRef: ref }))).toBe(
      true,
    );
    now = 10;
    expect(await b.validateEntityKind(destination('dev', { path: 'q', stateStoreRef: ref }))).toBe(
      true,
    );
    now = 20;
    expect(await b.validateEntityKind(destination('dev2', { path: 'p', stateStoreRef: ref }))).toBe(
      true,
    );
    now = 30;
    await expect(
      a.validateEntityKind(destination('dev', { path: 'p', stateStoreRef: ref })),
    ).rejects.toThrow(
      "spec.path: destination path 'p' already exists for state store 'git' (used by destination:default/dev2)",
    );
  });

  it('frees a path when its Destination moves', async () => {
    const {
      processors: [p],
    } = await replicas(1, () => Date.now(), 1000);
    const ref = { kind: 'GitStateStore', name: 'git' };
    await p.validateEntityKind(destination('a', { path: 'one', stateStoreRef: ref }));
    await p.validateEntityKind(destination('a', { path: 'two', stateStoreRef: ref }));
    expect(await p.validateEntityKind(destination('b', { path: 'one', stateStoreRef: ref }))).toBe(
      true,
    );
  });
});
