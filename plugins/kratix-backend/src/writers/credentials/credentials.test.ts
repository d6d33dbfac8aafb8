/**
 * Credentials against real servers on 127.0.0.1: a capture server that
 * records what reaches it, the git http-backend, an SSH git server, and (for
 * the GitHub API, a SaaS that cannot run here) a token endpoint that checks
 * the App's JWT as GitHub documents it (RS256, iss = app ID).
 */
import { createVerify, generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  CaptureServer,
  generateSshKeyPair,
  gitCli,
  readRepo,
  startCaptureServer,
  startGitServer,
  startSshGitServer,
} from '@internal/state-store-servers';
import type { StoredStateStore } from '../../database';
import { BucketWriter } from '../bucket/BucketWriter';
import { WriterFactory } from '../WriterFactory';

jest.setTimeout(60_000);

const logger = mockServices.logger.mock();
let work: string;
beforeAll(async () => {
  work = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-credentials-'));
});
afterAll(() => fs.promises.rm(work, { recursive: true, force: true }));

function factory(kratix: Record<string, any>, integrations: Record<string, any> = {}) {
  const config = new ConfigReader({ kratix, integrations });
  return new WriterFactory(
    config,
    { workDir: work, bucket: { concurrency: 4, batchDelete: true } },
    logger,
  );
}

function gitStore(url: string, spec: Record<string, unknown> = {}): StoredStateStore {
  return {
    ref: 'GitStateStore:default/fleet',
    kind: 'GitStateStore',
    name: 'fleet',
    namespace: 'default',
    entityRef: 'gitstatestore:default/fleet',
    spec: {
      url,
      branch: 'main',
      path: '',
      authMethod: 'basicAuth',
      gitAuthor: { name: 'kratix', email: '' },
      ...spec,
    },
  } as any;
}

/** Writes, updates and deletes a file through the store's writer, checking the repository after each. */
async function writeUpdateDelete(
  f: WriterFactory,
  store: StoredStateStore,
  read: () => Promise<Map<string, string>>,
) {
  const writer = f.get(store);
  const step = async (content: string | null) => {
    await writer.refresh();
    const change = content === null ? null : Buffer.from(content);
    await writer.apply(new Map([['team/app.yaml', change]]), 'Update from: test');
    return (await read()).get('team/app.yaml');
  };
  expect(await step('v: 1\n')).toBe('v: 1\n');
  expect(await step('v: 2\n')).toBe('v: 2\n');
  expect(await step(null)).toBeUndefined();
}

async function writeOne(f: WriterFactory, store: StoredStateStore, file = 'a.yaml') {
  const writer = f.get(store);
  await writer.refresh();
  return writer.apply(new Map([[file, Buffer.from('a: 1\n')]]), 'Update from: test');
}

describe('a secret is only sent to the hosts it is bound to', () => {
  let capture: CaptureServer;
  beforeAll(async () => {
    capture = await startCaptureServer();
  });
  afterAll(() => capture.stop());

  it('refuses a store on another host before sending anything, naming the secret and the fix', async () => {
    const f = factory({
      secrets: { team: { allowedHosts: ['git.example.com'], username: 'u', password: 'tok-123' } },
    });
    const store = gitStore(`${capture.url}/repo.git`, { secretRef: { name: 'team' } });
    expect(() => f.get(store)).toThrow(
      `GitStateStore/fleet: kratix.secrets.team may not be sent to 127.0.0.1:${capture.port} (its allowedHosts are git.example.com); point the store at an allowed host, or add 127.0.0.1:${capture.port} to kratix.secrets.team.allowedHosts if it is yours`,
    );
    expect(await capture.requests()).toEqual([]);
  });

  it('refuses a secret without allowedHosts', async () => {
    const f = factory({ secrets: { team: { username: 'u', password: 'tok-123' } } });
    expect(() =>
      f.get(gitStore(`${capture.url}/repo.git`, { secretRef: { name: 'team' } })),
    ).toThrow('kratix.secrets.team has no allowedHosts, so it is sent nowhere');
    expect(await capture.requests()).toEqual([]);
  });

  it('never follows a redirect to another origin with the credentials', async () => {
    const redirector = await startCaptureServer({ respond: { redirectTo: capture.url } });
    try {
      const f = factory({
        secrets: {
          team: {
            allowedHosts: [`127.0.0.1:${redirector.port}`],
            username: 'u',
            password: 'tok-123',
          },
        },
      });
      const store = gitStore(`${redirector.url}/repo.git`, { secretRef: { name: 'team' } });
      await expect(writeOne(f, store)).rejects.toThrow(
        `GitStateStore/fleet: ${redirector.url} redirected to ${capture.url}; credentials are never sent to another origin, so set spec.url to the repository's final URL`,
      );
      expect((await redirector.requests()).length).toBeGreaterThan(0);
      expect(await capture.requests()).toEqual([]);
    } finally {
      await redirector.stop();
    }
  });
});

describe('Backstage integrations supply Git credentials when a store names no secret', () => {
  it('sends a GitLab integration token as oauth2 basic auth, to that host only', async () => {
    const capture = await startCaptureServer();
    try {
      const host = `127.0.0.1:${capture.port}`;
      const f = factory(
        {},
        { gitlab: [{ host, token: 'glpat-abc', apiBaseUrl: `${capture.url}/api/v4` }] },
      );
      await expect(writeOne(f, gitStore(`${capture.url}/group/repo.git`))).rejects.toThrow(
        'GitStateStore/fleet',
      );
      const auth = (await capture.requests()).map(r => r.authorization);
      expect(auth.length).toBeGreaterThan(0);
      expect(new Set(auth)).toEqual(
        new Set([`Basic ${Buffer.from('oauth2:glpat-abc').toString('base64')}`]),
      );
    } finally {
      await capture.stop();
    }
  });

  it('writes, updates and deletes in a real repository with a Gitea integration (user and password)', async () => {
    const git = await startGitServer({
      root: path.join(work, 'gitea'),
      username: 'gitea-bot',
      password: 'gitea-pass',
    });
    try {
      const url = await git.createRepo('fleet');
      const host = new URL(url).host;
      const f = factory({}, { gitea: [{ host, username: 'gitea-bot', password: 'gitea-pass' }] });
      await writeUpdateDelete(f, gitStore(url), () => readRepo(git.repoPath('fleet')));
    } finally {
      await git.stop();
    }
  });
});

describe('GitHub App credentials (authMethod githubApp)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  let api: http.Server;
  let apiUrl: string;
  const minted: { path: string; iss: unknown; valid: boolean }[] = [];
  let lifetimeMs = 3600_000;

  beforeAll(async () => {
    // GitHub's documented contract: POST /app/installations/{id}/access_tokens with
    // "Authorization: Bearer <JWT>" answers 201 {token, expires_at}.
    api = http.createServer((req, res) => {
      const jwt = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      const [h, p, s] = jwt.split('.');
      const valid =
        Boolean(s) &&
        createVerify('RSA-SHA256')
          .update(`${h}.${p}`)
          .verify(publicKey, Buffer.from(s, 'base64url'));
      const claims = p ? JSON.parse(Buffer.from(p, 'base64url').toString()) : {};
      minted.push({ path: `${req.method} ${req.url}`, iss: claims.iss, valid });
      if (!valid || req.method !== 'POST' || req.url !== '/app/installations/4242/access_tokens') {
        res
          .writeHead(401, { 'content-type': 'application/json' })
          .end(JSON.stringify({ message: 'A JSON web token could not be decoded' }));
        return;
      }
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          token: 'ghs_minted_installation_token',
          expires_at: new Date(Date.now() + lifetimeMs).toISOString(),
        }),
      );
    });
    await new Promise<void>(r => api.listen(0, '127.0.0.1', r));
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise(r => api.close(r)));

  /** A repository that accepts only the minted token, written, updated and emptied through the App. */
  async function writeThroughApp(root: string) {
    const git = await startGitServer({
      root: path.join(work, root),
      username: 'x-access-token',
      password: 'ghs_minted_installation_token',
    });
    try {
      const url = await git.createRepo('fleet');
      const host = new URL(url).host;
      const app = { allowedHosts: [host], appID: '1234', installationID: '4242', privateKey: pem };
      const f = factory({ secrets: { app } }, { github: [{ host, apiBaseUrl: apiUrl }] });
      const store = gitStore(url, { authMethod: 'githubApp', secretRef: { name: 'app' } });
      await writeUpdateDelete(f, store, () => readRepo(git.repoPath('fleet')));
    } finally {
      await git.stop();
    }
  }

  it('mints an installation token with an RS256 JWT and writes, updates and deletes with it', async () => {
    minted.length = 0;
    await writeThroughApp('github');
    // One token for all three writes: it lives an hour.
    expect(minted).toEqual([
      { path: 'POST /app/installations/4242/access_tokens', iss: 1234, valid: true },
    ]);
  });

  it('mints a new token when the last one is about to expire', async () => {
    minted.length = 0;
    lifetimeMs = 5 * 60_000; // inside the refresh margin: each use mints again
    try {
      await writeThroughApp('github-expiry');
    } finally {
      lifetimeMs = 3600_000;
    }
    expect(minted.length).toBeGreaterThanOrEqual(3);
    expect(minted.every(m => m.valid && m.iss === 1234)).toBe(true);
  });

  it('says which secret to check when GitHub refuses the token', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const host = '127.0.0.1:9';
    const f = factory(
      {
        secrets: {
          app: { allowedHosts: [host], appID: '1234', installationID: '4242', privateKey: other },
        },
      },
      { github: [{ host, apiBaseUrl: apiUrl }] },
    );
    await expect(
      writeOne(
        f,
        gitStore(`http://${host}/org/fleet.git`, {
          authMethod: 'githubApp',
          secretRef: { name: 'app' },
        }),
      ),
    ).rejects.toThrow(
      'GitStateStore/fleet: GitHub refused an installation token for app 1234, installation 4242 (HTTP 401: A JSON web token could not be decoded); check kratix.secrets.app (appID, installationID, privateKey)',
    );
  });
});

describe('Git over SSH (authMethod ssh)', () => {
  const client = generateSshKeyPair();
  let server: Awaited<ReturnType<typeof startSshGitServer>>;
  beforeAll(async () => {
    server = await startSshGitServer({
      root: path.join(work, 'ssh'),
      authorizedKeys: [client.publicKey],
    });
  });
  afterAll(() => server.stop());

  const sshFactory = (values: Record<string, string>) =>
    factory({ secrets: { ssh: { allowedHosts: [`127.0.0.1:${server.port}`], ...values } } });

  it('writes, updates and deletes with the key, checking the host key against knownHosts', async () => {
    const url = await server.createRepo('fleet');
    const f = sshFactory({ sshPrivateKey: client.privateKey, knownHosts: server.hostKeyLine });
    const store = gitStore(url, { authMethod: 'ssh', secretRef: { name: 'ssh' } });
    await writeUpdateDelete(f, store, () => readRepo(server.repoPath('fleet')));
    const commits = await gitCli([
      '--git-dir',
      server.repoPath('fleet'),
      'rev-list',
      '--count',
      'main',
    ]);
    expect(commits).toBe('3\n');
  });

  it('refuses a server whose host key is not the known one, and sends nothing else', async () => {
    const url = await server.createRepo('spoofed');
    const wrongHost = `[127.0.0.1]:${server.port} ${generateSshKeyPair().publicKey}`;
    const f = sshFactory({ sshPrivateKey: client.privateKey, knownHosts: wrongHost });
    const error = await writeOne(
      f,
      gitStore(url, { authMethod: 'ssh', secretRef: { name: 'ssh' } }),
    ).catch(e => e);
    expect(error.message).toContain('GitStateStore/fleet');
    expect(error.message).toMatch(/host key/i);
    expect(error.message).not.toContain('PRIVATE KEY');
  });

  it('names the key to check when the server refuses it', async () => {
    const url = await server.createRepo('refused');
    const f = sshFactory({
      sshPrivateKey: generateSshKeyPair().privateKey,
      knownHosts: server.hostKeyLine,
    });
    const error = await writeOne(
      f,
      gitStore(url, { authMethod: 'ssh', secretRef: { name: 'ssh' } }),
    ).catch(e => e);
    expect(error.message).toContain('kratix.secrets.ssh.sshPrivateKey');
    expect(error.message).not.toContain('PRIVATE KEY');
  });
});

describe('S3 requests are signed for the region the endpoint names', () => {
  let capture: CaptureServer;
  beforeAll(async () => {
    capture = await startCaptureServer({ respond: 'ok' });
  });
  afterAll(() => capture.stop());

  const put = async (options: { endpoint: string; useDualStack?: boolean; region?: string }) => {
    await capture.clear();
    const writer = new BucketWriter({
      name: 'BucketStateStore/aws',
      bucketName: 'fleet-state',
      endpoint: options.endpoint,
      // Plain HTTP to the capture server; the host and the signature are what is checked.
      insecure: true,
      useDualStack: options.useDualStack ?? false,
      region: options.region,
      path: '',
      credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'not-sent' },
      concurrency: 1,
      batchDelete: true,
      authHint: 'check the keys',
      connectTo: { host: '127.0.0.1', port: capture.port },
    });
    await writer.apply(new Map([['a.yaml', Buffer.from('a: 1\n')]]), 'test').catch(() => undefined);
    await writer.close();
    const reqs = await capture.requests();
    const req = reqs.find(r => r.method === 'PUT');
    if (!req)
      throw new Error(
        `no PUT reached the capture server: ${JSON.stringify(reqs.map(r => `${r.method} ${r.host}${r.url}`))}`,
      );
    return {
      host: req.host,
      scope: /Credential=AKIATEST\/\d+\/([^/]+)\/s3\/aws4_request/.exec(
        req.authorization ?? '',
      )?.[1],
      secretSent: JSON.stringify(req).includes('not-sent'),
    };
  };

  it.each([
    [
      's3.eu-west-2.amazonaws.com',
      false,
      undefined,
      'fleet-state.s3.eu-west-2.amazonaws.com',
      'eu-west-2',
    ],
    // As minio-go: the legacy dash form and a dual-stack endpoint name the region; requests go to its regional host.
    [
      's3-ap-southeast-1.amazonaws.com',
      false,
      undefined,
      'fleet-state.s3.ap-southeast-1.amazonaws.com',
      'ap-southeast-1',
    ],
    [
      's3.us-west-2.amazonaws.com',
      true,
      undefined,
      'fleet-state.s3.dualstack.us-west-2.amazonaws.com',
      'us-west-2',
    ],
    [
      's3.dualstack.eu-central-1.amazonaws.com',
      false,
      undefined,
      'fleet-state.s3.eu-central-1.amazonaws.com',
      'eu-central-1',
    ],
    [
      's3.eu-west-2.amazonaws.com',
      false,
      'eu-north-1',
      'fleet-state.s3.eu-west-2.amazonaws.com',
      'eu-north-1',
    ],
  ])(
    '%s (dual-stack %s, spec.region %s) goes to %s, signed for %s',
    async (endpoint, useDualStack, region, host, scope) => {
      expect(await put({ endpoint, useDualStack, region })).toEqual({
        host,
        scope,
        secretSent: false,
      });
    },
  );
});
