import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  DestinationSpec,
  FilepathMode,
  stateStoreRef,
} from '@kratix-destinations/plugin-kratix-common';
import {
  bucketObjects,
  GitServer,
  pushWithCli,
  readRepo,
  S3Server,
  startGitServer,
  startS3Server,
} from '@internal/state-store-servers';
import { readKratixConfig } from '../../config';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DatabaseKratixStore, NewWork } from '../../database';
import { WriterFactory } from '../../writers';
import { StoreRun } from './StoreRun';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const NS =
  'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kratix-worker-system\nspec: {}\nstatus: {}\n';
const CM =
  'apiVersion: v1\ndata:\n  canary: this confirms your infrastructure is reading from Kratix state stores\nkind: ConfigMap\nmetadata:\n  name: kratix-info\n  namespace: kratix-worker-system\n';
const GROUP = '5058f1af8388633f609cadb75a75dc9d';

function work(resource: string, files: Record<string, string>): NewWork {
  return {
    namespace: 'default',
    name: `app-${resource}-p`,
    promise: 'app',
    resource,
    pipeline: 'p',
    groups: [
      {
        id: GROUP,
        directory: '.',
        selectors: {},
        files: Object.entries(files).map(([p, c]) => ({ path: p, content: Buffer.from(c) })),
      },
    ],
  };
}

/** What a Destination named after its mode holds, relative to the store path, for the works it has. */
function expected(
  mode: string,
  works: Record<string, Record<string, string>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  const names = Object.keys(works).sort();
  if (mode === 'nestedByMetadata') {
    out['nested/dependencies/kratix-canary-namespace.yaml'] = NS;
    out['nested/resources/kratix-canary-configmap.yaml'] = CM;
    for (const r of names)
      for (const [f, c] of Object.entries(works[r]))
        out[`nested/resources/default/app/${r}/p/5058f/${f}`] = c;
  } else if (mode === 'aggregatedYAML') {
    out['agg/kratix-canary-namespace.yaml'] = NS;
    out['agg/kratix-canary-configmap.yaml'] = CM;
    const docs = names.flatMap(r => Object.values(works[r]));
    if (docs.length) out['agg/aggregated.yaml'] = docs.join('\n---\n');
  } else {
    out['flat/kratix-canary-namespace.yaml'] = NS;
    out['flat/kratix-canary-configmap.yaml'] = CM;
    for (const r of names) {
      const files = Object.keys(works[r]);
      for (const f of files) out[`flat/${f}`] = works[r][f];
      out[`flat/.kratix/default-app-${r}-p.flat-5058f.yaml`] =
        `files:\n${files.map(f => `- flat/${f}\n`).join('')}`;
    }
  }
  return out;
}

const destinationSpec = (
  kind: string,
  destPath: string,
  mode: FilepathMode,
  over: Partial<DestinationSpec> = {},
): DestinationSpec => ({
  path: destPath,
  stateStoreRef: { kind: kind as any, name: 'store' },
  strictMatchLabels: false,
  filepath: { mode, ...(mode === 'aggregatedYAML' ? { filename: 'aggregated.yaml' } : {}) },
  cleanup: 'all',
  initWorkloads: { enabled: true },
  ...over,
});

describe.each(['GitStateStore', 'BucketStateStore'] as const)('StoreRun writing a %s', kind => {
  let git: GitServer;
  let s3: S3Server;
  let tmp: string;
  let db: DatabaseKratixStore;
  let run: StoreRun;
  let deps: ConstructorParameters<typeof StoreRun>[0];
  let repo: string;
  let url: string;
  const base = kind === 'GitStateStore' ? 'gitroot' : 'bucketroot';
  // Each test writes under its own root of the same repository or bucket, from a fresh database.
  let root = base;
  let count = 0;
  const ref = stateStoreRef(kind, 'default', 'store');
  const modes = { nested: 'nestedByMetadata', agg: 'aggregatedYAML', flat: 'none' } as const;

  beforeAll(async () => {
    tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-sr-'));
    git = await startGitServer({ root: path.join(tmp, 'git') });
    s3 = await startS3Server({ directory: path.join(tmp, 's3'), buckets: ['state'] });
    url = await git.createRepo('state');
    repo = git.repoPath('state');
  });

  beforeEach(async () => {
    count++;
    root = `${base}${count}`;
    db = await DatabaseKratixStore.create({
      database: { getClient: () => databases.init('SQLITE_3') },
    });
    const logger = mockServices.logger.mock();
    const config = new ConfigReader({
      kratix: {
        workDir: path.join(tmp, `work-${count}`),
        reconcile: { fullSyncInterval: { hours: 1 } },
        secrets: {
          creds: {
            allowedHosts: ['127.0.0.1'],
            username: git.username,
            password: git.password,
            accessKeyID: s3.accessKeyId,
            secretAccessKey: s3.secretAccessKey,
          },
        },
      },
    });
    const kc = readKratixConfig(config);
    deps = { db, writers: new WriterFactory(config, kc, logger), logger, config: kc };
    run = new StoreRun(deps);
    const spec =
      kind === 'GitStateStore'
        ? {
            url,
            path: root,
            branch: 'main',
            authMethod: 'basicAuth',
            secretRef: { name: 'creds' },
            gitAuthor: { name: 'kratix', email: '' },
          }
        : {
            endpoint: s3.endpoint.replace('http://', ''),
            insecure: true,
            useDualStack: false,
            bucketName: 'state',
            path: root,
            authMethod: 'accessKey',
            secretRef: { name: 'creds' },
          };
    await db.stateStores.upsert([
      {
        ref,
        kind,
        name: 'store',
        namespace: 'default',
        entityRef: `${kind.toLowerCase()}:default/store`,
        spec: spec as any,
      },
    ]);
    for (const [name, mode] of Object.entries(modes)) {
      await db.destinations.upsert([
        {
          name,
          namespace: 'default',
          entityRef: `destination:default/${name}`,
          uid: name,
          labels: { mode: name },
          stateStore: ref,
          spec: destinationSpec(kind, name, mode),
        },
      ]);
    }
    // The first (full) run lays out the canaries.
    const first = await run.run(ref);
    if (first.error) throw new Error(`first run: ${first.error}`);
  });

  afterAll(async () => {
    await git.stop();
    await s3.stop();
    await fs.promises.rm(tmp, { recursive: true, force: true });
  });

  async function storeContent(): Promise<Record<string, string>> {
    const all =
      kind === 'GitStateStore' ? await readRepo(repo) : await bucketObjects(s3.endpoint, 'state');
    const out: Record<string, string> = {};
    for (const [k, v] of all) if (k.startsWith(`${root}/`)) out[k.slice(root.length + 1)] = v;
    return out;
  }

  async function place(w: NewWork, destinations = Object.keys(modes)) {
    const { changed, created } = await db.works.upsert(w);
    if (changed && !created) await db.placements.bumpGeneration(w);
    await db.placements.create(
      destinations.map(dest => ({
        namespace: 'default',
        name: `${w.name}.${dest}-5058f`,
        workNamespace: 'default',
        workName: w.name,
        groupId: GROUP,
        destination: dest,
        stateStore: ref,
      })),
    );
    await db.stateStores.bumpChange([ref]);
  }

  async function remove(name: string) {
    await db.works.markDeleted({ namespace: 'default', name });
    await db.placements.markDeleting({ work: { namespace: 'default', name } });
    await db.stateStores.bumpChange([ref]);
  }

  const all = (works: Record<string, Record<string, string>>) => ({
    ...expected('nestedByMetadata', works),
    ...expected('aggregatedYAML', works),
    ...expected('none', works),
  });

  it('writes every mode, then updates, then deletes, touching nothing else', async () => {
    expect(await storeContent()).toEqual(all({}));
    await place(work('one', { 'a.yaml': 'a: 1', 'b.yaml': 'b: 1' }));
    expect((await run.run(ref)).error).toBeUndefined();
    expect(await storeContent()).toEqual(all({ one: { 'a.yaml': 'a: 1', 'b.yaml': 'b: 1' } }));
    expect((await db.placements.list()).map(p => p.status)).toEqual([
      'written',
      'written',
      'written',
    ]);
    // Update: b.yaml goes away, a.yaml changes, c.yaml appears in a subdirectory.
    await place(work('one', { 'a.yaml': 'a: 2', 'sub/c.yaml': 'c: 1' }));
    expect((await run.run(ref)).error).toBeUndefined();
    expect(await storeContent()).toEqual(all({ one: { 'a.yaml': 'a: 2', 'sub/c.yaml': 'c: 1' } }));
    // A second work: the aggregate holds both, sorted by placement name.
    await place(work('two', { 'z.yaml': 'z: 1' }));
    expect((await run.run(ref)).error).toBeUndefined();
    expect(await storeContent()).toEqual(
      all({ one: { 'a.yaml': 'a: 2', 'sub/c.yaml': 'c: 1' }, two: { 'z.yaml': 'z: 1' } }),
    );
    // Delete the first work: only its files go.
    await remove('app-one-p');
    expect((await run.run(ref)).error).toBeUndefined();
    expect(await storeContent()).toEqual(all({ two: { 'z.yaml': 'z: 1' } }));
    // Delete the last: the aggregated file goes too.
    await remove('app-two-p');
    expect((await run.run(ref)).error).toBeUndefined();
    expect(await storeContent()).toEqual(all({}));
    expect(await db.placements.list()).toEqual([]);
  });

  it('does nothing when nothing changed, and a full sync with nothing drifted writes nothing', async () => {
    expect(await run.run(ref)).toEqual({ store: ref, skipped: true, written: 0, deleted: 0 });
    const before = await storeContent();
    const full = await run.run(ref, { full: true });
    expect(full).toMatchObject({ skipped: false, written: 0, deleted: 0 });
    expect(full.version).toBeUndefined();
    expect(await storeContent()).toEqual(before);
  });

  it('D2: a Destination that moves to another store during a run is left to that store', async () => {
    await place(work('moving', { 'm.yaml': 'm: 1' }), ['nested']);
    const other = stateStoreRef(kind, 'default', 'other');
    const racing = Object.create(db) as DatabaseKratixStore;
    racing.transaction = async fn => {
      // The catalog sync commits the move after the write, just before the run records it.
      const d = (await db.destinations.get('nested'))!;
      await db.destinations.upsert([{ ...d, stateStore: other }]);
      await db.placements.markDestinationDirty('nested', other);
      await db.ownedFiles.forgetDestination('nested', other);
      return db.transaction(fn);
    };
    const result = await new StoreRun({ ...deps, db: racing }).run(ref);
    expect(result).toMatchObject({ skipped: false, written: 1 });
    expect(Object.keys(await storeContent())).toContain(
      'nested/resources/default/app/moving/p/5058f/m.yaml',
    );
    const [p] = await db.placements.list({ destination: 'nested' });
    expect(p).toMatchObject({ stateStore: other, status: 'pending', dirty: true });
    expect(p.written).toBeUndefined();
    expect(await db.ownedFiles.list({ store: ref, destinations: ['nested'] })).toEqual([]);
    expect((await db.events.list({ placement: p })).map(e => e.action)).toEqual([]);
    expect(await db.placements.countDirty(other)).toBe(1);
  });

  it('D0: a change to one Destination touches no other Destination on the store', async () => {
    await place(work('keep', { 'k.yaml': 'k: 1' }));
    await run.run(ref);
    const before = await storeContent();
    await place(work('only-nested', { 'n.yaml': 'n: 1' }), ['nested']);
    const result = await run.run(ref);
    expect(result).toMatchObject({ written: 1, deleted: 0 });
    const after = await storeContent();
    expect(after).toEqual({
      ...before,
      'nested/resources/default/app/only-nested/p/5058f/n.yaml': 'n: 1',
    });
    await remove('app-only-nested-p');
    await remove('app-keep-p');
    await run.run(ref);
  });

  it('refuses a file that escapes its Destination and writes the rest', async () => {
    await place(work('bad', { '../../../escape.yaml': 'x' }));
    await place(work('good', { 'g.yaml': 'g' }));
    expect((await run.run(ref)).error).toBeUndefined();
    const placements = await db.placements.list();
    const nestedBad = placements.find(p => p.name === 'app-bad-p.nested-5058f')!;
    expect(nestedBad).toMatchObject({ status: 'failed' });
    expect(nestedBad.lastError).toBe(
      'placement app-bad-p.nested-5058f: file: "../../../escape.yaml" resolves to "nested/resources/default/app/escape.yaml", outside "nested/resources/default/app/bad/p/5058f"; remove the ".." segments',
    );
    expect(placements.find(p => p.name === 'app-bad-p.flat-5058f')!.lastError).toBe(
      'placement app-bad-p.flat-5058f: file: "../../../escape.yaml" resolves to "../../escape.yaml", outside "flat"; remove the ".." segments',
    );
    const content = await storeContent();
    expect(Object.keys(content).filter(k => k.includes('escape'))).toEqual([]);
    expect(content['nested/resources/default/app/good/p/5058f/g.yaml']).toBe('g');
    await remove('app-bad-p');
    await remove('app-good-p');
    await run.run(ref);
    expect(await storeContent()).toEqual(all({}));
  });

  it('D7: a state file that cannot be read fails only its placement; the rest of the store is written', async () => {
    await place(work('broken', { 'x.yaml': 'x' }), ['flat']);
    await run.run(ref);
    const stateFile = `${root}/flat/.kratix/default-app-broken-p.flat-5058f.yaml`;
    await writeForeign({ [stateFile]: 'files: [unclosed\n' });
    await place(work('broken', { 'y.yaml': 'y' }), ['flat']);
    await place(work('healthy', { 'h.yaml': 'h' }));
    expect((await run.run(ref)).error).toBeUndefined();
    const broken = (await db.placements.list()).find(p => p.name === 'app-broken-p.flat-5058f')!;
    expect(broken.status).toBe('failed');
    expect(broken.lastError).toContain(
      'flat/.kratix/default-app-broken-p.flat-5058f.yaml: not valid YAML',
    );
    expect(broken.lastError).toContain('delete it to let it be rewritten');
    const content = await storeContent();
    expect(content['flat/h.yaml']).toBe('h');
    expect(content['nested/resources/default/app/healthy/p/5058f/h.yaml']).toBe('h');
    // A bad work can always be deleted: what the plugin wrote goes, from its own record.
    await remove('app-broken-p');
    await remove('app-healthy-p');
    await run.run(ref);
    expect(await storeContent()).toEqual(all({}));
  });

  it('notices drift in a full sync, repairs it, and records it on the placement', async () => {
    await place(work('drifty', { 'd.yaml': 'd: 1' }), ['nested']);
    await run.run(ref);
    const file = `${root}/nested/resources/default/app/drifty/p/5058f/d.yaml`;
    await writeForeign({
      [file]: 'd: hacked',
      [`${root}/nested/resources/default/app/drifty/p/5058f/extra.yaml`]: 'extra',
    });
    const result = await run.run(ref, { full: true });
    expect(result.error).toBeUndefined();
    expect([...result.drift!.placements.values()].map(p => p.files.sort())).toEqual([
      [
        'nested/resources/default/app/drifty/p/5058f/d.yaml',
        'nested/resources/default/app/drifty/p/5058f/extra.yaml',
      ],
    ]);
    const content = await storeContent();
    expect(content['nested/resources/default/app/drifty/p/5058f/d.yaml']).toBe('d: 1');
    expect(content['nested/resources/default/app/drifty/p/5058f/extra.yaml']).toBeUndefined();
    const p = (await db.placements.list()).find(x => x.name === 'app-drifty-p.nested-5058f')!;
    expect(p.drift).toMatchObject({
      resolution: 'repaired',
      files: expect.arrayContaining(['nested/resources/default/app/drifty/p/5058f/d.yaml']),
    });
    await remove('app-drifty-p');
    await run.run(ref);
  });

  it("removes a cleanup: all Destination's files and canaries when it is deleted", async () => {
    await db.destinations.markDeleted(Object.keys(modes));
    expect((await run.run(ref)).error).toBeUndefined();
    expect(await storeContent()).toEqual({});
    expect(await db.destinations.list({ includeDeleted: true })).toEqual([]);
  });

  async function writeForeign(files: Record<string, string>) {
    if (kind === 'GitStateStore') {
      await pushWithCli(url, git, files);
      return;
    }
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    for (const [k, v] of Object.entries(files))
      await client.send(new PutObjectCommand({ Bucket: 'state', Key: k, Body: v }));
    client.destroy();
  }
});
