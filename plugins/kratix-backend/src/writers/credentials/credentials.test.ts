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
import { bucketListed, repositoryId, repositoryListed } from './bindings';

jest.setTimeout(60_000);

const logger = mockServices.logger.mock();
let work: string;
beforeAll(async () => {
  work = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-credentials-'));
});
afterAll(() => fs.promises.rm(work, { recursive: true, force: true }));

function factory(
  kratix: Record<string, any>,
  integrations: Record<string, any> = {},
  rest: Record<string, any> = {},
) {
  const config = new ConfigReader({ kratix, integrations, ...rest });
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

/** The message of the configuration error `use` throws (it must throw one). */
function refused(use: () => unknown): string {
  try {
    use();
  } catch (e: any) {
    expect(e.kind).toBe('config');
    return e.message;
  }
  throw new Error('not refused');
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

describe('allowedRepositories binds a secret to repositories on its hosts', () => {
  let capture: CaptureServer;
  let host: string;
  beforeAll(async () => {
    capture = await startCaptureServer();
    host = `127.0.0.1:${capture.port}`;
  });
  afterAll(() => capture.stop());
  const secret = (bindings: Record<string, unknown>) =>
    factory({
      secrets: { team: { allowedHosts: [host], username: 'u', password: 'tok-123', ...bindings } },
    });
  const refusal = (bindings: Record<string, unknown>, url: string) =>
    refused(() => secret(bindings).get(gitStore(url, { secretRef: { name: 'team' } })));

  it('refuses a repository on an allowed host that it does not list, before sending anything', async () => {
    expect(
      refusal({ allowedRepositories: [`${host}/org/fleet`] }, `${capture.url}/org/other.git`),
    ).toBe(
      `GitStateStore/fleet: kratix.secrets.team may not be used for ${host}/org/other (its allowedRepositories are ${host}/org/fleet); add ${host}/org/other to kratix.secrets.team.allowedRepositories if it is yours`,
    );
    expect(refusal({ allowedRepositories: [] }, `${capture.url}/org/other.git`)).toContain(
      '(its allowedRepositories are empty)',
    );
    expect(await capture.requests()).toEqual([]);
  });

  it('is not used for repositories when it lists only allowedBuckets', async () => {
    expect(refusal({ allowedBuckets: ['fleet'] }, `${capture.url}/org/fleet.git`)).toBe(
      `GitStateStore/fleet: kratix.secrets.team may not be used for ${host}/org/fleet (it lists allowedBuckets only, so it is bound to buckets); add ${host}/org/fleet to kratix.secrets.team.allowedRepositories if it is yours`,
    );
    expect(await capture.requests()).toEqual([]);
  });

  it('refuses a path with an empty, "." or ".." segment, which no pattern lists', async () => {
    expect(
      refusal({ allowedRepositories: [`${host}/org/**`] }, `${capture.url}/org/x/..%2Fother.git`),
    ).toBe(
      `GitStateStore/fleet: spec.url names ${host}/org/x/../other, whose path has an empty, "." or ".." segment and so matches no entry of kratix.secrets.team.allowedRepositories; point spec.url at the repository's plain path`,
    );
    expect(await capture.requests()).toEqual([]);
  });

  it('names the key when a pattern names no repository', () => {
    expect(refusal({ allowedRepositories: [host] }, `${capture.url}/org/fleet.git`)).toBe(
      `kratix.secrets.team.allowedRepositories: "${host}" names no repository; write host/org/repo, host/org/* or host/group/** (see config.d.ts)`,
    );
  });

  it('writes a repository it lists, with the credentials', async () => {
    const git = await startGitServer({ root: path.join(work, 'bound'), password: 'bound-pass' });
    try {
      const url = await git.createRepo('fleet');
      const gitHost = new URL(url).host;
      const f = factory({
        secrets: {
          team: {
            allowedHosts: [gitHost],
            allowedRepositories: [`http://127.0.0.1/other`, `${gitHost}/fle*`],
            username: git.username,
            password: 'bound-pass',
          },
        },
      });
      await writeOne(f, gitStore(url, { secretRef: { name: 'team' } }));
      expect((await readRepo(git.repoPath('fleet'))).get('a.yaml')).toBe('a: 1\n');
    } finally {
      await git.stop();
    }
  });
});

describe('repository patterns', () => {
  it.each([
    ['https://github.com/org/repo.git', 'github.com/org/repo', true],
    ['https://github.com/org/repo', 'https://github.com/org/repo.git/', true],
    ['https://GitHub.com/org/repo/', 'github.com/org/repo', true],
    ['https://github.com/Org/Repo', 'github.com/org/repo', false],
    ['https://github.com/org/repo', 'github.com/org/*', true],
    ['https://github.com/org-b/repo', 'github.com/org/*', false],
    ['https://github.com/org/sub/repo', 'github.com/org/*', false],
    ['https://github.com/org/team-a.git', 'github.com/org/team-*', true],
    ['https://github.com/org/sub/repo', 'github.com/org/**', true],
    ['https://github.com/org.git', 'github.com/org/**', false],
    ['https://github.com/org/sub/repo', 'github.com/**', true],
    ['https://github.com:8443/org/repo', 'github.com/org/repo', true],
    ['https://github.com:8443/org/repo', 'github.com:443/org/repo', false],
    ['https://github.com/org/repo', 'github.com:443/org/repo', true],
    ['https://evil.example/org/repo', 'github.com/org/repo', false],
    ['https://github.com/org/x/../repo', 'github.com/org/repo', true],
    ['https://github.com/org/a%2Fb', 'github.com/org/*', false],
    ['https://github.com/org//repo', 'github.com/org/**', false],
    ['git@github.com:org/repo.git', 'github.com/org/repo', true],
    ['git@github.com:org/repo.git', 'git@github.com:org/repo.git', true],
    ['git@github.com:/org/repo.git', 'github.com:22/org/*', true],
    ['ssh://git@github.com/org/repo.git', 'github.com:22/org/repo', true],
    ['ssh://git@git.example.com:2222/org/repo.git', 'git.example.com:22/org/repo', false],
    ['ssh://git@git.example.com:2222/org/repo.git', 'ssh://git.example.com:2222/org/*', true],
  ])('%s against %s: %s', (url, pattern, listed) => {
    expect(repositoryListed('key', [pattern], repositoryId(url))).toBe(listed);
  });

  it.each([
    ['https://github.com/org/repo.git', 'github.com/org/repo'],
    ['ssh://git@git.example.com:22/org/repo.git', 'git.example.com/org/repo'],
    ['ssh://git@git.example.com:2222/org/repo', 'git.example.com:2222/org/repo'],
    ['git@git.example.com:org/repo.git', 'git.example.com/org/repo'],
    ['http://127.0.0.1:1234/other.git', '127.0.0.1:1234/other'],
  ])('%s is shown as %s', (url, shown) => {
    expect(repositoryId(url).display).toBe(shown);
  });

  it.each([
    ['fleet-*', 'fleet-a', true],
    ['fleet-*', 'fleet', false],
    ['fleet', 'fleet-a', false],
    ['*-state', 'team-state', true],
  ])('bucket %s against %s: %s', (pattern, bucket, listed) => {
    expect(bucketListed([pattern], bucket)).toBe(listed);
  });
});

describe('Backstage integrations supply Git credentials when a store names no secret', () => {
  it('sends a GitLab integration token as oauth2 basic auth, to that host only', async () => {
    const capture = await startCaptureServer();
    try {
      const host = `127.0.0.1:${capture.port}`;
      const f = factory(
        { integrations: { allowedRepositories: [`${host}/group/repo`] } },
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

  it('gives them to no repository outside kratix.integrations.allowedRepositories, and sends nothing', async () => {
    const capture = await startCaptureServer();
    try {
      const host = `127.0.0.1:${capture.port}`;
      const gitlab = {
        gitlab: [{ host, token: 'glpat-abc', apiBaseUrl: `${capture.url}/api/v4` }],
      };
      const message = `GitStateStore/fleet: Backstage's integration credentials for ${host} are used only for repositories listed in kratix.integrations.allowedRepositories; add ${host}/org-b/other to use them, or give the store a secretRef`;
      const listed = factory(
        { integrations: { allowedRepositories: [`${host}/org-a/*`] } },
        gitlab,
      );
      expect(refused(() => listed.get(gitStore(`${capture.url}/org-b/other.git`)))).toBe(message);
      // Opt-in: without the key they are used for no repository at all.
      const unset = factory({}, gitlab);
      expect(refused(() => unset.get(gitStore(`${capture.url}/org-b/other.git`)))).toBe(message);
      expect(unset.credentialSource(gitStore(`${capture.url}/org-b/other.git`))).toEqual({
        type: 'none',
        detail: message,
      });
      expect(await capture.requests()).toEqual([]);
    } finally {
      await capture.stop();
    }
  });

  it('leaves a store anonymous, as before, on a host with no integration or one without credentials', async () => {
    const capture = await startCaptureServer();
    try {
      const host = `127.0.0.1:${capture.port}`;
      for (const f of [factory({}), factory({}, { gitea: [{ host }] })]) {
        expect(f.credentialSource(gitStore(`${capture.url}/org/repo.git`))).toEqual({
          type: 'none',
          detail: `no secretRef and no integration for ${host}`,
        });
        await expect(writeOne(f, gitStore(`${capture.url}/org/repo.git`))).rejects.toThrow(
          'GitStateStore/fleet',
        );
      }
      const requests = await capture.requests();
      expect(requests.length).toBeGreaterThan(0);
      expect(requests.map(r => r.authorization)).toEqual(requests.map(() => undefined));
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
      const f = factory(
        { integrations: { allowedRepositories: [url] } },
        { gitea: [{ host, username: 'gitea-bot', password: 'gitea-pass' }] },
      );
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
      // The token API is another host: it must be on allowedHosts; allowedRepositories never apply to it.
      const app = {
        allowedHosts: [host, new URL(apiUrl).host],
        allowedRepositories: [`${host}/fleet`],
        appID: '1234',
        installationID: '4242',
        privateKey: pem,
      };
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

  it('never sends the JWT to an API host that is not on the allowedHosts, and names the key', async () => {
    minted.length = 0;
    const host = '127.0.0.1:9';
    const apiHost = new URL(apiUrl).host;
    const app = { allowedHosts: [host], appID: '1234', installationID: '4242', privateKey: pem };
    const f = factory({ secrets: { app } }, { github: [{ host, apiBaseUrl: apiUrl }] });
    const store = gitStore(`http://${host}/org/fleet.git`, {
      authMethod: 'githubApp',
      secretRef: { name: 'app' },
    });
    expect(refused(() => f.get(store))).toBe(
      `GitStateStore/fleet: kratix.secrets.app may not send its GitHub App JWT to ${apiHost} (the token endpoint ${apiUrl}, from integrations.github apiBaseUrl for ${host}; its allowedHosts are ${host}); add ${apiHost} to kratix.secrets.app.allowedHosts if that GitHub API is yours, or correct the apiBaseUrl`,
    );
    expect(minted).toEqual([]);
  });

  it("checks GitHub's default API host against allowedHosts too", () => {
    const app = { allowedHosts: ['github.com'], appID: '1', installationID: '2', privateKey: pem };
    const store = gitStore('https://github.com/org/fleet.git', {
      authMethod: 'githubApp',
      secretRef: { name: 'app' },
    });
    expect(refused(() => factory({ secrets: { app } }).get(store))).toBe(
      "GitStateStore/fleet: kratix.secrets.app may not send its GitHub App JWT to api.github.com (the token endpoint https://api.github.com, GitHub's default API for github.com; its allowedHosts are github.com); add api.github.com to kratix.secrets.app.allowedHosts if that GitHub API is yours, or set apiBaseUrl under integrations.github for github.com",
    );
    const both = { ...app, allowedHosts: ['github.com', 'api.github.com'] };
    expect(factory({ secrets: { app: both } }).credentialSource(store)).toEqual({
      type: 'secret',
      name: 'app',
      detail: 'GitHub App',
    });
  });

  it('says which secret to check when GitHub refuses the token', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const host = '127.0.0.1:9';
    const f = factory(
      {
        secrets: {
          app: {
            allowedHosts: [host, new URL(apiUrl).host],
            appID: '1234',
            installationID: '4242',
            privateKey: other,
          },
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

  it('writes only the repositories its allowedRepositories list, ssh:// and git@host:path alike', async () => {
    const url = await server.createRepo('bound');
    const other = await server.createRepo('bound-other');
    const host = `127.0.0.1:${server.port}`;
    const bound = factory({
      secrets: {
        ssh: {
          allowedHosts: [host],
          allowedRepositories: [url],
          sshPrivateKey: client.privateKey,
          knownHosts: server.hostKeyLine,
        },
      },
    });
    await writeOne(bound, gitStore(url, { authMethod: 'ssh', secretRef: { name: 'ssh' } }));
    expect((await readRepo(server.repoPath('bound'))).get('a.yaml')).toBe('a: 1\n');
    const otherStore = gitStore(other, { authMethod: 'ssh', secretRef: { name: 'ssh' } });
    expect(refused(() => bound.get(otherStore))).toBe(
      `GitStateStore/fleet: kratix.secrets.ssh may not be used for ${host}/bound-other (its allowedRepositories are ${url}); add ${host}/bound-other to kratix.secrets.ssh.allowedRepositories if it is yours`,
    );
    expect(await readRepo(server.repoPath('bound-other'))).toEqual(new Map());
    // The scp form has no port: SSH's 22, which `host:22` on allowedHosts names.
    const scp = factory({
      secrets: {
        ssh: {
          allowedHosts: ['git.example.com:22'],
          allowedRepositories: ['git.example.com/org/fleet'],
          sshPrivateKey: client.privateKey,
          knownHosts: server.hostKeyLine,
        },
      },
    });
    const scpStore = (repo: string) =>
      gitStore(`git@git.example.com:org/${repo}.git`, {
        authMethod: 'ssh',
        secretRef: { name: 'ssh' },
      });
    expect(scp.credentialSource(scpStore('fleet'))).toEqual({
      type: 'secret',
      name: 'ssh',
      detail: 'SSH key',
    });
    expect(refused(() => scp.get(scpStore('other')))).toBe(
      'GitStateStore/fleet: kratix.secrets.ssh may not be used for git.example.com/org/other (its allowedRepositories are git.example.com/org/fleet); add git.example.com/org/other to kratix.secrets.ssh.allowedRepositories if it is yours',
    );
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

describe('allowedBuckets, and the aws integration, bind credentials to buckets', () => {
  let capture: CaptureServer;
  beforeAll(async () => {
    capture = await startCaptureServer({ respond: 'ok' });
  });
  afterAll(() => capture.stop());

  const bucketStore = (bucketName: string, spec: Record<string, unknown> = {}) =>
    ({
      ref: 'BucketStateStore:default/fleet',
      kind: 'BucketStateStore',
      name: 'fleet',
      namespace: 'default',
      entityRef: 'bucketstatestore:default/fleet',
      spec: {
        endpoint: `127.0.0.1:${capture.port}`,
        bucketName,
        insecure: true,
        useDualStack: false,
        path: '',
        authMethod: 'accessKey',
        secretRef: { name: 's3' },
        ...spec,
      },
    }) as any as StoredStateStore;
  const s3Secret = (bindings: Record<string, unknown>) =>
    factory({
      secrets: {
        s3: {
          allowedHosts: [`127.0.0.1:${capture.port}`],
          accessKeyID: 'AKIATEST',
          secretAccessKey: 'not-sent',
          ...bindings,
        },
      },
    });

  it('refuses a bucket its allowedBuckets do not list, before any request, and writes one it lists', async () => {
    await capture.clear();
    const f = s3Secret({ allowedBuckets: ['fleet-*'] });
    expect(refused(() => f.get(bucketStore('victim')))).toBe(
      'BucketStateStore/fleet: kratix.secrets.s3 may not be used for bucket victim (its allowedBuckets are fleet-*); add victim to kratix.secrets.s3.allowedBuckets if it is yours',
    );
    expect(await capture.requests()).toEqual([]);
    await f.get(bucketStore('fleet-state')).apply(new Map([['a.yaml', Buffer.from('a')]]), 'test');
    expect((await capture.requests()).map(r => r.method)).toEqual(['PUT']);
    await f.closeAll();
  });

  it('is not used for buckets when it lists only allowedRepositories', () => {
    const f = s3Secret({ allowedRepositories: ['127.0.0.1/fleet'] });
    expect(refused(() => f.get(bucketStore('fleet-state')))).toBe(
      'BucketStateStore/fleet: kratix.secrets.s3 may not be used for bucket fleet-state (it lists allowedRepositories only, so it is bound to repositories); add fleet-state to kratix.secrets.s3.allowedBuckets if it is yours',
    );
  });

  it("uses the aws integration's main account (IAM) only for buckets in kratix.integrations.allowedBuckets", () => {
    const iam = (bucket: string) =>
      bucketStore(bucket, { authMethod: 'IAM', secretRef: undefined });
    const aws = {
      aws: { mainAccount: { accessKeyId: 'AKIAMAIN', secretAccessKey: 'main-secret' } },
    };
    const f = factory({ integrations: { allowedBuckets: ['fleet-state'] } }, {}, aws);
    expect(refused(() => f.get(iam('victim')))).toBe(
      "BucketStateStore/fleet: Backstage's aws integration credentials (aws.mainAccount) are used only for buckets listed in kratix.integrations.allowedBuckets; add victim to use them, or use authMethod accessKey with a secretRef",
    );
    expect(f.credentialSource(iam('fleet-state'))).toEqual({
      type: 'iam',
      detail: 'the aws integration main account (aws.mainAccount)',
    });
    // Without aws.mainAccount keys or profile: the process's own AWS identity, as Kratix's IAM.
    expect(factory({}).credentialSource(iam('victim'))).toEqual({
      type: 'iam',
      detail: 'the AWS default credential chain',
    });
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
