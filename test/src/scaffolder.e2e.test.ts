import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GitServer, readRepo, startGitServer } from '@internal/state-store-servers';
import {
  eventually,
  readyDestinations,
  ROOT,
  RunningBackend,
  startBackend,
  writeEntities,
} from './harness/backend';

jest.setTimeout(300_000);

/** The catalog: a git State Store with a dev and a prod Destination. */
const catalog = (url: string) => [
  {
    apiVersion: 'platform.kratix.io/v1alpha1',
    kind: 'GitStateStore',
    metadata: { name: 'git' },
    spec: { url, secretRef: { name: 'git' } },
  },
  {
    apiVersion: 'platform.kratix.io/v1alpha1',
    kind: 'Destination',
    metadata: { name: 'dev-1', labels: { environment: 'dev' } },
    spec: { path: 'dev-1', stateStoreRef: { kind: 'GitStateStore', name: 'git' } },
  },
  {
    apiVersion: 'platform.kratix.io/v1alpha1',
    kind: 'Destination',
    metadata: { name: 'prod-1', labels: { environment: 'prod' } },
    spec: { path: 'prod-1', stateStoreRef: { kind: 'GitStateStore', name: 'git' } },
  },
];

describe('templates schedule documents to Destinations (real backend, scaffolder, git)', () => {
  let git: GitServer;
  let backend: RunningBackend;
  let dir: string;
  let repo: string;

  beforeAll(async () => {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-scaffolder-'));
    git = await startGitServer({ root: path.join(dir, 'git') });
    const url = await git.createRepo('state');
    repo = git.repoPath('state');
    const entities = path.join(dir, 'entities.yaml');
    await writeEntities(entities, catalog(url));
    const templates = ['create-namespace', 'delete-namespace'].map(t =>
      path.join(ROOT, 'examples/templates', `${t}.yaml`),
    );
    backend = await startBackend({
      locations: [entities, ...templates],
      env: { GIT_PASSWORD: git.password },
      config: {
        kratix: {
          secrets: {
            git: {
              allowedHosts: ['127.0.0.1'],
              username: git.username,
              password: '${GIT_PASSWORD}',
            },
          },
          // Store timers far apart: a written work proves the immediate trigger.
          reconcile: {
            frequency: { seconds: 60 },
            catalogFrequency: { seconds: 1 },
            fullSyncInterval: { hours: 1 },
          },
        },
      },
    });
    await eventually(
      async () => {
        expect((await backend.api('/api/kratix/destinations/dev-1')).body?.ready).toBe(true);
        expect(
          (await backend.api('/api/catalog/entities/by-name/template/default/create-namespace'))
            .status,
        ).toBe(200);
        expect(
          (await backend.api('/api/catalog/entities/by-name/template/default/delete-namespace'))
            .status,
        ).toBe(200);
      },
      120_000,
      'destinations and templates ready',
    );
  });
  afterAll(async () => {
    await backend?.stop();
    await git?.stop();
    await fs.promises.rm(dir, { recursive: true, force: true });
  });

  async function runTask(templateRef: string, values: Record<string, unknown>) {
    const created = await backend.api('/api/scaffolder/v2/tasks', {
      method: 'POST',
      json: { templateRef, values },
    });
    expect(created.status).toBe(201);
    const task = await eventually(
      async () => {
        const t = await backend.api(`/api/scaffolder/v2/tasks/${created.body.id}`);
        expect(['completed', 'failed']).toContain(t.body.status);
        return t.body;
      },
      60_000,
      `task ${templateRef}`,
    );
    const events = await backend.api(`/api/scaffolder/v2/tasks/${created.body.id}/events`);
    return { task, events: events.body as any[] };
  }

  const nsPath = (name: string) =>
    `dev-1/resources/default/namespace/${name}/create-namespace/5058f`;

  /** Runs template (a) for a namespace and waits until its work is written. */
  async function createNamespace(name: string) {
    const { task } = await runTask('template:default/create-namespace', {
      name,
      environment: 'dev',
      team: 'payments',
    });
    expect(task.status).toBe('completed');
    await eventually(
      async () => {
        const work = await backend.api(
          `/api/kratix/works/default/namespace-${name}-create-namespace`,
        );
        expect(work.body.placements.map((p: any) => p.status)).toEqual(['written']);
        expect((await readRepo(repo)).has(`${nsPath(name)}/namespace.yaml`)).toBe(true);
      },
      20_000,
      `${name} written`,
    );
  }

  it('template (a) puts its files at the exact nestedByMetadata path and names the Destination', async () => {
    const { task, events } = await runTask('template:default/create-namespace', {
      name: 'team-a',
      environment: 'dev',
      team: 'payments',
    });
    expect(task.status).toBe('completed');
    const completion = events.find(e => e.type === 'completion');
    expect(completion.body.output.text[0].content).toBe(
      'Work `default/namespace-team-a-create-namespace` goes to: dev-1\n',
    );
    expect(events.map(e => e.body.message).join('\n')).toContain(
      `Destination dev-1: ${git.baseUrl}/state.git at ${nsPath('team-a')}`,
    );
    // Store tasks run every 60 s here; the work is written on the trigger, within seconds.
    await eventually(
      async () => {
        const files = await readRepo(repo);
        expect(files.get(`${nsPath('team-a')}/namespace.yaml`)).toBe(
          'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n  labels:\n    team: payments\n',
        );
        expect(files.get(`${nsPath('team-a')}/configmap.yaml`)).toBe(
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: team-a-info\n  namespace: team-a\ndata:\n  environment: dev\n  owner: payments\n',
        );
      },
      20_000,
      'files in git',
    );
    const work = await backend.api('/api/kratix/works/default/namespace-team-a-create-namespace');
    expect(work.body.placements.map((p: any) => [p.destination, p.status])).toEqual([
      ['dev-1', 'written'],
    ]);
  });

  it('a failing input leaves the task failed with the message, no work and the store unchanged', async () => {
    // Every Destination's canaries first: the store must be at rest before the snapshot.
    await readyDestinations(backend, 2);
    const before = await readRepo(repo);
    const { task, events } = await runTask('template:default/create-namespace', {
      name: 'Team B',
      environment: 'dev',
    });
    expect(task.status).toBe('failed');
    expect(events.map(e => e.body.message).join('\n')).toContain(
      'resource: "Team B" is not a valid name; use up to 63 lowercase letters, digits and "-", starting and ending with a letter or digit',
    );
    const works = (await backend.api('/api/kratix/works')).body.items;
    expect(works.filter((w: any) => w.resource === 'Team B' || /team.b/i.test(w.name))).toEqual([]);
    expect(await readRepo(repo)).toEqual(before);
  });

  it('template (d) removes the files of a namespace made with template (a)', async () => {
    await createNamespace('team-d');
    const { task } = await runTask('template:default/delete-namespace', { name: 'team-d' });
    expect(task.status).toBe('completed');
    await eventually(
      async () => {
        const files = await readRepo(repo);
        expect(
          [...files.keys()].filter(k => k.startsWith('dev-1/resources/default/namespace/team-d/')),
        ).toEqual([]);
        expect(files.has('dev-1/resources/kratix-canary-configmap.yaml')).toBe(true);
      },
      20_000,
      'files removed',
    );
  });
});
