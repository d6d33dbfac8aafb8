import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  bucketObjects,
  GitServer,
  gitCli,
  pushWithCli,
  readRepo,
  S3Server,
  startGitServer,
  startS3Server,
} from '@internal/state-store-servers';
import { eventually, RunningBackend, startBackend, writeEntities } from './harness/backend';

jest.setTimeout(300_000);

const NS_CANARY =
  'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kratix-worker-system\nspec: {}\nstatus: {}\n';
const CM_CANARY =
  'apiVersion: v1\ndata:\n  canary: this confirms your infrastructure is reading from Kratix state stores\nkind: ConfigMap\nmetadata:\n  name: kratix-info\n  namespace: kratix-worker-system\n';
const NAMESPACE_YAML = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: my-ns\n';
const CRD_YAML =
  'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\n';

type Store = 'git' | 's3';
const STORE_REF = {
  git: { kind: 'GitStateStore', name: 'git' },
  s3: { kind: 'BucketStateStore', name: 's3' },
};

/** A Destination; `strictMatchLabels` keeps the works of other tests (no selectors) off it. */
const destination = (
  name: string,
  store: Store,
  labels: Record<string, string>,
  spec: Record<string, unknown> = {},
) => ({
  apiVersion: 'platform.kratix.io/v1alpha1',
  kind: 'Destination',
  metadata: { name, labels },
  spec: { path: name, stateStoreRef: STORE_REF[store], ...spec },
});

/** A resource work of the `namespace` promise, in `default`, named `namespace-<resource>-create`. */
const nsWork = (resource: string, destinationSelectors: Record<string, string>) => ({
  promise: 'namespace',
  resource,
  pipeline: 'create',
  destinationSelectors,
  files: [{ path: 'ns.yaml', content: NAMESPACE_YAML }],
});

/** A dependency work (no selectors: every Destination without strictMatchLabels). */
const dependencyWork = (promise: string) => ({
  promise,
  pipeline: 'install',
  files: [{ path: 'crds/widget.yaml', content: CRD_YAML }],
});

describe('works reach their Destinations, and Destinations clean up (real backend, git and S3)', () => {
  let git: GitServer;
  let s3: S3Server;
  let backend: RunningBackend;
  let dir: string;
  let entitiesFile: string;
  let repo: string;
  let url: string;

  /** The catalog: the stores, the shared Destinations, and each test's own group of entities. */
  const groups = new Map<string, unknown[]>();
  const stores = () => [
    {
      apiVersion: 'platform.kratix.io/v1alpha1',
      kind: 'GitStateStore',
      metadata: { name: 'git' },
      spec: { url, path: 'clusters', secretRef: { name: 'git-creds' } },
    },
    {
      apiVersion: 'platform.kratix.io/v1alpha1',
      kind: 'BucketStateStore',
      metadata: { name: 's3' },
      spec: {
        endpoint: s3.endpoint.replace('http://', ''),
        insecure: true,
        bucketName: 'kratix',
        path: 'destinations',
        secretRef: { name: 's3-creds' },
      },
    },
  ];
  /** Sets (or, with no docs, removes) one test's entities and rewrites the catalog file. */
  async function setGroup(key: string, docs?: unknown[]) {
    if (docs) groups.set(key, docs);
    else groups.delete(key);
    await writeEntities(entitiesFile, [...stores(), ...[...groups.values()].flat()]);
  }

  beforeAll(async () => {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-reconcile-'));
    git = await startGitServer({ root: path.join(dir, 'git'), password: 'git-secret-value-123' });
    s3 = await startS3Server({ directory: path.join(dir, 's3'), buckets: ['kratix'] });
    url = await git.createRepo('state');
    repo = git.repoPath('state');
    entitiesFile = path.join(dir, 'entities.yaml');
    // The shared Destinations: no test changes them.
    await setGroup('shared', [
      destination('git-dev', 'git', { environment: 'dev', store: 'git' }, { cleanup: 'all' }),
      destination('s3-dev', 's3', { environment: 'dev', store: 's3' }, { cleanup: 'none' }),
    ]);
    backend = await startBackend({
      locations: [entitiesFile],
      env: {
        GIT_USER: git.username,
        GIT_PASSWORD: git.password,
        S3_KEY: s3.accessKeyId,
        S3_SECRET: s3.secretAccessKey,
      },
      config: {
        kratix: {
          secrets: {
            'git-creds': {
              allowedHosts: ['127.0.0.1'],
              username: '${GIT_USER}',
              password: '${GIT_PASSWORD}',
            },
            's3-creds': {
              allowedHosts: ['127.0.0.1'],
              accessKeyID: '${S3_KEY}',
              secretAccessKey: '${S3_SECRET}',
            },
          },
        },
      },
    });
    // The shared Destinations are in the catalog and ready before any test posts a work.
    await eventually(
      async () => {
        expect((await backend.api('/api/kratix/destinations/git-dev')).body?.ready).toBe(true);
        expect((await backend.api('/api/kratix/destinations/s3-dev')).body?.ready).toBe(true);
      },
      120_000,
      'shared Destinations ready',
    );
  });
  afterAll(async () => {
    await backend?.stop();
    await git?.stop();
    await s3?.stop();
    await fs.promises.rm(dir, { recursive: true, force: true });
  });

  const gitFiles = () => readRepo(repo);
  const s3Files = () => bucketObjects(s3.endpoint, 'kratix');
  const postWork = (json: unknown) => backend.api('/api/kratix/works', { method: 'POST', json });

  /** Waits until every placement of a work (`<namespace>/<name>`) is written; returns the work. */
  const waitWritten = (ref: string) =>
    eventually(
      async () => {
        const w = await backend.api(`/api/kratix/works/${ref}`);
        expect(w.body.placements.length).toBeGreaterThan(0);
        expect(w.body.placements.map((p: any) => p.status)).toEqual(
          w.body.placements.map(() => 'written'),
        );
        return w.body;
      },
      30_000,
      `${ref} written`,
    );

  /** Waits until a Destination's canaries are in its store. */
  const waitCanaries = (store: Store, name: string) =>
    eventually(
      async () => {
        const files = store === 'git' ? await gitFiles() : await s3Files();
        const root = store === 'git' ? `clusters/${name}` : `destinations/${name}`;
        expect(files.get(`${root}/dependencies/kratix-canary-namespace.yaml`)).toBe(NS_CANARY);
        expect(files.get(`${root}/resources/kratix-canary-configmap.yaml`)).toBe(CM_CANARY);
        expect((await backend.api(`/api/kratix/destinations/${name}`)).body?.ready).toBe(true);
      },
      60_000,
      `${name} canaries`,
    );

  it('writes the canaries of each Destination and reports it ready', async () => {
    await eventually(
      async () => {
        const files = await gitFiles();
        expect(files.get('clusters/git-dev/dependencies/kratix-canary-namespace.yaml')).toBe(
          NS_CANARY,
        );
        expect(files.get('clusters/git-dev/resources/kratix-canary-configmap.yaml')).toBe(
          CM_CANARY,
        );
        const objects = await s3Files();
        expect(objects.get('destinations/s3-dev/dependencies/kratix-canary-namespace.yaml')).toBe(
          NS_CANARY,
        );
        expect(objects.get('destinations/s3-dev/resources/kratix-canary-configmap.yaml')).toBe(
          CM_CANARY,
        );
      },
      60_000,
      'canaries',
    );
    const res = await eventually(
      async () => {
        const r = await backend.api('/api/kratix/destinations/git-dev');
        expect(r.body.ready).toBe(true);
        return r;
      },
      30_000,
      'git-dev ready',
    );
    expect(res.body).toMatchObject({
      name: 'git-dev',
      message: 'Test documents written to State Store',
      canaries: { enabled: true, written: true },
    });
  });

  it('reports the State Store ready at the last commit, without its secret', async () => {
    await waitCanaries('git', 'git-dev');
    // Retried: the store may still be writing what an earlier test left to do.
    const storeRes = await eventually(
      async () => {
        const r = await backend.api('/api/kratix/statestores/GitStateStore/git');
        expect(r.body.lastVersion).toBe(
          (await gitCli(['--git-dir', repo, 'rev-parse', 'main'])).trim(),
        );
        return r;
      },
      30_000,
      'store at the last commit',
    );
    expect(storeRes.status).toBe(200);
    expect(storeRes.body).toMatchObject({
      ready: true,
      status: 'Ready',
      message: 'State store is ready',
    });
    expect(JSON.stringify(storeRes.body)).not.toContain(git.password);
  });

  it('rejects a bad work with 400, naming the fields', async () => {
    const res = await postWork({
      promise: 'Bad Name',
      pipeline: 'p',
      files: [{ path: '../x.yaml', content: 'x' }],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('InputError');
    expect(res.body.error.message).toBe(
      'promise: "Bad Name" is not a valid name; use up to 63 lowercase letters, digits and "-", starting and ending with a letter or digit; files[0].path: "../x.yaml" contains a ".." segment; files must stay inside the work',
    );
  });

  it('puts a resource work at the exact Kratix path in the git store', async () => {
    const r1 = await postWork(nsWork('my-ns', { store: 'git' }));
    expect(r1.status).toBe(201);
    expect(r1.body).toMatchObject({
      work: { namespace: 'default', name: 'namespace-my-ns-create' },
      destinations: ['git-dev'],
    });
    expect(r1.body.placements[0]).toMatchObject({
      name: 'namespace-my-ns-create.git-dev-5058f',
      location: {
        stateStore: 'GitStateStore/git',
        url,
        path: 'clusters/git-dev/resources/default/namespace/my-ns/create/5058f',
      },
    });
    await eventually(
      async () => {
        expect(
          (await gitFiles()).get(
            'clusters/git-dev/resources/default/namespace/my-ns/create/5058f/ns.yaml',
          ),
        ).toBe(NAMESPACE_YAML);
      },
      30_000,
      'work written',
    );
    const work = await waitWritten('default/namespace-my-ns-create');
    const log = await gitCli(['--git-dir', repo, 'log', '--format=%H', 'main']);
    expect(log.split('\n')).toContain(work.placements[0].version);
  });

  it('puts a resource work at the exact Kratix path in the S3 store', async () => {
    const r2 = await postWork(nsWork('other-ns', { store: 's3' }));
    expect(r2.body.destinations).toEqual(['s3-dev']);
    await eventually(
      async () => {
        expect(
          (await s3Files()).get(
            'destinations/s3-dev/resources/default/namespace/other-ns/create/5058f/ns.yaml',
          ),
        ).toBe(NAMESPACE_YAML);
      },
      30_000,
      'work written',
    );
  });

  it('puts a dependency work at the exact Kratix paths in both stores', async () => {
    const d = await postWork(dependencyWork('widgets'));
    expect(d.status).toBe(201);
    expect(d.body.destinations).toEqual(['git-dev', 's3-dev']);
    await eventually(
      async () => {
        expect(
          (await gitFiles()).get(
            'clusters/git-dev/dependencies/widgets/install/5058f/crds/widget.yaml',
          ),
        ).toBe(CRD_YAML);
        expect(
          (await s3Files()).get(
            'destinations/s3-dev/dependencies/widgets/install/5058f/crds/widget.yaml',
          ),
        ).toBe(CRD_YAML);
      },
      30_000,
      'works written',
    );
  });

  it('answers 200 to the same work posted again', async () => {
    expect((await postWork(nsWork('again-ns', { store: 'git' }))).status).toBe(201);
    await waitWritten('default/namespace-again-ns-create');
    const again = await postWork(nsWork('again-ns', { store: 'git' }));
    expect(again.status).toBe(200);
  });

  it('restores a file deleted by hand in the git repository', async () => {
    expect((await postWork(nsWork('drift-ns', { store: 'git' }))).status).toBe(201);
    await waitWritten('default/namespace-drift-ns-create');
    const target = 'clusters/git-dev/resources/default/namespace/drift-ns/create/5058f/ns.yaml';
    expect((await gitFiles()).get(target)).toBe(NAMESPACE_YAML);
    await pushWithCli(url, git, { [target]: null }, 'oops');
    expect((await gitFiles()).has(target)).toBe(false);
    await eventually(
      async () => {
        expect((await gitFiles()).get(target)).toBe(NAMESPACE_YAML);
      },
      30_000,
      'drift repaired',
    );
  });

  it('removes a deleted work from every Destination', async () => {
    const posted = await postWork(dependencyWork('gadgets'));
    expect(posted.body.destinations).toEqual(['git-dev', 's3-dev']);
    await waitWritten('kratix-platform-system/gadgets-install');
    const res = await backend.api('/api/kratix/works/kratix-platform-system/gadgets-install', {
      method: 'DELETE',
    });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      work: { namespace: 'kratix-platform-system', name: 'gadgets-install' },
      status: 'deleting',
      destinations: ['git-dev', 's3-dev'],
    });
    await eventually(
      async () => {
        expect([...(await gitFiles()).keys()].filter(k => k.includes('gadgets'))).toEqual([]);
        expect([...(await s3Files()).keys()].filter(k => k.includes('gadgets'))).toEqual([]);
        expect(
          (await backend.api('/api/kratix/works/kratix-platform-system/gadgets-install')).status,
        ).toBe(404);
      },
      30_000,
      'work removed',
    );
    expect(
      (
        await backend.api('/api/kratix/works/kratix-platform-system/gadgets-install', {
          method: 'DELETE',
        })
      ).status,
    ).toBe(404);
  });

  it('removes the canaries when initWorkloads is turned off', async () => {
    const quiet = (spec: Record<string, unknown> = {}) =>
      destination(
        'git-quiet',
        'git',
        { suite: 'quiet' },
        { cleanup: 'all', strictMatchLabels: true, ...spec },
      );
    await setGroup('quiet', [quiet()]);
    await waitCanaries('git', 'git-quiet');
    expect((await postWork(nsWork('quiet-ns', { suite: 'quiet' }))).status).toBe(201);
    await waitWritten('default/namespace-quiet-ns-create');
    await setGroup('quiet', [quiet({ initWorkloads: { enabled: false } })]);
    await eventually(
      async () => {
        const files = await gitFiles();
        expect(files.has('clusters/git-quiet/dependencies/kratix-canary-namespace.yaml')).toBe(
          false,
        );
        expect(files.has('clusters/git-quiet/resources/kratix-canary-configmap.yaml')).toBe(false);
        expect(
          files.get('clusters/git-quiet/resources/default/namespace/quiet-ns/create/5058f/ns.yaml'),
        ).toBe(NAMESPACE_YAML);
        const d = await backend.api('/api/kratix/destinations/git-quiet');
        expect(d.body).toMatchObject({
          ready: true,
          message: 'Destination is ready',
          canaries: { enabled: false, written: false },
        });
      },
      40_000,
      'canaries removed',
    );
  });

  /** Two Destinations of the cleanup test, each with one written work and its canaries. */
  async function startGoneDestinations() {
    const strict = { strictMatchLabels: true };
    await setGroup('gone', [
      destination('git-gone', 'git', { suite: 'gone-git' }, { cleanup: 'all', ...strict }),
      destination('s3-gone', 's3', { suite: 'gone-s3' }, { cleanup: 'none', ...strict }),
    ]);
    await waitCanaries('git', 'git-gone');
    await waitCanaries('s3', 's3-gone');
    expect((await postWork(nsWork('gone-ns', { suite: 'gone-git' }))).status).toBe(201);
    expect((await postWork(nsWork('kept-ns', { suite: 'gone-s3' }))).status).toBe(201);
    await waitWritten('default/namespace-gone-ns-create');
    await waitWritten('default/namespace-kept-ns-create');
  }

  it('cleans up a cleanup: all Destination and leaves a cleanup: none one alone', async () => {
    await startGoneDestinations();
    await setGroup('gone');
    await eventually(
      async () => {
        expect(
          [...(await gitFiles()).keys()].filter(k => k.startsWith('clusters/git-gone/')),
        ).toEqual([]);
        expect((await backend.api('/api/kratix/destinations/git-gone')).status).toBe(404);
        expect((await backend.api('/api/kratix/destinations/s3-gone')).status).toBe(404);
      },
      60_000,
      'git-gone cleaned up',
    );
    const cleanups = backend
      .logs()
      .split('\n')
      .filter(l => l.includes('isAuditEvent') && l.includes('eventId="destination-cleanup"'));
    expect(
      cleanups.some(
        l => l.includes('"destination":"git-gone"') && l.includes('status="succeeded"'),
      ),
    ).toBe(true);
    const objects = await s3Files();
    expect(
      objects.get('destinations/s3-gone/resources/default/namespace/kept-ns/create/5058f/ns.yaml'),
    ).toBe(NAMESPACE_YAML);
    expect(objects.get('destinations/s3-gone/dependencies/kratix-canary-namespace.yaml')).toBe(
      NS_CANARY,
    );
    const works = await backend.api('/api/kratix/works');
    const mine = ['namespace-gone-ns-create', 'namespace-kept-ns-create'];
    // cleanup: all removed git-gone's placements; s3-gone's (cleanup: none) stay, with no live Destination (D3).
    expect(
      works.body.items
        .filter((w: any) => mine.includes(w.name))
        .map((w: any) => [w.name, w.status, w.destinations]),
    ).toEqual([
      ['namespace-gone-ns-create', 'pending', []],
      [
        'namespace-kept-ns-create',
        'pending',
        [{ name: 's3-gone', status: 'orphaned', misplaced: false }],
      ],
    ]);
    const orphan = await backend.api('/api/kratix/works/default/namespace-kept-ns-create');
    expect(orphan.body.placements[0]).toMatchObject({
      destination: 's3-gone',
      status: 'orphaned',
      lastError: 'Destination s3-gone left the catalog; the resource has no live Destination',
    });
  });

  it('never prints a secret in its logs', async () => {
    // The backend has used the git secret: a work is written to the git store.
    expect((await postWork(nsWork('secret-ns', { store: 'git' }))).status).toBe(201);
    await waitWritten('default/namespace-secret-ns-create');
    expect(backend.logs()).not.toContain(git.password);
  });
});
