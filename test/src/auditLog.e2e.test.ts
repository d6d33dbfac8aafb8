/**
 * The Git history as an audit log: with a commit message template, a work
 * scheduled by a template carries its ticket, the Backstage user, the
 * scaffolder task and template into the commit (subject and trailers), so a
 * pre-receive hook that demands a ticket id takes the push; without a ticket
 * the hook's own words reach the placement, the store and the history. S3
 * objects carry the same facts as metadata. Real backend, scaffolder, git
 * http-backend with a hook, s3rver.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  gitCli,
  GitServer,
  readRepo,
  S3Server,
  startGitServer,
  startS3Server,
} from '@internal/state-store-servers';
import {
  eventually,
  RunningBackend,
  startBackend,
  testSecret,
  writeEntities,
} from './harness/backend';

jest.setTimeout(300_000);

const API = 'platform.kratix.io/v1alpha1';
const TICKET_HOOK = `#!/bin/sh
# Every new commit's subject must name a ticket, e.g. OPS-123.
zero=0000000000000000000000000000000000000000
while read old new ref; do
  if [ "$old" = "$zero" ]; then range="$new"; else range="$old..$new"; fi
  for c in $(git rev-list "$range"); do
    git log -1 --format=%s "$c" | grep -qE '[A-Z]+-[0-9]+' || {
      echo "commit message must name a ticket (e.g. OPS-123)"
      exit 1
    }
  done
done
`;

/** A template that renders one file and schedules it with the ticket it is given. */
const template = {
  apiVersion: 'scaffolder.backstage.io/v1beta3',
  kind: 'Template',
  metadata: { name: 'ticketed' },
  spec: {
    owner: 'platform-team',
    type: 'resource',
    parameters: [{ properties: { name: { type: 'string' }, ticket: { type: 'string' } } }],
    steps: [
      {
        id: 'render',
        action: 'fetch:template',
        input: {
          url: './skeleton',
          targetPath: './out',
          values: { name: '${{ parameters.name }}' },
        },
      },
      {
        id: 'schedule',
        action: 'kratix:schedule',
        input: {
          promise: 'app',
          resource: '${{ parameters.name }}',
          sourcePath: './out',
          destinationSelectors: { env: 'dev' },
          annotations: { ticket: '${{ parameters.ticket }}' },
        },
      },
    ],
  },
};

describe('commit messages as an audit log (real backend, scaffolder, git with a hook, s3rver)', () => {
  let git: GitServer;
  let s3: S3Server;
  let backend: RunningBackend;
  let dir: string;
  let repo: string;
  let alice: string;

  beforeAll(async () => {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-audit-'));
    git = await startGitServer({ root: path.join(dir, 'git') });
    const url = await git.createRepo('fleet');
    repo = git.repoPath('fleet');
    s3 = await startS3Server({ directory: path.join(dir, 's3'), buckets: ['fleet'] });
    const entities = path.join(dir, 'entities.yaml');
    await writeEntities(entities, [
      {
        apiVersion: API,
        kind: 'GitStateStore',
        metadata: { name: 'git' },
        spec: { url, secretRef: { name: 'creds' } },
      },
      {
        apiVersion: API,
        kind: 'BucketStateStore',
        metadata: { name: 's3' },
        spec: { endpoint: s3.endpoint, bucketName: 'fleet', secretRef: { name: 'creds' } },
      },
      {
        apiVersion: API,
        kind: 'Destination',
        metadata: { name: 'dev', labels: { env: 'dev' } },
        spec: { path: 'dev', stateStoreRef: { kind: 'GitStateStore', name: 'git' } },
      },
      {
        apiVersion: API,
        kind: 'Destination',
        metadata: { name: 'bucket-dev', labels: { env: 's3' } },
        spec: { path: 'bucket-dev', stateStoreRef: { kind: 'BucketStateStore', name: 's3' } },
      },
    ]);
    const templateFile = path.join(dir, 'templates', 'ticketed.yaml');
    await writeEntities(templateFile, [template]);
    await fs.promises.mkdir(path.join(dir, 'templates', 'skeleton'), { recursive: true });
    await fs.promises.writeFile(
      path.join(dir, 'templates', 'skeleton', 'app.yaml'),
      'name: ${{ values.name }}\n',
    );
    backend = await startBackend({
      locations: [entities, templateFile],
      config: {
        auth: { providers: { 'test-users': {} } },
        kratix: {
          secrets: { creds: testSecret({ git, s3 }) },
          commitMessages: {
            stores: [
              {
                kind: 'GitStateStore',
                name: 'git',
                template: '{{ annotations.ticket }} {{ action }} {{ works | canaries }}',
              },
            ],
          },
        },
      },
    });
    alice = await backend.userToken('alice', ['team-a']);
    await eventually(
      async () => {
        expect((await backend.api('/api/kratix/destinations/dev')).body?.ready).toBe(true);
        expect((await backend.api('/api/kratix/destinations/bucket-dev')).body?.ready).toBe(true);
        expect(
          (await backend.api('/api/catalog/entities/by-name/template/default/ticketed')).status,
        ).toBe(200);
      },
      120_000,
      'Destinations ready and the template in the catalog',
    );
    await fs.promises.writeFile(path.join(repo, 'hooks', 'pre-receive'), TICKET_HOOK, {
      mode: 0o755,
    });
  });
  afterAll(async () => {
    await backend?.stop();
    await git?.stop();
    await s3?.stop();
    if (dir) await fs.promises.rm(dir, { recursive: true, force: true });
  });

  /** Runs the template as alice and waits for its task to end. */
  async function run(values: Record<string, string>) {
    const created = await backend.api('/api/scaffolder/v2/tasks', {
      method: 'POST',
      json: { templateRef: 'template:default/ticketed', values },
      token: alice,
    });
    expect(created.status).toBe(201);
    const task = await eventually(
      async () => {
        const t = await backend.api(`/api/scaffolder/v2/tasks/${created.body.id}`, {
          token: alice,
        });
        expect(t.body.status).toBe('completed');
        return t.body;
      },
      60_000,
      'the task completed',
    );
    return task.id as string;
  }

  it('commits a templated work with its ticket, user, task and template: the hook takes it', async () => {
    const taskId = await run({ name: 'billing', ticket: 'OPS-123' });
    await eventually(
      async () =>
        expect(
          (await readRepo(repo)).get('dev/resources/default/app/billing/ticketed/5058f/app.yaml'),
        ).toBe('name: billing\n'),
      60_000,
      'the file pushed',
    );
    const message = await gitCli(['log', '-1', '--format=%B', 'main'], repo);
    expect(message).toBe(
      [
        'OPS-123 Update default/app-billing-ticketed',
        '',
        'Kratix-Placement: default/app-billing-ticketed.dev-5058f',
        'Kratix-Work: default/app-billing-ticketed',
        'Kratix-Destination: dev',
        'Backstage-User: user:default/alice',
        `Scaffolder-Task: ${taskId}`,
        'Scaffolder-Template: template:default/ticketed',
        '',
        '',
      ].join('\n'),
    );
    const found = await gitCli(
      ['log', '--format=%s', `--grep=Scaffolder-Task: ${taskId}`, 'main'],
      repo,
    );
    expect(found).toBe('OPS-123 Update default/app-billing-ticketed\n');
  });

  it("refuses a work without a ticket with the hook's own words, on the placement, the store, the Destination and the history", async () => {
    await run({ name: 'unbilled', ticket: '' });
    const hook =
      'GitStateStore/git: http://127\\.0\\.0\\.1:\\d+/fleet\\.git refused the push to main \\(pre-receive hook declined\\): commit message must name a ticket \\(e\\.g\\. OPS-123\\)';
    const reason = new RegExp(`^${hook}$`);
    const work = await eventually(
      async () => {
        const w = await backend.api('/api/kratix/works/default/app-unbilled-ticketed');
        expect(w.body.placements[0]?.status).toBe('failed');
        return w.body;
      },
      60_000,
      'the placement failed',
    );
    expect(work.placements[0].lastError).toMatch(reason);
    const store = await backend.api('/api/kratix/statestores/GitStateStore/git');
    expect(store.body).toMatchObject({ ready: true });
    expect(store.body.message).toMatch(
      new RegExp(`^State store is ready, but it refused the changes of 1 placement: ${hook}$`),
    );
    const destination = await backend.api('/api/kratix/destinations/dev');
    expect(destination.body).toMatchObject({ ready: true });
    expect(destination.body.message).toMatch(
      new RegExp(
        `^Test documents written to State Store, but its State Store refused the changes of app-unbilled-ticketed\\.dev-5058f: ${hook}$`,
      ),
    );
    const history = await backend.api('/api/kratix/works/default/app-unbilled-ticketed/history');
    const failed = history.body.items.find((e: any) => e.action === 'failed');
    expect(failed?.message).toMatch(reason);
    expect([...(await readRepo(repo)).keys()].filter(k => k.includes('unbilled'))).toEqual([]);
  });

  it('puts the same facts on S3 objects as metadata', async () => {
    const posted = await backend.api('/api/kratix/works', {
      method: 'POST',
      token: alice,
      json: {
        promise: 'app',
        resource: 'stored',
        pipeline: 'p',
        destinationSelectors: { env: 's3' },
        annotations: { ticket: 'OPS-9' },
        files: [{ path: 'app.yaml', content: 'a: 1\n' }],
      },
    });
    expect(posted.status).toBe(201);
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    const head = await eventually(
      () =>
        client.send(
          new HeadObjectCommand({
            Bucket: 'fleet',
            Key: 'bucket-dev/resources/default/app/stored/p/5058f/app.yaml',
          }),
        ),
      60_000,
      'the object written',
    );
    expect(head.Metadata).toEqual({
      'kratix-placement': 'default/app-stored-p.bucket-dev-5058f',
      'kratix-work': 'default/app-stored-p',
      'backstage-user': 'user:default/alice',
    });
  });
});
