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

describe('works reach their Destinations, and Destinations clean up (real backend, git and S3)', () => {
  let git: GitServer;
  let s3: S3Server;
  let backend: RunningBackend;
  let dir: string;
  let entitiesFile: string;
  let repo: string;
  let url: string;

  const store = (over: Record<string, unknown> = {}) => [
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
    ...Object.values(over),
  ];
  const gitDev = (spec: Record<string, unknown> = {}) => ({
    apiVersion: 'platform.kratix.io/v1alpha1',
    kind: 'Destination',
    metadata: { name: 'git-dev', labels: { environment: 'dev', store: 'git' } },
    spec: {
      path: 'git-dev',
      stateStoreRef: { kind: 'GitStateStore', name: 'git' },
      cleanup: 'all',
      ...spec,
    },
  });
  const s3Dev = {
    apiVersion: 'platform.kratix.io/v1alpha1',
    kind: 'Destination',
    metadata: { name: 's3-dev', labels: { environment: 'dev', store: 's3' } },
    spec: {
      path: 's3-dev',
      stateStoreRef: { kind: 'BucketStateStore', name: 's3' },
      cleanup: 'none',
    },
  };

  beforeAll(async () => {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-reconcile-'));
    git = await startGitServer({ root: path.join(dir, 'git'), password: 'git-secret-value-123' });
    s3 = await startS3Server({ directory: path.join(dir, 's3'), buckets: ['kratix'] });
    url = await git.createRepo('state');
    repo = git.repoPath('state');
    entitiesFile = path.join(dir, 'entities.yaml');
    await writeEntities(entitiesFile, store({ gitDev: gitDev(), s3Dev }));
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
  });
  afterAll(async () => {
    await backend?.stop();
    await git?.stop();
    await s3?.stop();
    await fs.promises.rm(dir, { recursive: true, force: true });
  });

  const gitFiles = () => readRepo(repo);
  const s3Files = () => bucketObjects(s3.endpoint, 'kratix');

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
    const storeRes = await backend.api('/api/kratix/statestores/GitStateStore/git');
    expect(storeRes.status).toBe(200);
    expect(storeRes.body).toMatchObject({
      ready: true,
      status: 'Ready',
      message: 'State store is ready',
    });
    expect(storeRes.body.lastVersion).toBe(
      (await gitCli(['--git-dir', repo, 'rev-parse', 'main'])).trim(),
    );
    expect(JSON.stringify(storeRes.body)).not.toContain(git.password);
  });

  it('rejects a bad work with 400, naming the fields', async () => {
    const res = await backend.api('/api/kratix/works', {
      method: 'POST',
      json: { promise: 'Bad Name', pipeline: 'p', files: [{ path: '../x.yaml', content: 'x' }] },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('InputError');
    expect(res.body.error.message).toBe(
      'promise: "Bad Name" is not a valid name; use up to 63 lowercase letters, digits and "-", starting and ending with a letter or digit; files[0].path: "../x.yaml" contains a ".." segment; files must stay inside the work',
    );
  });

  it('puts a resource work and a dependency work at the exact Kratix paths in both stores', async () => {
    const r1 = await backend.api('/api/kratix/works', {
      method: 'POST',
      json: {
        promise: 'namespace',
        resource: 'my-ns',
        pipeline: 'create',
        destinationSelectors: { store: 'git' },
        files: [{ path: 'ns.yaml', content: NAMESPACE_YAML }],
      },
    });
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
    const r2 = await backend.api('/api/kratix/works', {
      method: 'POST',
      json: {
        promise: 'namespace',
        resource: 'other-ns',
        pipeline: 'create',
        destinationSelectors: { store: 's3' },
        files: [{ path: 'ns.yaml', content: NAMESPACE_YAML }],
      },
    });
    expect(r2.body.destinations).toEqual(['s3-dev']);
    const d = await backend.api('/api/kratix/works', {
      method: 'POST',
      json: {
        promise: 'widgets',
        pipeline: 'install',
        files: [{ path: 'crds/widget.yaml', content: CRD_YAML }],
      },
    });
    expect(d.status).toBe(201);
    expect(d.body.destinations).toEqual(['git-dev', 's3-dev']);

    await eventually(
      async () => {
        const files = await gitFiles();
        expect(
          files.get('clusters/git-dev/resources/default/namespace/my-ns/create/5058f/ns.yaml'),
        ).toBe(NAMESPACE_YAML);
        expect(
          files.get('clusters/git-dev/dependencies/widgets/install/5058f/crds/widget.yaml'),
        ).toBe(CRD_YAML);
        const objects = await s3Files();
        expect(
          objects.get(
            'destinations/s3-dev/resources/default/namespace/other-ns/create/5058f/ns.yaml',
          ),
        ).toBe(NAMESPACE_YAML);
        expect(
          objects.get('destinations/s3-dev/dependencies/widgets/install/5058f/crds/widget.yaml'),
        ).toBe(CRD_YAML);
      },
      30_000,
      'works written',
    );

    const work = await eventually(
      async () => {
        const w = await backend.api('/api/kratix/works/default/namespace-my-ns-create');
        expect(w.body.placements[0].status).toBe('written');
        return w.body;
      },
      20_000,
      'placement written',
    );
    const log = await gitCli(['--git-dir', repo, 'log', '--format=%H', 'main']);
    expect(log.split('\n')).toContain(work.placements[0].version);
    // Posting the same work again changes nothing.
    const again = await backend.api('/api/kratix/works', {
      method: 'POST',
      json: {
        promise: 'namespace',
        resource: 'my-ns',
        pipeline: 'create',
        destinationSelectors: { store: 'git' },
        files: [{ path: 'ns.yaml', content: NAMESPACE_YAML }],
      },
    });
    expect(again.status).toBe(200);
  });

  it('restores a file deleted by hand in the git repository', async () => {
    const target = 'clusters/git-dev/resources/default/namespace/my-ns/create/5058f/ns.yaml';
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
    const res = await backend.api('/api/kratix/works/kratix-platform-system/widgets-install', {
      method: 'DELETE',
    });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      work: { namespace: 'kratix-platform-system', name: 'widgets-install' },
      status: 'deleting',
      destinations: ['git-dev', 's3-dev'],
    });
    await eventually(
      async () => {
        expect([...(await gitFiles()).keys()].filter(k => k.includes('widgets'))).toEqual([]);
        expect([...(await s3Files()).keys()].filter(k => k.includes('widgets'))).toEqual([]);
        expect(
          (await backend.api('/api/kratix/works/kratix-platform-system/widgets-install')).status,
        ).toBe(404);
      },
      30_000,
      'work removed',
    );
    expect(
      (
        await backend.api('/api/kratix/works/kratix-platform-system/widgets-install', {
          method: 'DELETE',
        })
      ).status,
    ).toBe(404);
  });

  it('removes the canaries when initWorkloads is turned off', async () => {
    await writeEntities(
      entitiesFile,
      store({ gitDev: gitDev({ initWorkloads: { enabled: false } }), s3Dev }),
    );
    await eventually(
      async () => {
        const files = await gitFiles();
        expect(files.has('clusters/git-dev/dependencies/kratix-canary-namespace.yaml')).toBe(false);
        expect(files.has('clusters/git-dev/resources/kratix-canary-configmap.yaml')).toBe(false);
        expect(
          files.get('clusters/git-dev/resources/default/namespace/my-ns/create/5058f/ns.yaml'),
        ).toBe(NAMESPACE_YAML);
        const d = await backend.api('/api/kratix/destinations/git-dev');
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

  it('cleans up a cleanup: all Destination and leaves a cleanup: none one alone', async () => {
    await writeEntities(entitiesFile, store());
    await eventually(
      async () => {
        expect(
          [...(await gitFiles()).keys()].filter(k => k.startsWith('clusters/git-dev/')),
        ).toEqual([]);
        expect((await backend.api('/api/kratix/destinations/git-dev')).status).toBe(404);
        expect((await backend.api('/api/kratix/destinations/s3-dev')).status).toBe(404);
      },
      60_000,
      'git-dev cleaned up',
    );
    const cleanups = backend
      .logs()

      .split('\n')
      .filter(l => l.includes('isAuditEvent') && l.includes('eventId="destination-cleanup"'));
    expect(
      cleanups.some(l => l.includes('"destination":"git-dev"') && l.includes('status="succeeded"')),
    ).toBe(true);
    const objects = await s3Files();
    expect(
      objects.get('destinations/s3-dev/resources/default/namespace/other-ns/create/5058f/ns.yaml'),
    ).toBe(NAMESPACE_YAML);
    expect(objects.get('destinations/s3-dev/dependencies/kratix-canary-namespace.yaml')).toBe(
      NS_CANARY,
    );
    const works = await backend.api('/api/kratix/works');
    // cleanup: all removed git-dev's placements; s3-dev's (cleanup: none) stay, with no live Destination (D3).
    expect(works.body.items.map((w: any) => [w.name, w.status, w.destinations])).toEqual([
      ['namespace-my-ns-create', 'pending', []],
      [
        'namespace-other-ns-create',
        'pending',
        [{ name: 's3-dev', status: 'orphaned', misplaced: false }],
      ],
    ]);
    const orphan = await backend.api('/api/kratix/works/default/namespace-other-ns-create');
    expect(orphan.body.placements[0]).toMatchObject({
      destination: 's3-dev',
      status: 'orphaned',
      lastError: 'Destination s3-dev left the catalog; the resource has no live Destination',
    });
  });

  it('never prints a secret in its logs', () => {
    expect(backend.logs()).not.toContain(git.password);
  });
});
