import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readRepo } from '@internal/state-store-servers';
import { eventually, ROOT } from './harness/backend';

jest.setTimeout(300_000);

const BASE = 'http://localhost:7007';
const TOKEN = 'kratix-demo-token';

/** The guest's token, as the README gets it: the static token reaches only the kratix API. */
let guest = '';
async function guestToken(): Promise<string> {
  const res = await fetch(`${BASE}/api/auth/guest/refresh`, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  return (await res.json()).backstageIdentity.token;
}

async function api(p: string, init: RequestInit = {}) {
  const token = p.startsWith('/api/kratix') ? TOKEN : guest;
  const res = await fetch(`${BASE}${p}`, {
    ...init,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      ...(init.headers as Record<string, string>),
    },
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** The processes a process started (the demo's servers and backend). */
function childrenOf(pid: number): number[] {
  const out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)]).toString();
  return out.split('\n').filter(Boolean).map(Number);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The README's Quick start: `npm start`, then the templates through the API, with the demo stores. */
describe('the demo of the README (npm start on the fixed demo ports)', () => {
  let child: ChildProcess;
  let data: string;
  let output = '';

  async function startDemo() {
    output = '';
    child = spawn(process.execPath, [path.join(ROOT, 'scripts/start.mjs')], {
      cwd: ROOT,
      env: { ...process.env, KRATIX_DEMO_DATA: data, NODE_ENV: 'development' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', d => {
      output += d;
    });
    child.stderr!.on('data', d => {
      output += d;
    });
    await eventually(
      async () => {
        if (child.exitCode !== null)
          throw Object.assign(
            new Error(`npm start exited with ${child.exitCode}: ${output.slice(-3000)}`),
            { fatal: true },
          );
        expect((await fetch(`${BASE}/.backstage/health/v1/readiness`)).status).toBe(200);
      },
      180_000,
      'demo backend ready (ports 7007, 8470 and 8471 must be free)',
    );
    guest = await guestToken();
  }

  async function stopDemo() {
    if (child && child.exitCode === null) {
      const exited = new Promise(r => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  }

  beforeAll(async () => {
    data = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-demo-'));
    await startDemo();
    await eventually(
      async () => {
        expect((await api('/api/kratix/destinations/dev-cluster')).body?.ready).toBe(true);
        expect(
          (await api('/api/catalog/entities/by-name/template/default/terraform-bucket')).status,
        ).toBe(200);
      },
      120_000,
      'demo Destinations and templates',
    );
  });
  // The restart test stops and starts the demo: a failure there leaves no other test without it.
  beforeEach(async () => {
    if (child.exitCode !== null || child.signalCode !== null) await startDemo();
  });
  afterAll(async () => {
    await stopDemo();
    await fs.promises.rm(data, { recursive: true, force: true });
  });

  async function runTemplate(templateRef: string, values: Record<string, unknown>) {
    const created = await api('/api/scaffolder/v2/tasks', {
      method: 'POST',
      body: JSON.stringify({ templateRef, values }),
    });
    expect(created.status).toBe(201);
    await eventually(
      async () => {
        expect((await api(`/api/scaffolder/v2/tasks/${created.body.id}`)).body.status).toBe(
          'completed',
        );
      },
      60_000,
      templateRef,
    );
  }

  const s3Object = (key: string) => path.join(data, 's3', 'kratix', `${key}._S3rver_object`);

  it('serves the UI on the same URL', async () => {
    const res = await fetch(`${BASE}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<div id="root">');
  });

  const gitFiles = () => readRepo(path.join(data, 'git', 'state.git'));
  const nsPath = (name: string) =>
    `clusters/dev-cluster/resources/default/namespace/${name}/create-namespace/5058f`;

  it('runs the templates as the README shows, and their files land in the demo stores', async () => {
    await runTemplate('template:default/create-namespace', { name: 'team-a', environment: 'dev' });
    await runTemplate('template:default/install-crds', {});
    await runTemplate('template:default/terraform-bucket', { name: 'orders' });
    await eventually(
      async () => {
        const files = await gitFiles();
        expect(files.get(`${nsPath('team-a')}/namespace.yaml`)).toContain('name: team-a');
        expect(files.get(`${nsPath('team-a')}/configmap.yaml`)).toContain('name: team-a-info');
        expect(
          files.has(
            'clusters/dev-cluster/dependencies/widgets/install-crds/5058f/widgets.example.com.yaml',
          ),
        ).toBe(true);
        expect(
          files.has(
            'clusters/dev-cluster/resources/default/bucket/orders/terraform-bucket/5058f/bucket-info.yaml',
          ),
        ).toBe(true);
        expect(
          fs.existsSync(
            s3Object(
              'destinations/prod-cluster/dependencies/widgets/install-crds/5058f/widgets.example.com.yaml',
            ),
          ),
        ).toBe(true);
        expect(
          fs.readFileSync(s3Object('destinations/terraform/terraform/main.tf'), 'utf8'),
        ).toContain('bucket = "orders"');
        expect(
          fs.readFileSync(
            s3Object(
              'destinations/terraform/.kratix/default-bucket-orders-terraform-bucket.terraform-workspace-1b1ed.yaml',
            ),
            'utf8',
          ),
        ).toBe('files:\n- terraform/terraform/main.tf\n');
      },
      30_000,
      'files in the demo stores',
    );
  });

  it("removes a namespace's files with template (d), as the README shows", async () => {
    await runTemplate('template:default/create-namespace', { name: 'team-d', environment: 'dev' });
    await eventually(
      async () =>
        expect((await gitFiles()).get(`${nsPath('team-d')}/namespace.yaml`)).toContain(
          'name: team-d',
        ),
      30_000,
      'team-d written',
    );
    await runTemplate('template:default/delete-namespace', { name: 'team-d' });
    await eventually(
      async () => {
        const files = await gitFiles();
        expect([...files.keys()].filter(k => k.includes('/team-d/'))).toEqual([]);
      },
      30_000,
      'team-d removed',
    );
  });

  it('keeps its works across a restart: a work made before it can be deleted after, and its files leave the store', async () => {
    const work = await api('/api/kratix/works', {
      method: 'POST',
      body: JSON.stringify({
        promise: 'note',
        resource: 'kept',
        pipeline: 'restart',
        destinationSelectors: { environment: 'dev' },
        files: [{ path: 'note.yaml', content: 'kept: true\n' }],
      }),
    });
    expect(work.status).toBe(201);
    const file = 'clusters/dev-cluster/resources/default/note/kept/restart/5058f/note.yaml';
    await eventually(
      async () => expect((await gitFiles()).get(file)).toBe('kept: true\n'),
      30_000,
      'note written',
    );
    const started = childrenOf(child.pid!);
    expect(started).toHaveLength(3);
    await stopDemo();
    // npm start exits only once its servers and the backend are gone: a restart finds the ports free.
    expect(started.filter(alive)).toEqual([]);
    await startDemo();
    expect((await api('/api/kratix/works/default/note-kept-restart')).body).toMatchObject({
      status: 'written',
    });
    expect(
      (await api('/api/kratix/works/default/note-kept-restart', { method: 'DELETE' })).status,
    ).toBe(202);
    await eventually(
      async () => expect((await gitFiles()).has(file)).toBe(false),
      30_000,
      'note removed after restart',
    );
  });
});
