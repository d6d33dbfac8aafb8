import path from 'path';
import { mockServices, startTestBackend, TestDatabases } from '@backstage/backend-test-utils';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { Entity } from '@backstage/catalog-model';
import { catalogModuleKratixEntityModel } from './module';
import { KratixEntitiesProcessor } from './KratixEntitiesProcessor';
import { DestinationClaims } from './DestinationClaims';
import { CatalogChangePublisher } from './CatalogChangePublisher';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

/** Processors of `count` catalog replicas sharing one database, with a claim lifetime of `ttl`. */
async function replicas(
  count: number,
  now: () => number,
  ttl = 900,
  id: 'SQLITE_3' | 'POSTGRES_15' = 'SQLITE_3',
) {
  const knex = await databases.init(id);
  const db = { getClient: async () => knex } as any;
  const claims: DestinationClaims[] = [];
  for (let i = 0; i < count; i++)
    claims.push(await DestinationClaims.create(db, { staleAfterMs: ttl, now }));
  return { knex, claims, processors: claims.map(c => new KratixEntitiesProcessor(c)) };
}

async function processor(now = () => Date.now(), ttl = 1000) {
  return (await replicas(1, now, ttl)).processors[0];
}

const location = { type: 'file', target: '/tmp/x.yaml' };
const destination = (name: string, spec: any, namespace = 'default'): Entity => ({
  apiVersion: 'platform.kratix.io/v1alpha1',
  kind: 'Destination',
  metadata: { name, namespace },
  spec,
});

describe('catalogModuleKratixEntityModel', () => {
  it('registers the processor with the catalog', async () => {
    const addProcessor = jest.fn();
    await startTestBackend({
      extensionPoints: [[catalogProcessingExtensionPoint, { addProcessor }]],
      features: [catalogModuleKratixEntityModel, mockServices.database.factory()],
    });
    expect(addProcessor).toHaveBeenCalledTimes(1);
    expect(addProcessor.mock.calls[0][0].getProcessorName()).toBe('KratixEntitiesProcessor');
  });
});

describe('KratixEntitiesProcessor', () => {
  it('accepts the three kinds when valid and ignores others', async () => {
    const p = await processor();
    expect(
      await p.validateEntityKind(
        destination('dev', { path: 'dev', stateStoreRef: { kind: 'GitStateStore', name: 'git' } }),
      ),
    ).toBe(true);
    expect(
      await p.validateEntityKind({
        apiVersion: 'platform.kratix.io/v1alpha1',
        kind: 'GitStateStore',
        metadata: { name: 'g' },
        spec: { url: 'https://g/r.git' },
      }),
    ).toBe(true);
    expect(
      await p.validateEntityKind({
        apiVersion: 'platform.kratix.io/v1alpha1',
        kind: 'BucketStateStore',
        metadata: { name: 'b' },
        spec: { bucketName: 'bkt', endpoint: 'e', authMethod: 'IAM' },
      }),
    ).toBe(true);
    expect(
      await p.validateEntityKind({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'c' },
        spec: {},
      }),
    ).toBe(false);
    expect(
      await p.validateEntityKind({
        apiVersion: 'example.com/v1',
        kind: 'Destination',
        metadata: { name: 'd' },
        spec: {},
      }),
    ).toBe(false);
  });

  it('rejects an invalid entity with the field and the fix', async () => {
    const p = await processor();
    await expect(
      p.validateEntityKind(
        destination('bad', {
          path: 'x',
          stateStoreRef: { kind: 'GitStateStore', name: 'git' },
          filepath: { mode: 'nested' },
        }),
      ),
    ).rejects.toThrow(
      'Destination "bad" is invalid: spec.filepath.mode: "nested" is not one of nestedByMetadata, aggregatedYAML, none',
    );
  });

  it('gives the later Destination with the same path on the same store an error', async () => {
    let now = 0;
    const p = await processor(() => now);
    const ref = { kind: 'GitStateStore', name: 'git' };
    expect(
      await p.validateEntityKind(destination('first', { path: 'shared', stateStoreRef: ref })),
    ).toBe(true);
    await expect(
      p.validateEntityKind(destination('second', { path: 'shared/', stateStoreRef: ref })),
    ).rejects.toThrow(
      "spec.path: destination path 'shared/' already exists for state store 'git' (used by destination:default/first); choose another path",
    );
    // The same path on another store, or re-processing the first, is fine.
    expect(
      await p.validateEntityKind(
        destination('third', {
          path: 'shared',
          stateStoreRef: { kind: 'BucketStateStore', name: 'git' },
        }),
      ),
    ).toBe(true);
    expect(
      await p.validateEntityKind(destination('first', { path: 'shared', stateStoreRef: ref })),
    ).toBe(true);
    // Once the first has gone (not processed for a while), the path is free.
    now = 5000;
    expect(
      await p.validateEntityKind(destination('second', { path: 'shared', stateStoreRef: ref })),
    ).toBe(true);
  });

  it('refuses a Destination whose name another namespace holds, and a mode change', async () => {
    const p = await processor();
    const ref = { kind: 'GitStateStore', name: 'git' };
    expect(
      await p.validateEntityKind(destination('dev', { path: 'dev', stateStoreRef: ref })),
    ).toBe(true);
    await expect(
      p.validateEntityKind(destination('dev', { path: 'other', stateStoreRef: ref }, 'team-b')),
    ).rejects.toThrow(
      'metadata.name: a Destination named "dev" already exists (destination:default/dev); Destination names are unique across namespaces, as in Kratix: choose another name',
    );
    await expect(
      p.validateEntityKind(
        destination('dev', { path: 'dev', stateStoreRef: ref, filepath: { mode: 'none' } }),
      ),
    ).rejects.toThrow(
      'spec.filepath.mode: is immutable (Destination "dev" was created with nestedByMetadata); delete the Destination and create it again to change its mode',
    );
  });

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
    const p = await processor();
    const ref = { kind: 'GitStateStore', name: 'git' };
    await p.validateEntityKind(destination('a', { path: 'one', stateStoreRef: ref }));
    await p.validateEntityKind(destination('a', { path: 'two', stateStoreRef: ref }));
    expect(await p.validateEntityKind(destination('b', { path: 'one', stateStoreRef: ref }))).toBe(
      true,
    );
  });

  it('relates a Destination to its State Store and owner', async () => {
    const emit = jest.fn();
    const e = destination(
      'dev',
      { path: 'dev', stateStoreRef: { kind: 'GitStateStore', name: 'git' }, owner: 'team-a' },
      'platform',
    );
    await (await processor()).postProcessEntity(e, location, emit);
    expect(
      emit.mock.calls
        .map(c => c[0].relation)
        .map(
          (r: any) =>
            `${r.source.kind}:${r.source.namespace}/${r.source.name} ${r.type} ${r.target.kind}:${r.target.namespace}/${r.target.name}`,
        ),
    ).toEqual([
      'Destination:platform/dev dependsOn GitStateStore:platform/git',
      'GitStateStore:platform/git dependencyOf Destination:platform/dev',
      'Destination:platform/dev ownedBy Group:platform/team-a',
      'Group:platform/team-a ownerOf Destination:platform/dev',
    ]);
  });

  it('signals a Destination or State Store the first time it is processed and when its content changes', async () => {
    const publish = jest.fn(async (_event: any) => {});
    const knex = await databases.init('SQLITE_3');
    const p = new KratixEntitiesProcessor(
      await DestinationClaims.create({ getClient: async () => knex } as any, {
        staleAfterMs: 1000,
      }),
      new CatalogChangePublisher({ publish } as any, mockServices.logger.mock()),
    );
    const spec = { path: 'dev', stateStoreRef: { kind: 'GitStateStore', name: 'git' } };
    const processed = async (e: Entity) => p.postProcessEntity(e, location, jest.fn());
    await processed(destination('dev', spec));
    await processed(destination('dev', spec));
    await processed({ ...destination('dev', spec), metadata: { name: 'dev', labels: { a: 'b' } } });
    await processed(destination('dev', { ...spec, path: 'other' }));
    await processed({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'c' },
      spec: {},
    });
    const payloads = publish.mock.calls.map((c: any[]) => {
      expect(c[0].topic).toBe('kratix.catalog.changed');
      return c[0].eventPayload;
    });
    expect(payloads.map(x => x.entityRef)).toEqual(Array(3).fill('destination:default/dev'));
    // What the plugin compares with the entity it reads: labels, annotations, spec.
    expect(payloads.map(x => x.content)).toEqual([
      JSON.stringify([{}, {}, spec]),
      JSON.stringify([{ a: 'b' }, {}, spec]),
      JSON.stringify([{}, {}, { ...spec, path: 'other' }]),
    ]);
  });

  it('forgets an entity it has not processed for an hour, and signals it again if it comes back', async () => {
    const publish = jest.fn(async (_event: any) => {});
    let now = 0;
    const minutes = (m: number) => m * 60_000;
    const publisher = new CatalogChangePublisher(
      { publish } as any,
      mockServices.logger.mock(),
      () => now,
    );
    const spec = { path: 'x', stateStoreRef: { kind: 'GitStateStore', name: 'git' } };
    const processed = (name: string) => publisher.processed(destination(name, spec));
    processed('kept');
    processed('gone');
    now = minutes(50);
    processed('kept');
    now = minutes(61);
    processed('new');
    expect(publisher.remembered).toBe(2);
    processed('kept');
    processed('gone');
    expect(publish.mock.calls.map((c: any[]) => c[0].eventPayload.entityRef)).toEqual([
      'destination:default/kept',
      'destination:default/gone',
      'destination:default/new',
      'destination:default/gone',
    ]);
  });

  it('relates a State Store to its owner', async () => {
    const emit = jest.fn();
    await (
      await processor()
    ).postProcessEntity(
      {
        apiVersion: 'platform.kratix.io/v1alpha1',
        kind: 'BucketStateStore',
        metadata: { name: 's3', namespace: 'default' },
        spec: { owner: 'user:default/jo' },
      },
      location,
      emit,
    );
    expect(emit.mock.calls.map(c => `${c[0].relation.type} ${c[0].relation.target.kind}`)).toEqual([
      'ownedBy user',
      'ownerOf BucketStateStore',
    ]);
  });
});
