/**
 * Who may do what, with the example permission policy and real users (test
 * identities signed in through the auth backend), against the real backend
 * and a real git server: teams keep to their Destinations and their works,
 * Destinations come only from the platform's locations, and names are unique
 * across namespaces. Every refusal is checked in the store too.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GitServer, readRepo, startGitServer } from '@internal/state-store-servers';
import { eventually, RunningBackend, startBackend, writeEntities } from './harness/backend';

jest.setTimeout(300_000);
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

  const destination = (name: string, spec: Record<string, unknown>, labels: Record<string, string>, namespace = 'default') => ({
    apiVersion: API,
    kind: 'Destination',
    metadata: { name, namespace, labels },
    spec: { path: name, stateStoreRef: { kind: 'GitStateStore', name: 'git' }, cleanup: 'all', ...spec },
  });
  let gitUrl: string;
  const platform = (extra: unknown[] = []) => [
    { apiVersion: API, kind: 'GitStateStore', metadata: { name: 'git' }, spec: { url: gitUrl, secretRef: { name: 'git' } } },
    destination('alpha-dev', { owner: 'team-a' }, { env: 'dev', id: 'alpha' }),
    destination('beta-dev', {}, { env: 'dev', team: 'team-b' }),
    ...extra,
  ];
  const writePlatform = (extra: unknown[] = []) => writeEntities(platformFile, platform(extra));

  const work = (resource: string, selectors: Record<string, string>, content = `owner: ${resource}\n`) => ({
    promise: 'app',
    resource,
    pipeline: 'configure',
    destinationSelectors: selectors,
    files: [{ path: 'app.yaml', content }],
  });
  const post = (token: string, body: unknown) => backend.api('/api/kratix/works', { method: 'POST', json: body, token });
  const files = async () => readRepo(repo);

  beforeAll(async () => {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-permissions-'));
    git = await startGitServer({ root: path.join(dir, 'git') });
    gitUrl = await git.createRepo('fleet');
    repo = git.repoPath('fleet');
    platformFile = path.join(dir, 'platform.yaml');
    await writePlatform();
    backend = await startBackend({
      config: {
        catalog: {
          // As the shipped app-config: anyone may register ordinary entities; the three kinds only come from the platform's location.
          rules: [{ allow: ['Component', 'System', 'API', 'Resource', 'Location', 'Template', 'User', 'Group'] }],
          locations: [{ type: 'file', target: platformFile, rules: [{ allow: ['Location', 'Destination', 'GitStateStore', 'BucketStateStore'] }] }],
        },
        kratix: {
          examplePolicy: { enabled: true, platformGroup: 'group:default/platform-team' },
          secrets: { git: { allowedHosts: ['127.0.0.1'], username: git.username, password: git.password } },
        },
      },
    });
    alice = await backend.userToken('alice', ['team-a']);
    bob = await backend.userToken('bob', ['team-b']);
    root = await backend.userToken('root', ['platform-team']);
    await eventually(
      async () => {
        const { body } = await backend.api('/api/kratix/destinations', { token: root });
        expect(body.items.filter((d: any) => d.ready).map((d: any) => d.name).sort()).toEqual(['alpha-dev', 'beta-dev']);
      },
      120_000,
      'both Destinations ready',
    );
  });
  afterAll(async () => {
    await backend?.stop();
    await git?.stop();
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
      async () => expect((await files()).get('alpha-dev/resources/default/app/from-a/configure/5058f/app.yaml')).toBe('owner: from-a\n'),
      30_000,
      'team A written',
    );
    expect([...(await files()).keys()].filter(k => k.includes('into-b'))).toEqual([]);
  });

  it("refuses to let team B overwrite or delete team A's work, and keeps A's files", async () => {
    const overwrite = await post(bob, work('from-a', { env: 'dev' }, 'owner: bob\n'));
    expect(overwrite.status).toBe(403);
    expect(overwrite.body.error.message).toBe('not allowed to update kratix work default/app-from-a-configure');
    const del = await backend.api('/api/kratix/works/default/app-from-a-configure', { method: 'DELETE', token: bob });
    expect(del.status).toBe(403);
    await new Promise(r => setTimeout(r, 3000));
    expect((await files()).get('alpha-dev/resources/default/app/from-a/configure/5058f/app.yaml')).toBe('owner: from-a\n');
    // Alice's own update goes through.
    expect((await post(alice, work('from-a', { env: 'dev' }, 'owner: alice v2\n'))).status).toBe(200);
  });

  it('hides the Destinations and works a user may not see', async () => {
    const seen = await backend.api('/api/kratix/destinations', { token: bob });
    expect(seen.body.items.map((d: any) => d.name)).toEqual(['beta-dev']);
    expect((await backend.api('/api/kratix/destinations/alpha-dev', { token: bob })).status).toBe(404);
    const platformView = await backend.api('/api/kratix/destinations', { token: root });
    expect(platformView.body.items.map((d: any) => d.name).sort()).toEqual(['alpha-dev', 'beta-dev']);
  });

  it('records who created a work, and lets its owner delete it', async () => {
    const w = await backend.api('/api/kratix/works/default/app-from-a-configure', { token: alice });
    expect(w.body.createdBy).toBe('user:default/alice');
    const del = await backend.api('/api/kratix/works/default/app-from-a-configure', { method: 'DELETE', token: alice });
    expect(del.status).toBe(202);
    await eventually(
      async () => expect([...(await files()).keys()].filter(k => k.includes('/from-a/'))).toEqual([]),
      30_000,
      'files removed',
    );
  });

  it('refuses a same-name Destination in another namespace; the original keeps its files', async () => {
    expect((await post(root, work('kept', { id: 'alpha' }))).status).toBe(201);
    await eventually(
      async () => expect([...(await files()).keys()].some(k => k.includes('/kept/'))).toBe(true),
      30_000,
      'kept written',
    );
    await writePlatform([destination('alpha-dev', { path: 'impostor' }, { env: 'dev' }, 'other')]);
    const error = await eventually(
      async () => {
        const res = await backend.api('/api/kratix/catalog-errors', { token: root });
        const item = (res.body.items as any[]).find(i => i.entityRef === 'destination:other/alpha-dev');
        expect(item).toBeDefined();
        return item.errors.join('\n') as string;
      },
      60_000,
      'the impostor refused',
    );
    expect(error).toContain('destination:default/alpha-dev');
    await new Promise(r => setTimeout(r, 3000));
    const now = await files();
    expect(now.get('alpha-dev/resources/default/app/kept/configure/5058f/app.yaml')).toBe('owner: kept\n');
    expect([...now.keys()].filter(k => k.startsWith('impostor/'))).toEqual([]);
    expect(now.get('alpha-dev/dependencies/kratix-canary-namespace.yaml')).toContain('kind: Namespace');
  });

  it('does not ingest Destinations or State Stores from a location a user registers, and says why', async () => {
    const rogue = path.join(dir, 'rogue.yaml');
    await writeEntities(rogue, [
      { apiVersion: API, kind: 'GitStateStore', metadata: { name: 'rogue-git' }, spec: { url: 'https://evil.example/x.git', secretRef: { name: 'git' } } },
      { apiVersion: API, kind: 'BucketStateStore', metadata: { name: 'rogue-s3' }, spec: { endpoint: 'evil.example', bucketName: 'b', secretRef: { name: 'git' } } },
      destination('rogue', { stateStoreRef: { kind: 'GitStateStore', name: 'rogue-git' } }, { env: 'dev' }),
    ]);
    const reg = await backend.api('/api/catalog/locations', { method: 'POST', json: { type: 'file', target: rogue }, token: alice });
    expect(reg.status).toBe(201);
    const refused = await eventually(
      async () => {
        const res = await backend.api('/api/kratix/catalog-errors', { token: root });
        const messages = (res.body.items as any[]).flatMap(i => i.errors as string[]).join('\n');
        for (const ref of ['destination:default/rogue', 'gitstatestore:default/rogue-git', 'bucketstatestore:default/rogue-s3']) {
          expect(messages).toContain(ref);
        }
        return messages;
      },
      60_000,
      'the rogue entities refused',
    );
    expect(refused).toMatch(/not of an allowed kind/);
    for (const [kind, name] of [['destination', 'rogue'], ['gitstatestore', 'rogue-git'], ['bucketstatestore', 'rogue-s3']]) {
      expect((await backend.api(`/api/catalog/entities/by-name/${kind}/default/${name}`, { token: root })).status).toBe(404);
    }
    expect((await backend.api('/api/kratix/destinations/rogue', { token: root })).status).toBe(404);
  });

  it('emits audit events for submits, deletes, store writes and cleanups', async () => {
    const audit = backend
      .logs()
      .split('\n')
      .filter(l => l.includes('isAuditEvent'));
    const ids = new Set(audit.map(l => /eventId[="]+([a-z-]+)/.exec(l)?.[1]));
    for (const id of ['work-submit', 'work-delete', 'store-write']) expect([id, ids.has(id)]).toEqual([id, true]);
    expect(audit.some(l => l.includes('work-submit') && l.includes('user:default/bob') && l.includes('failed'))).toBe(true);
  });
});
