import { TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { DestinationSpec } from '@kratix-destinations/plugin-kratix-common';
import { DatabaseKratixStore } from '../DatabaseKratixStore';
import { encodeCursor } from '../rows';
import { NewWork } from '../types';
import { cursorKey } from './cursor';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const refusal = (shown: string) =>
  `cursor: ${shown} is not a cursor from a previous page; leave it out for the first page`;

describe('cursorKey', () => {
  it('reads back what encodeCursor wrote, and the first page without a cursor', () => {
    expect(cursorKey(encodeCursor(['default', 'a-work']), 2)).toEqual(['default', 'a-work']);
    expect(cursorKey(encodeCursor(['dev-1']), 1)).toEqual(['dev-1']);
    expect(cursorKey(undefined, 2)).toBeUndefined();
    expect(cursorKey('', 2)).toBeUndefined();
  });

  it.each([
    ['garbage', 'garbage!'],
    ['garbage that decodes to bytes', 'abc'],
    ['a number', '42'],
    ['a JSON object, encoded', Buffer.from('{"a":"b"}').toString('base64url')],
    ['a JSON number, encoded', Buffer.from('7').toString('base64url')],
    ['a list of one for a key of two', encodeCursor(['x'])],
    ['an empty list', encodeCursor([])],
    ['a list of three', encodeCursor(['a', 'b', 'c'])],
    ['a list with a number', Buffer.from('["a",1]').toString('base64url')],
    ['a list with an empty string', encodeCursor(['', 'x'])],
    ['a literal list', '["x"]'],
    ['a literal empty list', '[]'],
    ['base64 with padding', `${encodeCursor(['default', 'w'])}==`],
    ['standard base64', Buffer.from('["a>?","b"]').toString('base64')],
  ])('refuses %s', (_what, cursor) => {
    expect(() => cursorKey(cursor, 2)).toThrow(refusal(JSON.stringify(cursor)));
  });

  it('shortens a long cursor and escapes control characters in the message', () => {
    expect(() => cursorKey(`${'x'.repeat(150)}`, 1)).toThrow(refusal(`"${'x'.repeat(100)}…"`));
    expect(() => cursorKey('a\u0000b', 1)).toThrow(refusal('"a\\u0000b"'));
  });
});

const spec = (): DestinationSpec => ({
  path: 'dev',
  stateStoreRef: { kind: 'GitStateStore', name: 'g' },
  strictMatchLabels: false,
  filepath: { mode: 'nestedByMetadata' },
  cleanup: 'none',
  initWorkloads: { enabled: true },
});

const work = (promise: string, resource: string): NewWork => ({
  namespace: 'default',
  name: `${promise}-${resource}-p`,
  promise,
  resource,
  pipeline: 'p',
  groups: [
    {
      id: '5058f1af8388633f609cadb75a75dc9d',
      directory: '.',
      selectors: {},
      files: [{ path: 'a.yaml', content: Buffer.from('a: 1\n') }],
    },
  ],
});

describe.each(databases.eachSupportedId())('search and paging on %p', databaseId => {
  let knex: Knex;
  let db: DatabaseKratixStore;

  beforeEach(async () => {
    knex = await databases.init(databaseId);
    db = await DatabaseKratixStore.create({ database: { getClient: async () => knex } });
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
    await db.destinations.upsert(
      ['dev-1', 'dev_2', 'dev%3', 'prod', 'a\\b'].map(name => ({
        name,
        namespace: 'default',
        entityRef: `destination:default/${name}`,
        spec: spec(),
        labels: {},
        stateStore: 'GitStateStore:default/g',
      })),
    );
    for (const w of [work('app', 'one'), work('app', 'two'), work('web', 'a_b')])
      await db.works.upsert(w);
  });

  const destinations = async (search: string) =>
    (await db.destinations.page({ search }, { limit: 50 })).items.map(d => d.name).sort();
  const works = async (search: string) =>
    (await db.works.list({ search }, { limit: 50 })).items.map(w => w.name).sort();

  it('matches %, _ and \\ in a search as themselves', async () => {
    expect(await destinations('%')).toEqual(['dev%3']);
    expect(await destinations('_')).toEqual(['dev_2']);
    expect(await destinations('dev_')).toEqual(['dev_2']);
    expect(await destinations('\\')).toEqual(['a\\b']);
    expect(await destinations('dev')).toEqual(['dev%3', 'dev-1', 'dev_2']);
    expect(await works('%')).toEqual([]);
    expect(await works('_')).toEqual(['web-a_b-p']);
    expect(await works('app')).toEqual(['app-one-p', 'app-two-p']);
  });

  it('refuses a search with a control character rather than failing in the database', async () => {
    await expect(db.destinations.page({ search: 'a\u0000' }, { limit: 5 })).rejects.toThrow(
      'search: "a\\u0000" contains the control character U+0000 (NUL); remove it',
    );
    await expect(db.works.list({ search: '\u0000' }, { limit: 5 })).rejects.toThrow(
      'contains the control character U+0000 (NUL)',
    );
  });

  it('pages with the cursors it gives, and refuses any other', async () => {
    const first = await db.destinations.page({}, { limit: 2 });
    const second = await db.destinations.page({}, { limit: 2, cursor: first.nextCursor });
    expect([...first.items, ...second.items].map(d => d.name)).toHaveLength(4);
    const firstWorks = await db.works.list({}, { limit: 1 });
    expect(
      (await db.works.list({}, { limit: 5, cursor: firstWorks.nextCursor })).items,
    ).toHaveLength(2);
    // A Destination's cursor is not a work's, nor a placement's.
    await expect(db.works.list({}, { limit: 1, cursor: first.nextCursor })).rejects.toThrow(
      'is not a cursor from a previous page',
    );
    await expect(
      db.placements.page({ destination: 'dev-1' }, { limit: 1, cursor: first.nextCursor }),
    ).rejects.toThrow('is not a cursor from a previous page');
    await expect(db.destinations.page({}, { limit: 1, cursor: 'garbage' })).rejects.toThrow(
      refusal('"garbage"'),
    );
  });
});
