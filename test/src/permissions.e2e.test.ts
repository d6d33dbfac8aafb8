/**
 * Who may do what, with the example permission policy and real users (test
 * identities signed in through the auth backend), against the real backend
 * and a real git server: teams keep to their Destinations and their works,
 * Destinations come only from the platform's locations, and names are unique
 * across namespaces. Every refusal is checked in the store too.
 */
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { GitServer, readRepo, startGitServer } from '@internal/state-store-servers';
import {
  eventually,
  RunningBackend,
  startBackend,
  testSecret,
  writeEntities,
} from './harness/backend';

jest.setTimeout(300_000);

/** A user's own repository, as a catalog URL location would read it. */
async function serveFile(file: string) {
  const server = http.createServer(async (_req, res) => {
    res
      .writeHead(200, { 'content-type': 'text/yaml' })
      .end(await fs.promises.readFile(file, 'utf8').catch(() => ''));
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () => new Promise<void>(r => server.close(() => r())),
  };
}
const API = 'platform.kratix.io/v1alpha1';

describe('permissions with the example policy (real backend, real users, real git)', () => {
  let git: GitServer;
  let backend: RunningBackend;
  let dir: string;
  let repo: string;
  let platformFile: string;
  let alice: string; // team-a
  let bob: string; // team-b
  let root: string; // platform-team

  const destination = (
    name: string,
    spec: Record<string, unknown>,
    labels: Record<string, string>,
    namespace = 'default',
  ) => ({
    apiVersion: API,
    kind: 'Destination',
    metadata: { name, namespace, labels },
    spec: {
      path: name,
      stateStoreRef: { kind: 'GitStateStore', name: 'git' },
      cleanup: 'all',
      ...spec,
    },
  });
  let gitUrl: string;
  const platform = (extra: unknown[] = []) => [
    {
      apiVersion: API,
      kind: 'GitStateStore',
      metadata: { name: 'git' },
      spec: { url: gitUrl, secretRef: { name: 'git' } },
    },
    destination('alpha-dev', { owner: 'team-a' }, { env: 'dev', id: 'alpha' }),
    destination('beta-dev', {}, { env: 'dev', team: 'team-b' }),
    ...extra,
  ];
  /** Entities a test adds to the platform's location, by test: each changes only its own. */
  const added: Record<string, unknown[]> = {};
  const writePlatform = () => writeEntities(platformFile, platform(Object.values(added).flat()));

  const work = (
    resource: string,
    selectors: Record<string, string>,
    content = `owner: ${resource}\n`,
  ) => ({
    promise: 'app',
    resource,
    pipeline: 'configure',
    destinationSelectors: selectors,
    files: [{ path: 'app.yaml', content }],
  });
  const post = (token: string, body: unknown) =>
    backend.api('/api/kratix/works', { method: 'POST', json: body, token });
  const files = async () => readRepo(repo);
  const appFile = (resource: string) =>
    `alpha-dev/resources/default/app/${resource}/configure/5058f/app.yaml`;
  /** Team A's own work on alpha-dev, written. */
  const writtenForA = async (resource: string) => {
    expect((await post(alice, work(resource, { env: 'dev' }))).status).toBe(201);
    await eventually(
      async () => expect((await files()).get(appFile(resource))).toBe(`owner: ${resource}\n`),
      30_000,
      `${resource} written`,
    );
  };
  const remove = (resource: string, token: string) =>
    backend.api(`/api/kratix/works/default/app-${resource}-configure`, {
      method: 'DELETE',
      token,
    });
  const filesGone = (resource: string) =>
    eventually(
      async () =>
        expect([...(await files()).keys()].filter(k => k.includes(`/${resource}/`))).toEqual([]),
      30_000,
      'files removed',
    );

  let rogueServer: { url: string; port: number; close(): Promise<void> };

  beforeAll(async () => {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-permissions-'));
    git = await startGitServer({ root: path.join(dir, 'git') });
    gitUrl = await git.createRepo('fleet');
    repo = git.repoPath('fleet');
    platformFile = path.join(dir, 'platform.yaml');
    await writePlatform();
    rogueServer = await serveFile(path.join(dir, 'rogue.yaml'));
    backend = await startBackend({
      config: {
        backend: { reading: { allow: [{ host: `127.0.0.1:${rogueServer.port}` }] } },
        catalog: {
          // As the shipped app-config: anyone may register ordinary entities; the three kinds only come from the platform's location.
          rules: [
            {
              allow: [
                'Component',
                'System',
                'API',
                'Resource',
                'Location',
                'Template',
                'User',
                'Group',
              ],
            },
          ],
          locations: [
            {
              type: 'file',
              target: platformFile,
              rules: [{ allow: ['Location', 'Destination', 'GitStateStore', 'BucketStateStore'] }],
            },
          ],
        },
        auth: { providers: { 'test-users': {} } },
        permission: { enabled: true },
        kratix: {
          examplePolicy: { enabled: true, platformGroup: 'group:default/platform-team' },
          secrets: {
            git: testSecret({ git }),
          },
        },
      },
    });
    alice = await backend.userToken('alice', ['team-a']);
    bob = await backend.userToken('bob', ['team-b']);
    root = await backend.userToken('root', ['platform-team']);
    await eventually(
      async () => {
        const { body } = await backend.api('/api/kratix/destinations', { token: root });
        expect(
          body.items
            .filter((d: any) => d.ready)
            .map((d: any) => d.name)
            .sort(),
        ).toEqual(['alpha-dev', 'beta-dev']);
      },
      120_000,
      'both Destinations ready',
    );
  });
  afterAll(async () => {
    await backend?.stop();
    await git?.stop();
    await rogueServer?.close();
    if (dir) await fs.promises.rm(dir, { recursive: true, force: true });
  });

  it("places a team's work only on its own Destinations, and refuses one that matches only another team's", async () => {
    const a = await post(alice, work('from-a', { env: 'dev' }));
    expect(a.status).toBe(201);
    expect(a.body.destinations).toEqual(['alpha-dev']);
    const refused = await post(alice, work('into-b', { team: 'team-b' }));
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain(
      'work default/app-into-b-configure matches only Destinations you may not place works on: beta-dev',
    );
    await eventually(
      async () =>
        expect(
          (await files()).get('alpha-dev/resources/default/app/from-a/configure/5058f/app.yaml'),
        ).toBe('owner: from-a\n'),
      30_000,
      'team A written',
    );
    expect([...(await files()).keys()].filter(k => k.includes('into-b'))).toEqual([]);
  });

  it("refuses to let team B overwrite or delete team A's work, and keeps A's files", async () => {
    await writtenForA('guarded-a');
    const overwrite = await post(bob, work('guarded-a', { env: 'dev' }, 'owner: bob\n'));
    expect(overwrite.status).toBe(403);
    expect(overwrite.body.error.message).toBe(
      'not allowed to update kratix work default/app-guarded-a-configure',
    );
    expect((await remove('guarded-a', bob)).status).toBe(403);
    await new Promise(r => setTimeout(r, 3000));
    expect((await files()).get(appFile('guarded-a'))).toBe('owner: guarded-a\n');
    // Alice's own update goes through.
    expect((await post(alice, work('guarded-a', { env: 'dev' }, 'owner: alice v2\n'))).status).toBe(
      200,
    );
  });

  it("shows another team's work without its placements on Destinations the reader may not see", async () => {
    expect((await post(alice, work('seen-a', { env: 'dev' }))).status).toBe(201);
    const byAlice = await backend.api('/api/kratix/works/default/app-seen-a-configure', {
      token: alice,
    });
    expect(byAlice.body.placements.map((p: any) => p.destination)).toEqual(['alpha-dev']);
    const byBob = await backend.api('/api/kratix/works/default/app-seen-a-configure', {
      token: bob,
    });
    expect(byBob.status).toBe(200);
    expect(byBob.body.placements).toEqual([]);
  });

  it('hides the Destinations a user may not see', async () => {
    const seen = await backend.api('/api/kratix/destinations', { token: bob });
    expect(seen.body.items.map((d: any) => d.name)).toEqual(['beta-dev']);
    expect((await backend.api('/api/kratix/destinations/alpha-dev', { token: bob })).status).toBe(
      404,
    );
    const platformView = await backend.api('/api/kratix/destinations', { token: root });
    expect(platformView.body.items.map((d: any) => d.name).sort()).toEqual([
      'alpha-dev',
      'beta-dev',
    ]);
  });

  it('records who created a work', async () => {
    expect((await post(alice, work('created-a', { env: 'dev' }))).status).toBe(201);
    const w = await backend.api('/api/kratix/works/default/app-created-a-configure', {
      token: alice,
    });
    expect(w.body.createdBy).toBe('user:default/alice');
  });

  it("lets a work's owner delete it, and its files are removed", async () => {
    await writtenForA('deleted-a');
    expect((await remove('deleted-a', alice)).status).toBe(202);
    await filesGone('deleted-a');
  });

  it('refuses a same-name Destination in another namespace; the original keeps its files', async () => {
    expect((await post(root, work('kept', { id: 'alpha' }))).status).toBe(201);
    await eventually(
      async () => expect([...(await files()).keys()].some(k => k.includes('/kept/'))).toBe(true),
      30_000,
      'kept written',
    );
    added.impostor = [destination('alpha-dev', { path: 'impostor' }, { env: 'dev' }, 'other')];
    await writePlatform();
    const error = await eventually(
      async () => {
        const res = await backend.api('/api/kratix/catalog-errors', { token: root });
        const item = (res.body.items as any[]).find(
          i => i.entityRef === 'destination:other/alpha-dev',
        );
        expect(item).toBeDefined();
        return item.errors.join('\n') as string;
      },
      60_000,
      'the impostor refused',
    );
    expect(error).toContain('destination:default/alpha-dev');
    await new Promise(r => setTimeout(r, 3000));
    const now = await files();
    expect(now.get('alpha-dev/resources/default/app/kept/configure/5058f/app.yaml')).toBe(
      'owner: kept\n',
    );
    expect([...now.keys()].filter(k => k.startsWith('impostor/'))).toEqual([]);
    expect(now.get('alpha-dev/dependencies/kratix-canary-namespace.yaml')).toContain(
      'kind: Namespace',
    );
    delete added.impostor;
    await writePlatform();
  });

  it('does not ingest Destinations or State Stores from a location a user registers, and says why', async () => {
    const rogue = path.join(dir, 'rogue.yaml');
    await writeEntities(rogue, [
      {
        apiVersion: API,
        kind: 'GitStateStore',
        metadata: { name: 'rogue-git' },
        spec: { url: 'https://evil.example/x.git', secretRef: { name: 'git' } },
      },
      {
        apiVersion: API,
        kind: 'BucketStateStore',
        metadata: { name: 'rogue-s3' },
        spec: { endpoint: 'evil.example', bucketName: 'b', secretRef: { name: 'git' } },
      },
      destination(
        'rogue',
        { stateStoreRef: { kind: 'GitStateStore', name: 'rogue-git' } },
        { env: 'dev' },
      ),
    ]);
    const reg = await backend.api('/api/catalog/locations', {
      method: 'POST',
      json: { type: 'url', target: `${rogueServer.url}/rogue.yaml` },
      token: alice,
    });
    expect([reg.status, reg.status === 201 ? '' : reg.text.slice(0, 300)]).toEqual([201, '']);
    // The catalog stops at the first entity a location may not hold, and says so on the Location.
    const refused = await eventually(
      async () => {
        const res = await backend.api('/api/kratix/catalog-errors', { token: root });
        const item = (res.body.items as any[]).find(i => i.entityRef.startsWith('location:'));
        expect([
          item?.errors.join('\n'),
          backend
            .logs()
            .split('\n')
            .filter(l => l.includes('rogue'))
            .slice(-3),
        ]).toEqual([expect.any(String), expect.anything()]);
        return item.errors.join('\n') as string;
      },
      60_000,
      'the rogue location refused',
    );
    expect(refused).toContain(
      `Entity gitstatestore:default/rogue-git at url:${rogueServer.url}/rogue.yaml`,
    );
    expect(refused).toContain('is not of an allowed kind for that location');
    for (const [kind, name] of [
      ['destination', 'rogue'],
      ['gitstatestore', 'rogue-git'],
      ['bucketstatestore', 'rogue-s3'],
    ]) {
      expect(
        (
          await backend.api(`/api/catalog/entities/by-name/${kind}/default/${name}`, {
            token: root,
          })
        ).status,
      ).toBe(404);
    }
    expect((await backend.api('/api/kratix/destinations/rogue', { token: root })).status).toBe(404);
  });

  it('emits audit events for submits (refused ones as failed), deletes and store writes', async () => {
    const from = backend.logs().length;
    await writtenForA('audited-a');
    expect((await post(bob, work('audited-a', { env: 'dev' }, 'owner: bob\n'))).status).toBe(403);
    expect((await remove('audited-a', alice)).status).toBe(202);
    await filesGone('audited-a');
    await eventually(
      async () => {
        const audit = backend
          .logs()
          .slice(from)
          .split('\n')
          .filter(l => l.includes('isAuditEvent') && l.includes(' kratix.'));
        const ids = new Set(audit.map(l => /eventId="([a-z-]+)"/.exec(l)?.[1]));
        expect([...ids].sort()).toEqual(['work-delete', 'store-write', 'work-submit'].sort());
        const refusedByBob = audit.filter(
          l =>
            l.includes('eventId="work-submit"') &&
            l.includes('user:default/bob') &&
            l.includes('status="failed"'),
        );
        expect(refusedByBob.length).toBeGreaterThan(0);
        expect(
          audit.some(
            l => l.includes('eventId="store-write"') && l.includes('GitStateStore:default/git'),
          ),
        ).toBe(true);
      },
      30_000,
      'the audit events logged',
    );
  });
});
