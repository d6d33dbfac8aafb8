/**
 * TLS through the real backend, against git http-backend and s3rver serving
 * HTTPS with certificates of private CAs made here: a store whose CA nobody
 * trusts is not ready and says so on its page, its Destination and its
 * placements; `kratix.secrets.<name>.caBundle` and `kratix.tls.caBundle`
 * make it trusted; Kratix's `spec.insecure: true` skips verification only on
 * a host listed in `kratix.tls.allowInsecure` (with a warning in the log),
 * and is refused, before any request, anywhere else.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  bucketObjects,
  createTestCertificates,
  GitServer,
  readRepo,
  S3Server,
  startGitServer,
  startS3Server,
  TestCertificates,
} from '@internal/state-store-servers';
import { eventually, RunningBackend, startBackend, writeEntities } from './harness/backend';

jest.setTimeout(300_000);

const API = 'platform.kratix.io/v1alpha1';
const NS_CANARY =
  'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kratix-worker-system\nspec: {}\nstatus: {}\n';
const CM_CANARY =
  'apiVersion: v1\ndata:\n  canary: this confirms your infrastructure is reading from Kratix state stores\nkind: ConfigMap\nmetadata:\n  name: kratix-info\n  namespace: kratix-worker-system\n';
const NAMESPACE_YAML = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: tls-ns\n';
const PASSWORD = 'tls-git-password-83d1';

type Kind = 'GitStateStore' | 'BucketStateStore';

/** A store and its Destination (path and label = the store's name). */
function storeWithDestination(kind: Kind, name: string, spec: Record<string, unknown>) {
  return [
    { apiVersion: API, kind, metadata: { name }, spec },
    {
      apiVersion: API,
      kind: 'Destination',
      metadata: { name: `${name}-dest`, labels: { tls: name } },
      spec: { path: `${name}-dest`, stateStoreRef: { kind, name }, strictMatchLabels: true },
    },
  ];
}

/** What a Destination holds after its canaries and the work of `workFor`. */
function expectedFiles(name: string): Map<string, string> {
  const d = `${name}-dest`;
  return new Map([
    [`${d}/dependencies/kratix-canary-namespace.yaml`, NS_CANARY],
    [`${d}/resources/default/namespace/${name}/create/5058f/ns.yaml`, NAMESPACE_YAML],
    [`${d}/resources/kratix-canary-configmap.yaml`, CM_CANARY],
  ]);
}

const workFor = (name: string) => ({
  promise: 'namespace',
  resource: name,
  pipeline: 'create',
  destinationSelectors: { tls: name },
  files: [{ path: 'ns.yaml', content: NAMESPACE_YAML }],
});

describe('TLS certificates of Git and S3 stores (real backend, HTTPS servers, private CAs)', () => {
  let dir: string;
  let caA: TestCertificates; // trusted only through kratix.secrets.with-ca.caBundle
  let caB: TestCertificates; // trusted through kratix.tls.caBundle
  let gitA: GitServer;
  let gitB: GitServer;
  let s3A: S3Server;
  let s3B: S3Server;
  let backend: RunningBackend;

  const hostA = () => `127.0.0.1:${gitA.port}`;
  const hostB = () => `127.0.0.1:${gitB.port}`;
  const bucketSpec = (s3: S3Server, bucketName: string, secret: string) => ({
    endpoint: `127.0.0.1:${s3.port}`,
    bucketName,
    secretRef: { name: secret },
  });

  function entities() {
    return [
      ...storeWithDestination('GitStateStore', 'git-noca', {
        url: `${gitA.baseUrl}/noca.git`,
        secretRef: { name: 'plain' },
      }),
      ...storeWithDestination('GitStateStore', 'git-secretca', {
        url: `${gitA.baseUrl}/secretca.git`,
        secretRef: { name: 'with-ca' },
      }),
      ...storeWithDestination('GitStateStore', 'git-globalca', {
        url: `${gitB.baseUrl}/globalca.git`,
        secretRef: { name: 'plain' },
        insecure: false,
      }),
      ...storeWithDestination('GitStateStore', 'git-insecure', {
        url: `${gitA.baseUrl}/insecure.git`,
        secretRef: { name: 'plain' },
        insecure: true,
      }),
      ...storeWithDestination('GitStateStore', 'git-refused', {
        url: `${gitB.baseUrl}/refused.git`,
        secretRef: { name: 'plain' },
        insecure: true,
      }),
      ...storeWithDestination('BucketStateStore', 's3-noca', bucketSpec(s3A, 'noca', 'plain')),
      ...storeWithDestination(
        'BucketStateStore',
        's3-secretca',
        bucketSpec(s3A, 'secretca', 'with-ca'),
      ),
      ...storeWithDestination(
        'BucketStateStore',
        's3-globalca',
        bucketSpec(s3B, 'globalca', 'plain'),
      ),
    ];
  }

  function config() {
    const secret = {
      allowedHosts: ['127.0.0.1'],
      username: 'kratix',
      password: '${GIT_PASSWORD}',
      accessKeyID: 'S3RVER',
      secretAccessKey: 'S3RVER',
    };
    return {
      kratix: {
        // Failing stores are tried again within 2 s, so a new work's placement fails soon.
        reconcile: { maxBackoff: { seconds: 2 } },
        tls: { caBundle: caB.ca, allowInsecure: [hostA()] },
        secrets: { plain: secret, 'with-ca': { ...secret, caBundle: caA.ca } },
      },
    };
  }

  beforeAll(async () => {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-tls-e2e-'));
    [caA, caB] = await Promise.all([createTestCertificates(), createTestCertificates()]);
    const git = (name: string, tls: TestCertificates) =>
      startGitServer({ root: path.join(dir, name), password: PASSWORD, tls });
    [gitA, gitB] = await Promise.all([git('git-a', caA), git('git-b', caB)]);
    for (const repo of ['noca', 'secretca', 'insecure']) await gitA.createRepo(repo);
    for (const repo of ['globalca', 'refused']) await gitB.createRepo(repo);
    [s3A, s3B] = await Promise.all([
      startS3Server({ directory: path.join(dir, 's3-a'), buckets: ['noca', 'secretca'], tls: caA }),
      startS3Server({ directory: path.join(dir, 's3-b'), buckets: ['globalca'], tls: caB }),
    ]);
    const entitiesFile = path.join(dir, 'entities.yaml');
    await writeEntities(entitiesFile, entities());
    backend = await startBackend({
      locations: [entitiesFile],
      env: { GIT_PASSWORD: PASSWORD },
      config: config(),
    });
    const stores = ['git-noca', 'git-secretca', 'git-globalca', 'git-insecure', 'git-refused'];
    for (const name of [...stores, 's3-noca', 's3-secretca', 's3-globalca']) {
      const posted = await backend.api('/api/kratix/works', {
        method: 'POST',
        json: workFor(name),
      });
      if (posted.status !== 201)
        throw new Error(`work for ${name}: ${posted.status} ${posted.text}`);
    }
  });
  afterAll(async () => {
    await backend?.stop();
    await Promise.all([gitA?.stop(), gitB?.stop(), s3A?.stop(), s3B?.stop()]);
    if (dir) await fs.promises.rm(dir, { recursive: true, force: true });
  });

  /** The store, its Destination and the placement of its work all say `message`. */
  async function failingWith(kind: Kind, name: string, message: string) {
    await eventually(
      async () => {
        const store = (await backend.api(`/api/kratix/statestores/${kind}/${name}`)).body;
        expect({ ready: store?.ready, message: store?.message }).toEqual({ ready: false, message });
        const destination = (await backend.api(`/api/kratix/destinations/${name}-dest`)).body;
        expect({ ready: destination?.ready, message: destination?.message }).toEqual({
          ready: false,
          message: `Failed to write to State Store: ${message}`,
        });
        const work = (await backend.api(`/api/kratix/works/default/namespace-${name}-create`)).body;
        expect(work?.placements?.map((p: any) => [p.destination, p.status, p.lastError])).toEqual([
          [`${name}-dest`, 'failed', message],
        ]);
      },
      90_000,
      `${kind}/${name} failing`,
    );
  }

  const untrusted = (kind: Kind, name: string) =>
    `${kind}/${name}: TLS certificate validation failed: self-signed certificate in certificate chain (trust the CA with kratix.tls.caBundle or kratix.secrets.plain.caBundle)`;

  const gitFiles = (server: GitServer, repo: string) => () => readRepo(server.repoPath(repo));
  const bucketFiles = (server: S3Server, ca: TestCertificates, bucket: string) => () =>
    bucketObjects(server.endpoint, bucket, undefined, { ca: ca.ca });

  /** Waits until the store holds exactly the Destination's files and it is ready; returns them. */
  async function writtenExactly(name: string, files: () => Promise<Map<string, string>>) {
    const found = await eventually(
      async () => {
        const now = await files();
        expect(now).toEqual(expectedFiles(name));
        return now;
      },
      90_000,
      `${name} written`,
    );
    // The run records the Destination ready after its push lands: wait for the record too.
    await eventually(
      async () =>
        expect((await backend.api(`/api/kratix/destinations/${name}-dest`)).body.ready).toBe(true),
      30_000,
      `${name}-dest ready`,
    );
    return found;
  }

  it('Git: a server whose CA is not trusted fails, and the store, its Destination and the placement say why', async () => {
    await failingWith('GitStateStore', 'git-noca', untrusted('GitStateStore', 'git-noca'));
    expect(await readRepo(gitA.repoPath('noca'))).toEqual(new Map());
  });

  it('Git: trusted with kratix.secrets.<name>.caBundle, the repository holds exactly the files', async () => {
    const files = await writtenExactly('git-secretca', gitFiles(gitA, 'secretca'));
    expect(files).toEqual(expectedFiles('git-secretca'));
  });

  it('Git: trusted with kratix.tls.caBundle, the repository holds exactly the files', async () => {
    const files = await writtenExactly('git-globalca', gitFiles(gitB, 'globalca'));
    expect(files).toEqual(expectedFiles('git-globalca'));
  });

  it('Git: insecure: true on a host in kratix.tls.allowInsecure skips verification, with one warning', async () => {
    const files = await writtenExactly('git-insecure', gitFiles(gitA, 'insecure'));
    expect(files).toEqual(expectedFiles('git-insecure'));
    // Several more runs of the store (every second, a full sync every 3 s) log nothing more.
    await new Promise(r => setTimeout(r, 4000));
    const warning = `GitStateStore/git-insecure: spec.insecure is true and ${hostA()} is in kratix.tls.allowInsecure, so its TLS certificates are not verified`;
    expect(backend.logs().split(warning).length - 1).toBe(1);
  });

  it('Git: insecure: true on a host not in kratix.tls.allowInsecure is refused before any request', async () => {
    await failingWith(
      'GitStateStore',
      'git-refused',
      `GitStateStore/git-refused: spec.insecure: true asks not to verify TLS certificates of ${hostB()}; add ${hostB()} to kratix.tls.allowInsecure to allow it, or trust its CA with kratix.tls.caBundle`,
    );
    expect(await readRepo(gitB.repoPath('refused'))).toEqual(new Map());
  });

  it('S3: an endpoint whose CA is not trusted fails, and the store, its Destination and the placement say why', async () => {
    await failingWith('BucketStateStore', 's3-noca', untrusted('BucketStateStore', 's3-noca'));
    expect(await bucketObjects(s3A.endpoint, 'noca', undefined, { ca: caA.ca })).toEqual(new Map());
  });

  it('S3: trusted with kratix.secrets.<name>.caBundle, the bucket holds exactly the objects', async () => {
    const objects = await writtenExactly('s3-secretca', bucketFiles(s3A, caA, 'secretca'));
    expect(objects).toEqual(expectedFiles('s3-secretca'));
  });

  it('S3: trusted with kratix.tls.caBundle, the bucket holds exactly the objects', async () => {
    const objects = await writtenExactly('s3-globalca', bucketFiles(s3B, caB, 'globalca'));
    expect(objects).toEqual(expectedFiles('s3-globalca'));
  });

  it('shows no secret and no CA key material in the log', () => {
    expect(backend.logs()).not.toContain(PASSWORD);
    expect(backend.logs()).not.toContain('PRIVATE KEY');
  });
});
