import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  bucketObjects,
  GitServer,
  gitCli,
  readRepo,
  S3Server,
  startGitServer,
  startS3Server,
} from '@internal/state-store-servers';
import { eventually, RunningBackend, startBackend, writeEntities } from './harness/backend';
import { dropDatabases, PG } from './harness/postgres';

jest.setTimeout(300_000);

describe('two backend replicas sharing one PostgreSQL', () => {
  let git: GitServer;
  let s3: S3Server;
  let a: RunningBackend;
  let b: RunningBackend;
  let dir: string;
  let repo: string;
  const prefix = `kx_${Math.random().toString(36).slice(2, 8)}_`;

  beforeAll(async () => {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-replicas-'));
    git = await startGitServer({ root: path.join(dir, 'git') });
    s3 = await startS3Server({ directory: path.join(dir, 's3'), buckets: ['kratix'] });
    const url = await git.createRepo('state');
    repo = git.repoPath('state');
    const entities = path.join(dir, 'entities.yaml');
    const dest = (name: string, kind: string, store: string) => ({
      apiVersion: 'platform.kratix.io/v1alpha1',
      kind: 'Destination',
      metadata: { name, labels: { store: kind } },
      spec: { path: name, stateStoreRef: { kind, name: store } },
    });
    await writeEntities(entities, [
      {
        apiVersion: 'platform.kratix.io/v1alpha1',
        kind: 'GitStateStore',
        metadata: { name: 'git' },
        spec: { url, secretRef: { name: 'creds' } },
      },
      {
        apiVersion: 'platform.kratix.io/v1alpha1',
        kind: 'BucketStateStore',
        metadata: { name: 's3' },
        spec: { endpoint: s3.endpoint, bucketName: 'kratix', secretRef: { name: 'creds' } },
      },
      dest('git-dest', 'GitStateStore', 'git'),
      dest('s3-dest', 'BucketStateStore', 's3'),
    ]);
    const options = {
      locations: [entities],
      database: { client: 'pg', connection: PG, prefix },
      config: {
        kratix: {
          secrets: {
            creds: {
              allowedHosts: ['127.0.0.1'],
              username: git.username,
              password: git.password,
              accessKeyID: s3.accessKeyId,
              secretAccessKey: s3.secretAccessKey,
            },
          },
          reconcile: { frequency: { seconds: 1 }, fullSyncInterval: { seconds: 5 } },
        },
      },
    };
    a = await startBackend(options);
    b = await startBackend(options);
    await eventually(
      async () => {
        for (const r of [a, b]) {
          expect((await r.api('/api/kratix/destinations/git-dest')).body?.ready).toBe(true);
          expect((await r.api('/api/kratix/destinations/s3-dest')).body?.ready).toBe(true);
        }
      },
      120_000,
      'both replicas see ready destinations',
    );
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await git?.stop();
    await s3?.stop();
    await dropDatabases(prefix);
    await fs.promises.rm(dir, { recursive: true, force: true });
  });

  it('lands every change once, loses no placement and makes no duplicate commit', async () => {
    const works = Array.from({ length: 16 }, (_, i) => ({
      promise: 'app',
      resource: `r${i}`,
      pipeline: 'p',
      destinationSelectors: { store: i % 2 ? 'GitStateStore' : 'BucketStateStore' },
      files: [{ path: 'app.yaml', content: `name: r${i}\nversion: 1\n` }],
    }));
    // Posted to both replicas at once, alternately; then half of them updated.
    await Promise.all(
      works.map((w, i) =>
        (i % 2 ? a : b)
          .api('/api/kratix/works', { method: 'POST', json: w })
          .then(r => expect(r.status).toBe(201)),
      ),
    );
    await Promise.all(
      works
        .filter((_, i) => i % 4 < 2)
        .map((w, i) =>
          (i % 2 ? b : a)
            .api('/api/kratix/works', {
              method: 'POST',
              json: {
                ...w,
                files: [{ path: 'app.yaml', content: `name: ${w.resource}\nversion: 2\n` }],
              },
            })
            .then(r => expect(r.status).toBe(200)),
        ),
    );

    const expected = (i: number) => `name: r${i}\nversion: ${i % 4 < 2 ? 2 : 1}\n`;
    await eventually(
      async () => {
        const files = await readRepo(repo);
        const objects = await bucketObjects(s3.endpoint, 'kratix');
        const written = works.map((_, i) => {
          const p = `resources/default/app/r${i}/p/5058f/app.yaml`;
          return i % 2 ? files.get(`git-dest/${p}`) : objects.get(`s3-dest/${p}`);
        });
        expect(written).toEqual(works.map((_, i) => expected(i)));
        for (const r of [a, b]) {
          const items = (await r.api('/api/kratix/works')).body.items;
          expect(items).toHaveLength(16);
          expect(items.map((w: any) => w.destinations.map((p: any) => p.status).join())).toEqual(
            Array(16).fill('written'),
          );
        }
      },
      90_000,
      'all works written',
    );

    // Every commit changes something: no empty or repeated commit for the same change.
    const commits = (await gitCli(['--git-dir', repo, 'rev-list', 'main'])).trim().split('\n');
    for (const c of commits) {
      const changed = (
        await gitCli([
          '--git-dir',
          repo,
          'diff-tree',
          '--root',
          '--no-commit-id',
          '-r',
          '--name-only',
          c,
        ])
      ).trim();
      expect(changed).not.toBe('');
    }
    // At most one commit for canaries, each initial write, and each update: 1 + 8 + 4.
    expect(commits.length).toBeLessThanOrEqual(13);
    const logs = a.logs() + b.logs();
    expect(logs).toContain('GitStateStore/git: wrote');
    expect(logs).not.toContain(git.password);
  });
});
