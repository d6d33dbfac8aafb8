/**
 * Every read is checked like the write it mirrors: previews, history, the
 * store view, lists and their counts, MCP actions and signals, with the
 * example policy's two teams and the guest (and a policy that denies every
 * kratix permission), against the real backend on PostgreSQL and a real git
 * server. Work ownership is decided on the row the writing transaction
 * writes: a work being deleted keeps its owners, a create race is a 409, an
 * update by another keeps the owners, and a team creates only in its own
 * namespaces. One Destination with an owner that is not an entity ref never
 * breaks anyone's requests.
 */
import fs from 'node:fs';
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
import { dropDatabases, PG } from './harness/postgres';

jest.setTimeout(300_000);

const API = 'platform.kratix.io/v1alpha1';

/** Opens a WebSocket, or undefined if it is not open within `ms`. */
function open(url: string, token: string | undefined, ms: number) {
  const ws = token ? new WebSocket(url, token) : new WebSocket(url);
  return new Promise<WebSocket | undefined>(resolve => {
    const timer = setTimeout(() => {
      ws.close();
      resolve(undefined);
    }, ms);
    ws.addEventListener('open', () => {
      clearTimeout(timer);
      resolve(ws);
    });
    ws.addEventListener('error', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
}

/**
 * A Backstage signals connection and what it received on the kratix channel.
 * The signals backend starts listening for upgrades on the first one it
 * sees, which it leaves unanswered (its own client reconnects): so do we.
 */
async function subscribe(baseUrl: string, token?: string) {
  const url = `${baseUrl.replace(/^http/, 'ws')}/api/signals`;
  let ws: WebSocket | undefined;
  for (let attempt = 0; !ws; attempt++) {
    if (attempt === 5) throw new Error('no signals connection after 5 attempts');
    ws = await open(url, token, 3000);
  }
  const received: any[] = [];
  ws.addEventListener('message', e => received.push(JSON.parse(String(e.data))));
  ws.send(JSON.stringify({ action: 'subscribe', channel: 'kratix' }));
  return { received, close: () => ws!.close() };
}

const destination = (
  name: string,
  spec: Record<string, unknown>,
  labels: Record<string, string>,
) => ({
  apiVersion: API,
  kind: 'Destination',
  metadata: { name, labels },
  spec: {
    path: name,
    stateStoreRef: { kind: 'GitStateStore', name: 'git' },
    cleanup: 'all',
    ...spec,
  },
});

const work = (
  resource: string | undefined,
  selectors: Record<string, string>,
  content: string,
  namespace?: string,
) => ({
  promise: 'app',
  ...(resource === undefined ? {} : { resource }),
  ...(namespace ? { namespace } : {}),
  pipeline: 'configure',
  destinationSelectors: selectors,
  files: [{ path: 'app.yaml', content }],
});

describe('reads guarded like writes (example policy, two teams and the guest, PostgreSQL)', () => {
  let git: GitServer;
  let backend: RunningBackend;
  let dir: string;
  let platformFile: string;
  let gitUrl: string;
  let alice: string; // team-a
  let bob: string; // team-b
  let root: string; // platform-team
  let guest: string;
  const prefix = `kratix_reads_${process.pid}_`;
  const extra: unknown[] = [];
  const platform = () => [
    {
      apiVersion: API,
      kind: 'GitStateStore',
      metadata: { name: 'git' },
      spec: { url: gitUrl, secretRef: { name: 'git' } },
    },
    destination('alpha-dev', { owner: 'team-a' }, { env: 'dev' }),
    destination('beta-dev', {}, { env: 'dev', team: 'team-b' }),
    ...extra,
  ];
  const files = () => readRepo(git.repoPath('fleet'));
  const post = (token: string, body: unknown) =>
    backend.api('/api/kratix/works', { method: 'POST', json: body, token });
  const invoke = (action: string, input: unknown, token: string) =>
    backend.api(`/api/kratix/.backstage/actions/v1/actions/kratix:${action}/invoke`, {
      method: 'POST',
      json: input,
      token,
    });
  const written = (file: string, content: string) =>
    eventually(
      async () => expect((await files()).get(file)).toBe(content),
      60_000,
      `${file} written`,
    );

  beforeAll(async () => {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-reads-'));
    git = await startGitServer({ root: path.join(dir, 'git') });
    gitUrl = await git.createRepo('fleet');
    platformFile = path.join(dir, 'platform.yaml');
    await writeEntities(platformFile, platform());
    backend = await startBackend({
      locations: [platformFile],
      database: { client: 'pg', connection: PG, prefix },
      config: {
        auth: { providers: { 'test-users': {} } },
        permission: { enabled: true },
        kratix: {
          examplePolicy: { enabled: true, platformGroup: 'group:default/platform-team' },
          secrets: { git: testSecret({ git }) },
        },
      },
    });
    alice = await backend.userToken('alice', ['team-a']);
    bob = await backend.userToken('bob', ['team-b']);
    root = await backend.userToken('root', ['platform-team']);
    const res = await fetch(`${backend.baseUrl}/api/auth/guest/refresh`, {
      headers: { 'x-requested-with': 'XMLHttpRequest' },
    });
    guest = (await res.json()).backstageIdentity.token;
    await eventually(
      async () => {
        const { body } = await backend.api('/api/kratix/destinations', { token: root });
        expect(body.items.filter((d: any) => d.ready).map((d: any) => d.name)).toEqual([
          'alpha-dev',
          'beta-dev',
        ]);
      },
      120_000,
      'both Destinations ready',
    );
  });
  afterAll(async () => {
    await backend?.stop();
    await git?.stop();
    await dropDatabases(prefix);
    if (dir) await fs.promises.rm(dir, { recursive: true, force: true });
  });

  it("refuses a preview of another team's work to that team and the guest, over HTTP and MCP", async () => {
    expect((await post(alice, work('vault', { env: 'dev' }, 'password: hunter2\n'))).status).toBe(
      201,
    );
    await written(
      'alpha-dev/resources/default/app/vault/configure/5058f/app.yaml',
      'password: hunter2\n',
    );
    for (const token of [bob, guest]) {
      const http = await backend.api('/api/kratix/works/default/app-vault-configure/preview', {
        method: 'POST',
        token,
      });
      expect([http.status, http.body?.error?.message]).toEqual([
        403,
        'not allowed to update kratix work default/app-vault-configure',
      ]);
      const mcp = await invoke('preview-work', work('vault', { env: 'dev' }, 'x: 1\n'), token);
      expect([mcp.status, mcp.body?.error?.message]).toEqual([
        403,
        'not allowed to update kratix work default/app-vault-configure',
      ]);
      expect(http.text + mcp.text).not.toContain('hunter2');
    }
    // The owner previews it: the same calls work for her.
    const own = await invoke('preview-work', work('vault', { env: 'dev' }, 'x: 1\n'), alice);
    expect(own.status).toBe(200);
    expect(own.body.output.diff).toContain('-password: hunter2');
    expect(
      (
        await backend.api('/api/kratix/works/default/app-vault-configure/preview', {
          method: 'POST',
          token: alice,
        })
      ).status,
    ).toBe(200);
  });

  it("keeps a work's owners when another updates it, and shows them only the Destinations they may see", async () => {
    // Alice's dependency lands on her Destination; the platform team's update spreads it to team B's.
    const key = 'kratix-platform-system/app-configure';
    expect((await post(alice, work(undefined, { env: 'dev' }, 'v: alice\n'))).status).toBe(201);
    expect((await post(root, work(undefined, { env: 'dev' }, 'v: root\n'))).status).toBe(200);
    await written('beta-dev/dependencies/app/configure/5058f/app.yaml', 'v: root\n');
    await written('alpha-dev/dependencies/app/configure/5058f/app.yaml', 'v: root\n');
    // Alice still owns it.
    expect((await post(alice, work(undefined, { env: 'dev' }, 'v: alice 2\n'))).status).toBe(200);
    await written('beta-dev/dependencies/app/configure/5058f/app.yaml', 'v: alice 2\n');
    const history = await backend.api(`/api/kratix/works/${key}/history`, { token: alice });
    expect(history.status).toBe(200);
    expect(new Set(history.body.items.map((e: any) => e.destination))).toEqual(
      new Set(['alpha-dev']),
    );
    const rootHistory = await backend.api(`/api/kratix/works/${key}/history`, { token: root });
    expect(new Set(rootHistory.body.items.map((e: any) => e.destination))).toEqual(
      new Set(['alpha-dev', 'beta-dev']),
    );
    const status = await invoke(
      'get-work-status',
      { namespace: 'kratix-platform-system', name: 'app-configure' },
      alice,
    );
    expect(status.body.output.destinations.map((d: any) => d.name)).toEqual(['alpha-dev']);
    const preview = await post(alice, {
      ...work(undefined, { env: 'dev' }, 'v: alice 3\n'),
      dryRun: true,
    });
    expect(preview.status).toBe(200);
    expect(preview.body.destinations).toEqual(['alpha-dev']);
    expect(preview.body.preview.map((p: any) => p.destination)).toEqual(['alpha-dev']);
    const mcp = await invoke(
      'preview-work',
      work(undefined, { env: 'dev' }, 'v: alice 3\n'),
      alice,
    );
    expect(mcp.body.output.destinations).toEqual(['alpha-dev']);
    expect(mcp.body.output.diff).not.toContain('beta-dev');
    expect(
      (await backend.api(`/api/kratix/works/${key}`, { method: 'DELETE', token: alice })).status,
    ).toBe(202);
  });

  it('counts and filters only the Destinations a caller may see', async () => {
    expect((await post(alice, work('counted', { env: 'dev' }, 'c: 1\n'))).status).toBe(201);
    for (const token of [bob, guest]) {
      const list = await backend.api('/api/kratix/destinations?search=alpha', { token });
      expect([list.status, list.body.items, list.body.totalCount]).toEqual([200, [], 0]);
      const works = await backend.api('/api/kratix/works?destination=alpha-dev', { token });
      expect([works.status, works.body.items, works.body.totalCount]).toEqual([200, [], 0]);
    }
    const seen = await backend.api('/api/kratix/destinations?search=alpha', { token: alice });
    expect([seen.body.items.map((d: any) => d.name), seen.body.totalCount]).toEqual([
      ['alpha-dev'],
      1,
    ]);
    const all = await backend.api('/api/kratix/destinations', { token: bob });
    expect([all.body.items.map((d: any) => d.name), all.body.totalCount]).toEqual([
      ['beta-dev'],
      1,
    ]);
    const aliceWorks = await backend.api('/api/kratix/works?destination=alpha-dev', {
      token: alice,
    });
    expect(aliceWorks.body.items.map((w: any) => w.name)).toContain('app-counted-configure');
  });

  it("shows a State Store's page only to whom the policy allows, and only the Destinations they may see", async () => {
    for (const token of [bob, guest, alice]) {
      const res = await backend.api('/api/kratix/statestores/GitStateStore/git', { token });
      expect([res.status, res.body?.error?.message]).toEqual([
        403,
        'not allowed to read kratix State Store GitStateStore/git',
      ]);
    }
    const platformView = await backend.api('/api/kratix/statestores/GitStateStore/git', {
      token: root,
    });
    expect(platformView.status).toBe(200);
    expect(platformView.body.destinations.map((d: any) => d.name)).toEqual([
      'alpha-dev',
      'beta-dev',
    ]);
  });

  it('sends store-run signals only to signed-in owners, without error text', async () => {
    const anonymous = await subscribe(backend.baseUrl);
    const owner = await subscribe(backend.baseUrl, alice);
    const other = await subscribe(backend.baseUrl, bob);
    try {
      expect((await post(alice, work('signalled', { env: 'dev' }, 's: 1\n'))).status).toBe(201);
      await eventually(
        async () => expect(owner.received.length).toBeGreaterThan(0),
        60_000,
        'the owner signalled',
      );
      // A second run's signal to the owner: the first run's signals have all been sent by now.
      const seen = owner.received.length;
      expect((await post(alice, work('signalled', { env: 'dev' }, 's: 2\n'))).status).toBe(200);
      await eventually(
        async () => expect(owner.received.length).toBeGreaterThan(seen),
        60_000,
        'the owner signalled again',
      );
      expect(anonymous.received).toEqual([]);
      expect(other.received).toEqual([]);
      for (const m of owner.received)
        expect(Object.keys(m.message).sort()).toEqual(['at', 'store']);
    } finally {
      anonymous.close();
      owner.close();
      other.close();
    }
  });

  it('lets a team create works only in its own namespaces and the shared ones', async () => {
    const squat = await post(bob, work('db', { team: 'team-b' }, 'x: 1\n', 'team-a'));
    expect([squat.status, squat.body?.error?.message]).toEqual([
      403,
      'not allowed to create kratix works in namespace team-a',
    ]);
    expect((await post(bob, work('db', { team: 'team-b' }, 'x: 1\n', 'team-b'))).status).toBe(201);
    expect((await post(alice, work('db', { env: 'dev' }, 'x: 1\n', 'team-a'))).status).toBe(201);
  });

  it('keeps a work that is being deleted with its owners until its files are gone', async () => {
    const file = 'alpha-dev/resources/default/app/held/configure/5058f/app.yaml';
    expect((await post(alice, work('held', { env: 'dev' }, 'owner: alice\n'))).status).toBe(201);
    await written(file, 'owner: alice\n');
    await git.stop();
    try {
      const del = await backend.api('/api/kratix/works/default/app-held-configure', {
        method: 'DELETE',
        token: alice,
      });
      expect(del.status).toBe(202);
      const taken = await post(bob, work('held', { env: 'dev' }, 'owner: bob took it\n'));
      expect([taken.status, taken.body?.error?.message]).toEqual([
        403,
        'not allowed to update kratix work default/app-held-configure',
      ]);
    } finally {
      git = await startGitServer({ root: git.root, port: git.port });
    }
    await eventually(async () => expect((await files()).has(file)).toBe(false), 60_000, 'removed');
    const w = await backend.api('/api/kratix/works/default/app-held-configure', { token: root });
    expect(w.status).toBe(404);
  });

  /** Alice and five of Bob's requests create one work at once: what each got. */
  const race = async (round: number) => {
    const body = (who: string) => work(`race-${round}`, { env: 'dev' }, `owner: ${who}\n`);
    const senders = ['alice', 'bob', 'bob', 'bob', 'bob', 'bob'];
    const answers = await Promise.all(
      senders.map(who => post(who === 'alice' ? alice : bob, body(who))),
    );
    const w = await backend.api(`/api/kratix/works/default/app-race-${round}-configure`, {
      token: root,
    });
    const refused = new RegExp(
      `^(403 not allowed to update kratix work default/app-race-${round}-configure|409 work default/app-race-${round}-configure was created by another request at the same time; send it again to update it)$`,
    );
    return answers.map((a, i) => {
      if (a.status === 201) return 'created';
      // A 200 is only ever the owner's own update: nobody else's content under the winner's name.
      if (a.status === 200)
        return w.body.createdBy === `user:default/${senders[i]}` ? 'own update' : 'taken';
      const answer = `${a.status} ${a.body?.error?.message}`;
      return refused.test(answer) ? 'refused' : answer;
    });
  };

  it('decides create or update on the row it writes: one concurrent create wins, the others get 409 or 403, never 500', async () => {
    for (const round of [0, 1, 2, 3]) {
      const outcomes = await race(round);
      expect(outcomes.filter(o => o === 'created')).toHaveLength(1);
      expect(outcomes.filter(o => !['created', 'own update', 'refused'].includes(o))).toEqual([]);
    }
  });

  it('keeps answering every user when a Destination has an owner that is not an entity ref', async () => {
    extra.push(destination('evil-owner', { owner: 'team-a\n' }, { env: 'evil' }));
    await writeEntities(platformFile, platform());
    await eventually(
      async () => {
        const errors = await backend.api('/api/kratix/catalog-errors', { token: root });
        const listed = await backend.api('/api/kratix/destinations/evil-owner', { token: root });
        const refused = (errors.body.items as any[]).some(
          i => i.entityRef === 'destination:default/evil-owner',
        );
        expect(refused || listed.status === 200).toBe(true);
      },
      60_000,
      'the Destination processed',
    );
    expect((await post(alice, work('after-evil', { env: 'dev' }, 'x: 1\n'))).status).toBe(201);
    expect((await backend.api('/api/kratix/destinations', { token: bob })).status).toBe(200);
    expect((await backend.api('/api/kratix/works', { token: guest })).status).toBe(200);
  });
});

describe('reads guarded like writes (a policy that denies every kratix permission)', () => {
  let git: GitServer;
  let backend: RunningBackend;
  let dir: string;
  let user: string;

  beforeAll(async () => {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-deny-'));
    git = await startGitServer({ root: path.join(dir, 'git') });
    const url = await git.createRepo('fleet');
    const file = path.join(dir, 'platform.yaml');
    await writeEntities(file, [
      {
        apiVersion: API,
        kind: 'GitStateStore',
        metadata: { name: 'git' },
        spec: { url, secretRef: { name: 'git' } },
      },
      destination('dev', {}, { env: 'dev' }),
    ]);
    backend = await startBackend({
      locations: [file],
      env: { KRATIX_E2E_POLICY: 'deny-kratix' },
      config: {
        auth: { providers: { 'test-users': {} } },
        permission: { enabled: true },
        kratix: { secrets: { git: testSecret({ git }) } },
      },
    });
    user = await backend.userToken('alice', ['team-a']);
    await eventually(
      async () =>
        expect((await backend.api('/api/kratix/destinations/dev')).body?.ready).toBe(true),
      120_000,
      'dev ready',
    );
  });
  afterAll(async () => {
    await backend?.stop();
    await git?.stop();
    if (dir) await fs.promises.rm(dir, { recursive: true, force: true });
  });

  it('answers a denied user 404 wherever reading the work does', async () => {
    // The static token is a service: the policy does not see it.
    const created = await backend.api('/api/kratix/works', {
      method: 'POST',
      json: work('hidden', { env: 'dev' }, 'secret-of-the-platform: s3cr3t\n'),
    });
    expect(created.status).toBe(201);
    const read = await backend.api('/api/kratix/works/default/app-hidden-configure', {
      token: user,
    });
    expect(read.status).toBe(404);
    const preview = await backend.api('/api/kratix/works/default/app-hidden-configure/preview', {
      method: 'POST',
      token: user,
    });
    expect([preview.status, preview.body?.error?.message]).toEqual([
      404,
      'work default/app-hidden-configure not found',
    ]);
    const history = await backend.api('/api/kratix/works/default/app-hidden-configure/history', {
      token: user,
    });
    expect(history.status).toBe(404);
    const status = await backend.api(
      '/api/kratix/.backstage/actions/v1/actions/kratix:get-work-status/invoke',
      { method: 'POST', json: { namespace: 'default', name: 'app-hidden-configure' }, token: user },
    );
    expect([status.status, status.body?.error?.message]).toEqual([
      404,
      'work default/app-hidden-configure not found',
    ]);
    const mcpPreview = await backend.api(
      '/api/kratix/.backstage/actions/v1/actions/kratix:preview-work/invoke',
      { method: 'POST', json: work('hidden', { env: 'dev' }, 'x: 1\n'), token: user },
    );
    expect(mcpPreview.status).toBe(403);
    expect(mcpPreview.text).not.toContain('s3cr3t');
    const list = await backend.api('/api/kratix/works', { token: user });
    expect([list.body.items, list.body.totalCount]).toEqual([[], 0]);
  });
});
