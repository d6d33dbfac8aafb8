import { goJoin } from '@kratix-destinations/plugin-kratix-common';
import type { StoredDestination, StoredStateStore } from '../database';
import { MapSnapshot } from '../writers/types';
import { StoreBrowser } from './StoreBrowser';

/**
 * Stores over shared places (a repository and branch, or a bucket): each fake writer reads and
 * lists below its prefix as the real ones do, `..` included, and records what it was asked.
 */
function world(stores: StoredStateStore[], destinations: StoredDestination[]) {
  const places = new Map<string, Map<string, string>>();
  const placeOf = (s: StoredStateStore) => {
    // The test says which stores share a place; the browser must find it out from their specs.
    const key = (s as any).place;
    if (!places.has(key)) places.set(key, new Map());
    return places.get(key)!;
  };
  const asked: string[] = [];
  const writerOf = (s: StoredStateStore) => {
    const files = placeOf(s);
    const prefix = goJoin(s.spec.path, '').replace(/^\/+/, '').replace(/^\.$/, '');
    const full = (p: string) => goJoin(prefix, p).replace(/^\.$/, '');
    return {
      observe: async () => {
        const seen = new Map<string, string>();
        for (const k of files.keys())
          if (!prefix || k.startsWith(`${prefix}/`))
            seen.set(prefix ? k.slice(prefix.length + 1) : k, 'digest');
        return new MapSnapshot(seen);
      },
      readFile: async (p: string) => {
        asked.push(p);
        const c = files.get(full(p));
        return c === undefined ? undefined : Buffer.from(c);
      },
      currentVersion: () => undefined,
    };
  };
  const db = {
    destinations: { list: async () => destinations },
    stateStores: {
      get: async (ref: string) => stores.find(s => s.ref === ref),
      list: async () => stores,
    },
    ownedFiles: { listOfDestination: async () => [] },
  };
  const browser = new StoreBrowser(db as any, { get: writerOf } as any);
  const put = (storeRef: string, files: Record<string, string>) => {
    const place = placeOf(stores.find(s => s.ref === storeRef)!);
    for (const [k, v] of Object.entries(files)) place.set(k, v);
  };
  const listed = async (name: string) =>
    (await browser.files(destinations.find(d => d.name === name)!)).files.map(f => f.path);
  const read = (name: string, p: string) =>
    browser.content(destinations.find(d => d.name === name)!, p).then(
      b => b.toString(),
      (e: Error) => `${e.name}: ${e.message}`,
    );
  return { browser, put, listed, read, asked };
}

const gitStore = (
  name: string,
  path: string,
  url = 'https://git.example/org/shared.git',
  branch = 'main',
  place = `shared#${branch}`,
) =>
  ({
    ref: `GitStateStore:default/${name}`,
    kind: 'GitStateStore',
    name,
    spec: { url, branch, path },
    place,
  }) as any as StoredStateStore;
const bucketStore = (
  name: string,
  path: string,
  endpoint: string,
  bucketName = 'shared',
  place = bucketName,
) =>
  ({
    ref: `BucketStateStore:default/${name}`,
    kind: 'BucketStateStore',
    name,
    spec: { endpoint, bucketName, path },
    place,
  }) as any as StoredStateStore;
const dest = (
  name: string,
  store: StoredStateStore,
  path: string,
  written?: { store: string; path: string },
) =>
  ({
    name,
    stateStore: store.ref,
    spec: { path, filepath: { mode: 'nestedByMetadata' } },
    written: written && {
      store: written.store,
      spec: { path: written.path, filepath: { mode: 'nestedByMetadata' } },
    },
  }) as any as StoredDestination;

describe('StoreBrowser', () => {
  it("refuses '..', absolute paths, backslashes and NUL with 400 before anything is read", async () => {
    const a = gitStore('a', 'teama');
    const b = gitStore('b', 'teamb');
    const w = world([a, b], [dest('alpha', a, '.'), dest('beta', b, '/')]);
    w.put(a.ref, { 'teama/secret.yaml': 'team a' });
    const hint = 'as the files listing of Destination beta names it';
    expect(await w.read('beta', '../teama/secret.yaml')).toBe(
      `InputError: path: "../teama/secret.yaml" contains a ".." segment; give a file's path ${hint}`,
    );
    expect(await w.read('beta', 'x/../../teama/secret.yaml')).toBe(
      `InputError: path: "x/../../teama/secret.yaml" contains a ".." segment; give a file's path ${hint}`,
    );
    expect(await w.read('beta', '/teama/secret.yaml')).toBe(
      `InputError: path: "/teama/secret.yaml" is absolute; give it relative to the State Store, ${hint}`,
    );
    expect(await w.read('beta', '..\\teama\\secret.yaml')).toBe(
      'InputError: path: "..\\\\teama\\\\secret.yaml" contains a backslash; use "/" between directories',
    );
    expect(await w.read('beta', 'secret.yaml\0')).toBe(
      'InputError: path: "secret.yaml\\u0000" contains a NUL character; remove it',
    );
    expect(w.asked).toEqual([]);
    expect(await w.read('alpha', 'secret.yaml')).toBe('team a');
  });

  it("hides another store's Destination on the same repository, however its URL is written", async () => {
    const a = gitStore('a', 'teama', 'git@GIT.example:org/shared');
    const wide = gitStore('wide', '', 'https://git.example/org/shared.git/');
    const elsewhere = gitStore('elsewhere', 'other', 'https://git.example/org/shared.git', 'dev');
    const w = world(
      [a, wide, elsewhere],
      [dest('alpha', a, '.'), dest('beta', wide, '.'), dest('gamma', elsewhere, '.')],
    );
    w.put(a.ref, { 'teama/secret.yaml': 'team a', 'mine.yaml': 'beta', 'other/x.yaml': 'x' });
    w.put(elsewhere.ref, { 'other/y.yaml': 'another branch' });
    // `other/` on this branch is no Destination's: beta's; gamma's area is on another branch.
    expect(await w.listed('beta')).toEqual(['mine.yaml', 'other/x.yaml']);
    const missing = (p: string) =>
      `NotFoundError: ${JSON.stringify(p)} not found under Destination beta`;
    for (const p of ['teama/secret.yaml', './teama/secret.yaml', 'teama//secret.yaml', 'teama'])
      expect(await w.read('beta', p)).toBe(missing(p));
    expect(await w.read('beta', 'nothing.yaml')).toBe(missing('nothing.yaml'));
    expect(await w.read('beta', 'mine.yaml')).toBe('beta');
    expect(w.asked).toEqual(['nothing.yaml', 'mine.yaml']);
  });

  it('hides a Destination nested on its store, and where another last wrote, from the outer one', async () => {
    const s = gitStore('s', 'clusters');
    const w = world(
      [s],
      [
        dest('outer', s, 'nest'),
        dest('inner', s, './nest/child/'),
        dest('moved', s, 'away', { store: s.ref, path: 'nest/old' }),
        dest('root', s, '/'),
      ],
    );
    w.put(s.ref, {
      'clusters/nest/a.yaml': 'outer',
      'clusters/nest/child/b.yaml': 'inner',
      'clusters/nest/children/c.yaml': 'outer too',
      'clusters/nest/old/d.yaml': 'moved',
      'clusters/away/e.yaml': 'moved',
      'outside.yaml': 'no store',
    });
    expect(await w.listed('outer')).toEqual(['nest/a.yaml', 'nest/children/c.yaml']);
    expect(await w.read('outer', 'nest/child/b.yaml')).toBe(
      'NotFoundError: "nest/child/b.yaml" not found under Destination outer',
    );
    expect(await w.read('outer', 'away/e.yaml')).toBe(
      'NotFoundError: "away/e.yaml" is not under Destination outer',
    );
    expect(await w.listed('inner')).toEqual(['nest/child/b.yaml']);
    // The store's root holds every other Destination: nothing of theirs is its own.
    expect(await w.listed('root')).toEqual([]);
  });

  it('compares buckets by endpoint and name, and every Amazon endpoint as one', async () => {
    const a = bucketStore('a', 'teama', 's3.eu-west-1.amazonaws.com');
    const wide = bucketStore('wide', '/', 'https://s3.amazonaws.com');
    const local = bucketStore('local', '', 'http://127.0.0.1:9000', 'shared', 'local');
    const otherBucket = bucketStore('other-bucket', 'teamc', 's3.amazonaws.com', 'another');
    const w = world(
      [a, wide, local, otherBucket],
      [
        dest('alpha', a, '.'),
        dest('beta', wide, '.'),
        dest('gamma', local, 'teama'),
        dest('delta', otherBucket, '.'),
      ],
    );
    w.put(a.ref, { 'teama/secret.yaml': 'team a', 'teamc/z.yaml': 'beta' });
    w.put(local.ref, { 'teama/secret.yaml': 'another server' });
    expect(await w.listed('beta')).toEqual(['teamc/z.yaml']);
    expect(await w.read('beta', 'teama/secret.yaml')).toBe(
      'NotFoundError: "teama/secret.yaml" not found under Destination beta',
    );
    expect(await w.read('gamma', 'teama/secret.yaml')).toBe('another server');
  });
});
