import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  bucketObjects,
  GitServer,
  readRepo,
  S3Server,
  startGitServer,
  startS3Server,
} from '@internal/state-store-servers';
import { KratixDatabase, NewWork } from '../database';
import { WriterFactory } from '../writers';
import { StoreReconciler } from './StoreReconciler';
import { stateStoreRef } from './refs';

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

describe.each(['GitStateStore', 'BucketStateStore'] as const)(
  'StoreReconciler writing a %s',
  kind => {
    let git: GitServer;
    let s3: S3Server;
    let tmp: string;
    let db: KratixDatabase;
    let reconciler: StoreReconciler;
    let repo: string;
    const root = kind === 'GitStateStore' ? 'gitroot' : 'bucketroot';
    const ref = stateStoreRef(kind, 'default', 'store');

    beforeAll(async () => {
      tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-sr-'));
      git = await startGitServer({ root: path.join(tmp, 'git') });
      s3 = await startS3Server({ directory: path.join(tmp, 's3'), buckets: ['state'] });
      const url = await git.createRepo('state');
      repo = git.repoPath('state');
      const knex = await databases.init('SQLITE_3');
      db = await KratixDatabase.create(knex);
      const logger = mockServices.logger.mock();
      const config = new ConfigReader({
        kratix: {
          workDir: path.join(tmp, 'work'),
          secrets: {
            creds: {
              username: git.username,
              password: git.password,
              accessKeyID: s3.accessKeyId,
              secretAccessKey: s3.secretAccessKey,
            },
          },
        },
      });
      reconciler = new StoreReconciler(db, new WriterFactory(config, logger), logger, {
        fullSyncIntervalMs: 3_600_000,
      });
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
      await db.upsertStateStore({
        ref,
        kind,
        name: 'store',
        entityRef: `${kind.toLowerCase()}:default/store`,
        spec,
      });
      const modes = { nested: 'nestedByMetadata', agg: 'aggregatedYAML', flat: 'none' };
      for (const [name, mode] of Object.entries(modes)) {
        await db.upsertDestination({
          name,
          entityRef: `destination:default/${name}`,
          uid: name,
          labels: { mode: name },
          stateStore: ref,
          spec: {
            path: name,
            stateStoreRef: { kind, name: 'store' },
            strictMatchLabels: false,
            filepath: {
              mode,
              ...(mode === 'aggregatedYAML' ? { filename: 'aggregated.yaml' } : {}),
            },
            cleanup: 'all',
            initWorkloads: { enabled: true },
          },
        });
      }
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
      for (const [k, v] of all) out[k.slice(root.length + 1)] = v;
      return out;
    }

    async function place(w: NewWork) {
      await db.upsertWork(w);
      for (const dest of ['nested', 'agg', 'flat']) {
        await db.createPlacement({
          namespace: 'default',
          name: `${w.name}.${dest}-5058f`,
          workNamespace: 'default',
          workName: w.name,
          groupId: GROUP,
          destination: dest,
          stateStore: ref,
        });
      }
    }

    const all = (works: Record<string, Record<string, string>>) => ({
      ...expected('nestedByMetadata', works),
      ...expected('aggregatedYAML', works),
      ...expected('none', works),
    });

    it('writes every mode, then updates, then deletes, touching nothing else', async () => {
      await place(work('one', { 'a.yaml': 'a: 1', 'b.yaml': 'b: 1' }));
      const first = await reconciler.run(ref);
      expect(first.error).toBeUndefined();
      expect(await storeContent()).toEqual(all({ one: { 'a.yaml': 'a: 1', 'b.yaml': 'b: 1' } }));
      expect((await db.listPlacements()).map(p => p.status)).toEqual([
        'written',
        'written',
        'written',
      ]);

      // Update: b.yaml goes away, a.yaml changes, c.yaml appears in a subdirectory.
      await db.upsertWork(work('one', { 'a.yaml': 'a: 2', 'sub/c.yaml': 'c: 1' }));
      expect((await reconciler.run(ref)).error).toBeUndefined();
      expect(await storeContent()).toEqual(
        all({ one: { 'a.yaml': 'a: 2', 'sub/c.yaml': 'c: 1' } }),
      );

      // A second work: the aggregate holds both, sorted by placement name.
      await place(work('two', { 'z.yaml': 'z: 1' }));
      expect((await reconciler.run(ref)).error).toBeUndefined();
      expect(await storeContent()).toEqual(
        all({ one: { 'a.yaml': 'a: 2', 'sub/c.yaml': 'c: 1' }, two: { 'z.yaml': 'z: 1' } }),
      );

      // Delete the first work: only its files go.
      await db.deleteWork('default', 'app-one-p');
      expect((await reconciler.run(ref)).error).toBeUndefined();
      expect(await storeContent()).toEqual(all({ two: { 'z.yaml': 'z: 1' } }));

      // Delete the last: the aggregated file goes too.
      await db.deleteWork('default', 'app-two-p');
      expect((await reconciler.run(ref)).error).toBeUndefined();
      expect(await storeContent()).toEqual(all({}));
      expect(await db.listPlacements()).toEqual([]);
    });

    it('does nothing when nothing changed', async () => {
      const result = await reconciler.run(ref);
      expect(result).toEqual({ store: ref, skipped: true, written: 0, deleted: 0 });
      const full = await reconciler.run(ref, { full: true });
      expect(full).toMatchObject({ skipped: false, written: 0, deleted: 0 });
    });

    it('refuses a file that escapes its Destination and writes the rest', async () => {
      await place(work('bad', { '../../../escape.yaml': 'x' }));
      await place(work('good', { 'g.yaml': 'g' }));
      const result = await reconciler.run(ref);
      expect(result.error).toBeUndefined();
      const placements = await db.listPlacements();
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
    });

    it("removes a cleanup: all Destination's files and canaries when it is deleted", async () => {
      await db.deleteWork('default', 'app-bad-p');
      await reconciler.run(ref);
      for (const d of ['nested', 'agg', 'flat']) await db.markDestinationDeleted(d);
      expect((await reconciler.run(ref)).error).toBeUndefined();
      expect(await storeContent()).toEqual({});
      expect(await db.listDestinations({ includeDeleted: true })).toEqual([]);
    });
  },
);
