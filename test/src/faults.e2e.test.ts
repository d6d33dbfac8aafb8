/**
 * Faults against the real backend and real servers: the backend killed
 * mid-write (SQLite file and PostgreSQL), the git server down and back (with
 * the retry visible), an S3 server answering 503 and resetting connections.
 * Each converges: nothing lost, nothing written twice.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  bucketObjects,
  GitServer,
  readRepo,
  S3Server,
  startGitServer,
  startS3Server,
} from '@internal/state-store-servers';
import {
  eventually,
  readyDestinations,
  RunningBackend,
  startBackend,
  testSecret,
  writeEntities,
} from './harness/backend';

jest.setTimeout(600_000);
const run = promisify(execFile);
const API = 'platform.kratix.io/v1alpha1';
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' };

const work = (i: number, target: string) => ({
  promise: 'app',
  resource: `w${i}`,
  pipeline: 'p',
  destinationSelectors: { target },
  files: [{ path: 'app.yaml', content: `name: w${i}\n` }],
});
/** One Git store, one bucket and a Destination on each, labelled with its own name. */
function twoStores(gitUrl: string, bucket: { endpoint: string; insecure?: boolean }): unknown[] {
  const destination = (name: string, kind: string, store: string) => ({
    apiVersion: API,
    kind: 'Destination',
    metadata: { name, labels: { target: name } },
    spec: { path: name, stateStoreRef: { kind, name: store } },
  });
  return [
    {
      apiVersion: API,
      kind: 'GitStateStore',
      metadata: { name: 'git' },
      spec: { url: gitUrl, secretRef: { name: 'creds' } },
    },
    {
      apiVersion: API,
      kind: 'BucketStateStore',
      metadata: { name: 's3' },
      spec: { ...bucket, bucketName: 'state', secretRef: { name: 'creds' } },
    },
    destination('on-git', 'GitStateStore', 'git'),
    destination('on-s3', 'BucketStateStore', 's3'),
  ];
}

const key = (dest: string, i: number) => `${dest}/resources/default/app/w${i}/p/5058f/app.yaml`;

/** In front of s3rver: answers the first PUTs with 503 or a reset connection, then forwards. */
async function faultyProxy(target: S3Server, faults: ('503' | 'reset')[]) {
  const server = http.createServer((req, res) => {
    if (req.method === 'PUT' && faults.length > 0) {
      const fault = faults.shift();
      if (fault === 'reset') {
        req.socket.destroy();
        return;
      }
      res.writeHead(503, { 'content-type': 'application/xml' });
      res.end(
        '<?xml version="1.0"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
      );
      return;
    }
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      up => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `127.0.0.1:${port}`,
    close: () => new Promise<void>(r => server.close(() => r())),
  };
}

async function commitsTouching(repo: string, file: string): Promise<number> {
  const { stdout } = await run('git', [
    '--git-dir',
    repo,
    'log',
    '--format=%H',
    'main',
    '--',
    file,
  ]);
  return stdout.trim().split('\n').filter(Boolean).length;
}

describe.each([
  [
    'SQLite file',
    (dir: string) => ({
      client: 'better-sqlite3',
      connection: { directory: path.join(dir, 'db') },
    }),
  ],
  [
    'PostgreSQL',
    (_dir: string) => ({
      client: 'pg',
      connection: PG,
      prefix: `kx_fault_${Math.random().toString(36).slice(2, 8)}_`,
    }),
  ],
])('the backend killed mid-write, on %s', (_db, database) => {
  let git: GitServer;
  let s3: S3Server;
  let dir: string;
  let repo: string;
  let file: string;
  let db: Record<string, unknown>;
  let backend: RunningBackend | undefined;
  const N = 40;

  beforeAll(async () => {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-faults-'));
    await fs.promises.mkdir(path.join(dir, 'db'));
    db = database(dir);
    git = await startGitServer({ root: path.join(dir, 'git') });
    s3 = await startS3Server({ directory: path.join(dir, 's3'), buckets: ['state'] });
    const url = await git.createRepo('state');
    repo = git.repoPath('state');
    file = path.join(dir, 'entities.yaml');
    await writeEntities(file, twoStores(url, { endpoint: s3.endpoint }));
  });
  afterAll(async () => {
    await backend?.stop();
    await git?.stop();
    await s3?.stop();
    if (dir) await fs.promises.rm(dir, { recursive: true, force: true });
  });

  const start = () =>
    startBackend({
      locations: [file],
      database: db,
      config: {
        kratix: {
          secrets: {
            creds: testSecret({ git, s3 }),
          },
        },
      },
    });

  it('converges after a restart: every work in both stores, each Git file committed once', async () => {
    backend = await start();
    await readyDestinations(backend!, 2);
    const items = Array.from({ length: N }, (_, i) => work(i, i % 2 ? 'on-s3' : 'on-git'));
    const res = await backend.api('/api/kratix/works/bulk', { method: 'POST', json: { items } });
    expect(res.body.items.map((x: any) => x.status)).toEqual(items.map(() => 201));
    // Kill it as soon as the first files are in a store: the rest is mid-flight.
    await eventually(
      async () => expect((await readRepo(repo)).size).toBeGreaterThan(2),
      60_000,
      'a first write',
    );
    await backend.kill();
    backend = await start();
    await eventually(
      async () => {
        const files = await readRepo(repo);
        const objects = await bucketObjects(s3.endpoint, 'state');
        const got = items.map((_, i) =>
          i % 2 ? objects.get(key('on-s3', i)) : files.get(key('on-git', i)),
        );
        expect(got).toEqual(items.map((_, i) => `name: w${i}\n`));
        const { body } = await backend!.api('/api/kratix/works?limit=100');
        expect(body.items.map((w: any) => w.status)).toEqual(items.map(() => 'written'));
      },
      120_000,
      'every work written after the restart',
    );
    for (let i = 0; i < N; i += 2)
      expect([i, await commitsTouching(repo, key('on-git', i))]).toEqual([i, 1]);
  });
});

describe('stores that fail and come back', () => {
  let git: GitServer;
  let s3: S3Server;
  let dir: string;
  let backend: RunningBackend;
  let proxy: Awaited<ReturnType<typeof faultyProxy>>;
  const faults: ('503' | 'reset')[] = [];
  let gitPort: number;

  beforeAll(async () => {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-faults-'));
    git = await startGitServer({ root: path.join(dir, 'git') });
    gitPort = Number(new URL(await git.createRepo('state')).port);
    s3 = await startS3Server({ directory: path.join(dir, 's3'), buckets: ['state'] });
    proxy = await faultyProxy(s3, faults);
    const file = path.join(dir, 'entities.yaml');
    await writeEntities(
      file,
      twoStores(`http://127.0.0.1:${gitPort}/state.git`, {
        endpoint: proxy.endpoint,
        insecure: true,
      }),
    );
    backend = await startBackend({
      locations: [file],
      config: {
        kratix: {
          secrets: {
            creds: testSecret({ git, s3 }),
          },
          reconcile: {
            frequency: { seconds: 1 },
            fullSyncInterval: { minutes: 10 },
            maxBackoff: { seconds: 4 },
          },
        },
      },
    });
    await readyDestinations(backend!, 2);
  });
  afterAll(async () => {
    await backend?.stop();
    await git?.stop();
    await proxy?.close();
    await s3?.stop();
    if (dir) await fs.promises.rm(dir, { recursive: true, force: true });
  });

  it('shows a git server that is down, with the next try, and writes once it is back', async () => {
    await git.stop();
    expect(
      (await backend.api('/api/kratix/works', { method: 'POST', json: work(1, 'on-git') })).status,
    ).toBe(201);
    const down = await eventually(
      async () => {
        const { body } = await backend.api('/api/kratix/statestores/GitStateStore/git');
        expect(body.ready).toBe(false);
        expect(body.nextAttemptAt).toBeDefined();
        return body;
      },
      60_000,
      'the store reported down',
    );
    expect(down.message).toContain(`127.0.0.1:${gitPort}`);
    const placement = (await backend.api('/api/kratix/works/default/app-w1-p')).body.placements[0];
    expect(placement.status).toBe('failed');
    git = await startGitServer({ root: path.join(dir, 'git'), port: gitPort });
    await eventually(
      async () => {
        expect((await readRepo(git.repoPath('state'))).get(key('on-git', 1))).toBe('name: w1\n');
        const { body } = await backend.api('/api/kratix/statestores/GitStateStore/git');
        expect(body.ready).toBe(true);
      },
      60_000,
      'written after the server came back',
    );
    expect(await commitsTouching(git.repoPath('state'), key('on-git', 1))).toBe(1);
  });

  it('writes through S3 503s and reset connections, each object once', async () => {
    faults.push('503', 'reset', '503', 'reset', '503');
    const items = [2, 3, 4].map(i => work(i, 'on-s3'));
    const res = await backend.api('/api/kratix/works/bulk', { method: 'POST', json: { items } });
    expect(res.body.items.map((x: any) => x.status)).toEqual([201, 201, 201]);
    await eventually(
      async () => {
        const objects = await bucketObjects(s3.endpoint, 'state');
        expect([2, 3, 4].map(i => objects.get(key('on-s3', i)))).toEqual([
          'name: w2\n',
          'name: w3\n',
          'name: w4\n',
        ]);
        const { body } = await backend.api('/api/kratix/works?limit=100');
        expect(
          body.items.filter((w: any) => /w[234]/.test(w.name)).map((w: any) => w.status),
        ).toEqual(['written', 'written', 'written']);
      },
      90_000,
      'written through the faults',
    );
    expect(faults).toEqual([]);
  });
});
