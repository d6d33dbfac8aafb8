/**
 * A backend that dies holding a store's lease (SIGKILL in the middle of a
 * run) does not hold the store back: the next backend on the same database
 * writes it within seconds, as the lease lapses without its heartbeat.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { GitServer, readRepo, startGitServer } from '@internal/state-store-servers';
import {
  eventually,
  RunningBackend,
  startBackend,
  testSecret,
  writeEntities,
} from './harness/backend';
import { dropDatabases, PG } from './harness/postgres';

jest.setTimeout(300_000);

/** A TCP proxy to the git server that can swallow connections (a run hangs on it) or pass them. */
async function switchableProxy(target: number) {
  let pass = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer(client => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    if (!pass) return; // accepted, never answered
    const upstream = net.connect(target, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    pass() {
      pass = true;
      for (const s of sockets) s.destroy();
    },
    close: () => new Promise<void>(r => server.close(() => r())),
  };
}

describe('a store whose lease holder died', () => {
  let git: GitServer;
  let proxy: Awaited<ReturnType<typeof switchableProxy>>;
  let a: RunningBackend;
  let b: RunningBackend;
  let dir: string;
  const prefix = `kratix_lease_${process.pid}_`;
  const pg = () => new Client({ ...PG, database: `${prefix}kratix` });

  beforeAll(async () => {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-lease-'));
    git = await startGitServer({ root: path.join(dir, 'git') });
    await git.createRepo('fleet');
    proxy = await switchableProxy(git.port);
  });
  afterAll(async () => {
    await a?.kill();
    await b?.stop();
    await proxy?.close();
    await git?.stop();
    await dropDatabases(prefix);
    if (dir) await fs.promises.rm(dir, { recursive: true, force: true });
  });

  it('is written by the next backend within 15 s of its start', async () => {
    const entities = path.join(dir, 'entities.yaml');
    await writeEntities(entities, [
      {
        apiVersion: 'platform.kratix.io/v1alpha1',
        kind: 'GitStateStore',
        metadata: { name: 'git' },
        spec: { url: `http://127.0.0.1:${proxy.port}/fleet.git`, secretRef: { name: 'git' } },
      },
      {
        apiVersion: 'platform.kratix.io/v1alpha1',
        kind: 'Destination',
        metadata: { name: 'dev', labels: { env: 'dev' } },
        spec: { path: 'dev', stateStoreRef: { kind: 'GitStateStore', name: 'git' } },
      },
    ]);
    const options = {
      locations: [entities],
      database: { client: 'pg', connection: PG, prefix },
      config: { kratix: { secrets: { git: testSecret({ git }) } } },
    };
    a = await startBackend(options);
    // A's first run of the store hangs on the proxy, holding the store's lease.
    const held = await eventually(
      async () => {
        const client = pg();
        await client.connect();
        try {
          const { rows } = await client.query(
            "select owner from kratix_leases where name = 'store:GitStateStore:default/git'",
          );
          expect(rows).toHaveLength(1);
          return rows[0].owner as string;
        } finally {
          await client.end();
        }
      },
      120_000,
      'backend A holds the lease',
    );
    expect(held).toEqual(expect.any(String));
    await a.kill();
    const killed = Date.now();
    proxy.pass();
    b = await startBackend(options);
    const started = Date.now();
    const post = await b.api('/api/kratix/works', {
      method: 'POST',
      json: {
        promise: 'app',
        resource: 'after-crash',
        pipeline: 'p',
        destinationSelectors: { env: 'dev' },
        files: [{ path: 'app.yaml', content: 'written: after the crash\n' }],
      },
    });
    expect(post.status).toBe(201);
    await eventually(
      async () =>
        expect(
          (await readRepo(git.repoPath('fleet'))).get(
            'dev/resources/default/app/after-crash/p/5058f/app.yaml',
          ),
        ).toBe('written: after the crash\n'),
      15_000,
      'the store written by backend B',
    );
    // Printed for the record (the bound is the 15 s above).
    process.stdout.write(
      `store written ${Date.now() - started} ms after backend B was ready, ${Date.now() - killed} ms after backend A was killed\n`,
    );
  });
});
