/**
 * Credentials bound to repositories and buckets, not only to hosts, through
 * the real backend: a State Store that points a secret (or Backstage's
 * integration credentials) at a repository or bucket its config does not
 * list is refused before any request, the refusal reads as the store's
 * message, and the victim repository or bucket stays byte for byte; a GitHub
 * App secret never sends its JWT to an API host its allowedHosts do not name.
 */
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  bucketObjects,
  CaptureServer,
  GitServer,
  gitCli,
  pushWithCli,
  readRepo,
  S3Server,
  startCaptureServer,
  startGitServer,
  startS3Server,
} from '@internal/state-store-servers';
import {
  eventually,
  freePort,
  RunningBackend,
  startBackend,
  writeEntities,
} from './harness/backend';

jest.setTimeout(300_000);

const API = 'platform.kratix.io/v1alpha1';
const INTEGRATION = { username: 'integration-bot', password: 'integration-pass-7f3a9' };
const CANARY = 'dependencies/kratix-canary-namespace.yaml';

const store = (kind: string, name: string, spec: Record<string, unknown>) => ({
  apiVersion: API,
  kind,
  metadata: { name },
  spec,
});
/** One Destination per store, so every store has canaries to write. */
const destinationOn = (kind: string, storeName: string) => ({
  apiVersion: API,
  kind: 'Destination',
  metadata: { name: `${storeName}-dest` },
  spec: { path: `${storeName}-dest`, stateStoreRef: { kind, name: storeName } },
});

interface Recorded {
  path: string;
  authorization?: string;
}

/** A reverse proxy in front of a git server that records each request's path and Authorization header. */
async function recordingProxy(targetPort: number) {
  const seen: Recorded[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: targetPort,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      answer => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    host: `127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>(r => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Everything a bare repository holds that a writer could change: refs and the files on main. */
async function repoState(repoDir: string) {
  return {
    refs: await gitCli(['--git-dir', repoDir, 'for-each-ref', '--format=%(refname) %(objectname)']),
    files: await readRepo(repoDir),
  };
}

describe('credentials bound to repositories and buckets (real backend, git and S3)', () => {
  let dir: string;
  let git: GitServer; // the secret's host: a listed and a victim repository
  let integrationGit: GitServer; // behind the recording proxy, the integration's host
  let proxy: Awaited<ReturnType<typeof recordingProxy>>;
  let s3: S3Server;
  let githubApi: CaptureServer; // the apiBaseUrl the GitHub App secret must not reach
  let appGitPort: number;
  let backend: RunningBackend;
  const victims: Record<string, unknown> = {};
  const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();

  const gitHost = () => `127.0.0.1:${git.port}`;

  async function seedVictims() {
    const auth = { username: git.username, password: git.password };
    await pushWithCli(await git.createRepo('other'), auth, { 'keep.yaml': 'mine: true\n' });
    await git.createRepo('fleet');
    await integrationGit.createRepo('integ-fleet');
    const integAuth = { username: integrationGit.username, password: integrationGit.password };
    const integOther = await integrationGit.createRepo('integ-other');
    await pushWithCli(integOther, integAuth, { 'keep.yaml': 'theirs: true\n' });
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    await client.send(
      new PutObjectCommand({ Bucket: 'victim-bucket', Key: 'keep.yaml', Body: 'bucket: mine\n' }),
    );
    client.destroy();
    victims.other = await repoState(git.repoPath('other'));
    victims.integOther = await repoState(integrationGit.repoPath('integ-other'));
    victims.bucket = await bucketObjects(s3.endpoint, 'victim-bucket');
  }

  function entities() {
    const s3Spec = (bucketName: string) => ({
      endpoint: s3.endpoint.replace('http://', ''),
      insecure: true,
      bucketName,
      secretRef: { name: 's3' },
    });
    const stores = [
      store('GitStateStore', 'git-fleet', {
        url: `${git.baseUrl}/fleet.git`,
        secretRef: { name: 'git' },
      }),
      store('GitStateStore', 'git-other', {
        url: `${git.baseUrl}/other.git`,
        secretRef: { name: 'git' },
      }),
      store('BucketStateStore', 'bucket-fleet', s3Spec('fleet-bucket')),
      store('BucketStateStore', 'bucket-other', s3Spec('victim-bucket')),
      store('GitStateStore', 'integ-fleet', { url: `http://${proxy.host}/integ-fleet.git` }),
      store('GitStateStore', 'integ-other', { url: `http://${proxy.host}/integ-other.git` }),
      store('GitStateStore', 'app-store', {
        url: `http://127.0.0.1:${appGitPort}/org/fleet.git`,
        authMethod: 'githubApp',
        secretRef: { name: 'app' },
      }),
    ];
    return [...stores, ...stores.map(s => destinationOn(s.kind, s.metadata.name))];
  }

  function config() {
    return {
      integrations: {
        gitea: [{ host: proxy.host, username: '${INTEG_USER}', password: '${INTEG_PASSWORD}' }],
        github: [{ host: `127.0.0.1:${appGitPort}`, apiBaseUrl: githubApi.url }],
      },
      kratix: {
        integrations: { allowedRepositories: [`${proxy.host}/integ-fleet`] },
        secrets: {
          git: {
            allowedHosts: [gitHost()],
            allowedRepositories: [`http://${gitHost()}/fleet.git`],
            username: '${GIT_USER}',
            password: '${GIT_PASSWORD}',
          },
          s3: {
            allowedHosts: [`127.0.0.1:${s3.port}`],
            allowedBuckets: ['fleet-*'],
            accessKeyID: '${S3_KEY}',
            secretAccessKey: '${S3_SECRET}',
          },
          app: {
            allowedHosts: [`127.0.0.1:${appGitPort}`],
            appID: '1234',
            installationID: '4242',
            privateKey: '${APP_KEY}',
          },
        },
      },
    };
  }

  beforeAll(async () => {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-binding-'));
    git = await startGitServer({ root: path.join(dir, 'git'), password: 'secret-git-pass-51c2' });
    integrationGit = await startGitServer({ root: path.join(dir, 'integ'), ...INTEGRATION });
    proxy = await recordingProxy(integrationGit.port);
    s3 = await startS3Server({
      directory: path.join(dir, 's3'),
      buckets: ['fleet-bucket', 'victim-bucket'],
    });
    githubApi = await startCaptureServer({ respond: 'ok' });
    appGitPort = await freePort();
    await seedVictims();
    const entitiesFile = path.join(dir, 'entities.yaml');
    await writeEntities(entitiesFile, entities());
    backend = await startBackend({
      locations: [entitiesFile],
      env: {
        GIT_USER: git.username,
        GIT_PASSWORD: git.password,
        S3_KEY: s3.accessKeyId,
        S3_SECRET: s3.secretAccessKey,
        INTEG_USER: INTEGRATION.username,
        INTEG_PASSWORD: INTEGRATION.password,
        APP_KEY: privateKey,
      },
      config: config(),
    });
  });
  afterAll(async () => {
    await backend?.stop();
    await Promise.all([git?.stop(), integrationGit?.stop(), s3?.stop(), githubApi?.stop()]);
    await proxy?.close();
    if (dir) await fs.promises.rm(dir, { recursive: true, force: true });
  });

  const view = async (kind: string, name: string) =>
    (await backend.api(`/api/kratix/statestores/${kind}/${name}`)).body;

  /** Waits until the store has failed with exactly this message, then for two more runs of it. */
  async function refusedWith(kind: string, name: string, message: string) {
    await eventually(
      async () => {
        const v = await view(kind, name);
        expect({ ready: v?.ready, message: v?.message }).toEqual({ ready: false, message });
      },
      90_000,
      `${kind}/${name} refused`,
    );
    // Stores are tried every second (then with a doubling wait): let more tries come and go.
    await new Promise(r => setTimeout(r, 4000));
    expect((await view(kind, name)).message).toBe(message);
  }

  const written = (what: string, files: () => Promise<Map<string, string>>, key: string) =>
    eventually(async () => expect((await files()).has(key)).toBe(true), 90_000, `${what} written`);

  it('(a) writes the repository a secret lists, and refuses another on the same host, which stays byte for byte', async () => {
    await written('fleet', () => readRepo(git.repoPath('fleet')), `git-fleet-dest/${CANARY}`);
    await refusedWith(
      'GitStateStore',
      'git-other',
      `GitStateStore/git-other: kratix.secrets.git may not be used for ${gitHost()}/other (its allowedRepositories are http://${gitHost()}/fleet.git); add ${gitHost()}/other to kratix.secrets.git.allowedRepositories if it is yours`,
    );
    expect(await repoState(git.repoPath('other'))).toEqual(victims.other);
  });

  it('(b) writes the bucket a secret lists, and refuses another bucket on the same endpoint, which stays byte for byte', async () => {
    await written(
      'fleet-bucket',
      () => bucketObjects(s3.endpoint, 'fleet-bucket'),
      `bucket-fleet-dest/${CANARY}`,
    );
    await refusedWith(
      'BucketStateStore',
      'bucket-other',
      'BucketStateStore/bucket-other: kratix.secrets.s3 may not be used for bucket victim-bucket (its allowedBuckets are fleet-*); add victim-bucket to kratix.secrets.s3.allowedBuckets if it is yours',
    );
    expect(await bucketObjects(s3.endpoint, 'victim-bucket')).toEqual(victims.bucket);
  });

  it("(c) uses Backstage's integration credentials only for repositories in kratix.integrations.allowedRepositories", async () => {
    await written(
      'integ-fleet',
      () => readRepo(integrationGit.repoPath('integ-fleet')),
      `integ-fleet-dest/${CANARY}`,
    );
    await refusedWith(
      'GitStateStore',
      'integ-other',
      `GitStateStore/integ-other: Backstage's integration credentials for ${proxy.host} are used only for repositories listed in kratix.integrations.allowedRepositories; add ${proxy.host}/integ-other to use them, or give the store a secretRef`,
    );
    const basic = `Basic ${Buffer.from(`${INTEGRATION.username}:${INTEGRATION.password}`).toString('base64')}`;
    // The listed repository was written with the integration's credentials ...
    expect(
      proxy.seen.some(r => r.path.startsWith('/integ-fleet.git/') && r.authorization === basic),
    ).toBe(true);
    // ... and the other one was never even asked for, so its password never reached it.
    expect(proxy.seen.filter(r => r.path.startsWith('/integ-other.git'))).toEqual([]);
    expect(await repoState(integrationGit.repoPath('integ-other'))).toEqual(victims.integOther);
    const source = (await view('GitStateStore', 'integ-fleet')).credentials;
    expect(source).toEqual({ type: 'integration', name: proxy.host, detail: 'gitea' });
  });

  it("(d) never sends a GitHub App secret's JWT to an apiBaseUrl host outside its allowedHosts", async () => {
    const apiHost = `127.0.0.1:${githubApi.port}`;
    await refusedWith(
      'GitStateStore',
      'app-store',
      `GitStateStore/app-store: kratix.secrets.app may not send its GitHub App JWT to ${apiHost} (the token endpoint ${githubApi.url}, from integrations.github apiBaseUrl for 127.0.0.1:${appGitPort}; its allowedHosts are 127.0.0.1:${appGitPort}); add ${apiHost} to kratix.secrets.app.allowedHosts if that GitHub API is yours, or correct the apiBaseUrl`,
    );
    expect(await githubApi.requests()).toEqual([]);
  });

  it('shows no secret in the log', () => {
    const logs = backend.logs();
    for (const secret of [git.password, INTEGRATION.password, 'PRIVATE KEY']) {
      expect(logs).not.toContain(secret);
    }
  });
});
