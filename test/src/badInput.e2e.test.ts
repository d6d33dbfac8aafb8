/**
 * The bad-input corpus against the real backend with a real git store and a
 * real bucket: every request is refused with a 4xx naming the field, no
 * response is a 500, and nothing but the canaries ever reaches a store. The
 * entity corpus is in kratix-common (validation.corpus.test.ts), the
 * scaffolder's in its action tests.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

jest.setTimeout(300_000);
const API = 'platform.kratix.io/v1alpha1';

const good = {
  promise: 'app',
  resource: 'r',
  pipeline: 'p',
  files: [{ path: 'ok.yaml', content: 'a: 1\n' }],
};
const withPath = (p: string) => ({ ...good, files: [{ path: p, content: 'x: 1\n' }] });

/** [what, body, status, the field the error must name] */
type Case = [string, unknown, number, string];
const pathCase = (p: string): Case => [
  `path ${JSON.stringify(p)}`,
  withPath(p),
  400,
  'files[0].path',
];

/** The corpus by kind of mistake: [what the kind is, its cases]. */
const GROUPS: [string, Case[]][] = [
  [
    'paths with .git in any case, as any segment',
    [
      '.git/config',
      '.GIT/config',
      '.Git/hooks/pre-commit',
      'a/.git/x',
      'a/.gIt',
      '.git',
      'x/.GIT/HEAD',
      '.git/',
    ].map((p): Case => [`path ${p}`, withPath(p), 400, 'files[0].path']),
  ],
  [
    'paths with control characters, newlines or NUL',
    [
      'a\nb.yaml',
      'a\rb.yaml',
      'a\u0000b',
      'tab\tname',
      'bell\u0007',
      'esc\u001b[0m',
      'del\u007f',
      'c1\u0085x',
      'unit\u001fsep',
      'form\u000cfeed',
    ].map(pathCase),
  ],
  [
    'paths with backslashes, .., absolute, empty or dot segments',
    [
      'a\\b.yaml',
      '..\\x',
      '../x.yaml',
      'a/../../x',
      '/etc/passwd',
      '/abs.yaml',
      '',
      '.',
      './',
      'a/..',
      '..',
      '//x',
    ].map(pathCase),
  ],
  [
    'paths git refuses (fsck, isomorphic-git) or a GitOps reader misreads',
    [
      'git~1/config',
      'GIT~1/x',
      '.git./x',
      '.git /x',
      'a/.git\u200c/x',
      '.kratix-like/../.git/x',
    ].map(pathCase),
  ],
  [
    'keys too long for S3 once prefixed',
    [
      [
        'a 1,100-byte path',
        withPath(`${'d/'.repeat(300)}${'x'.repeat(500)}.yaml`),
        400,
        'files[0].path',
      ],
      ['a 1,025-byte name', withPath(`${'n'.repeat(1025)}`), 400, 'files[0].path'],
      ['a long multibyte path', withPath(`${'é'.repeat(520)}.yaml`), 400, 'files[0].path'],
    ],
  ],
  [
    'bad encodings',
    [
      [
        'invalid base64',
        { ...good, files: [{ path: 'a.bin', content: '%%%not base64', encoding: 'base64' }] },
        400,
        'files[0]',
      ],
      [
        'base64 with spaces inside',
        { ...good, files: [{ path: 'a.bin', content: 'YW Jj\nZA==', encoding: 'base64' }] },
        400,
        'files[0]',
      ],
      [
        'an unknown encoding',
        { ...good, files: [{ path: 'a', content: 'x', encoding: 'gzip' }] },
        400,
        'files[0].encoding',
      ],
      [
        'a lone surrogate',
        { ...good, files: [{ path: 'a.yaml', content: 'x: \ud800' }] },
        400,
        'files[0]',
      ],
      ['a lone surrogate in a path', withPath('a\udc00.yaml'), 400, 'files[0].path'],
    ],
  ],
  [
    'a file beside a directory of its name, and duplicates',
    [
      [
        'a file and a directory of the same name',
        {
          ...good,
          files: [
            { path: 'a', content: 'x' },
            { path: 'a/b', content: 'y' },
          ],
        },
        400,
        'files[1].path',
      ],
      [
        'a directory and a file of the same name',
        {
          ...good,
          files: [
            { path: 'a/b', content: 'x' },
            { path: 'a', content: 'y' },
          ],
        },
        400,
        'files[1].path',
      ],
      [
        'the same path twice',
        {
          ...good,
          files: [
            { path: 'a', content: 'x' },
            { path: 'a', content: 'y' },
          ],
        },
        400,
        'files[1].path',
      ],
      [
        'the same path after cleaning',
        {
          ...good,
          files: [
            { path: 'a/b', content: 'x' },
            { path: 'a//b', content: 'y' },
          ],
        },
        400,
        'files[1].path',
      ],
    ],
  ],
  [
    'file lists of the wrong shape',
    [
      ['no files', { ...good, files: [] }, 400, 'files'],
      ['files not a list', { ...good, files: 'a' }, 400, 'files'],
      ['a file without content', { ...good, files: [{ path: 'a' }] }, 400, 'files[0].content'],
      ['a file without path', { ...good, files: [{ content: 'a' }] }, 400, 'files[0].path'],
      ['a numeric path', { ...good, files: [{ path: 7, content: 'a' }] }, 400, 'files[0].path'],
      [
        'content that is an object',
        { ...good, files: [{ path: 'a', content: { x: 1 } }] },
        400,
        'files[0].content',
      ],
    ],
  ],
  [
    'bad promise, resource, pipeline and namespace names',
    [
      ['no promise', { ...good, promise: undefined }, 400, 'promise'],
      ['an empty promise', { ...good, promise: '' }, 400, 'promise'],
      ['a promise with a slash', { ...good, promise: 'a/b' }, 400, 'promise'],
      ['a promise with upper case', { ...good, promise: 'Redis' }, 400, 'promise'],
      ['a promise with a newline', { ...good, promise: 'a\nb' }, 400, 'promise'],
      ['a promise of 300 characters', { ...good, promise: 'p'.repeat(300) }, 400, 'promise'],
      ['a numeric promise', { ...good, promise: 5 }, 400, 'promise'],
      ['a resource with a slash', { ...good, resource: 'x/y' }, 400, 'resource'],
      ['a resource with a space', { ...good, resource: 'x y' }, 400, 'resource'],
      ['a resource of dots', { ...good, resource: '..' }, 400, 'resource'],
      ['a pipeline with a slash', { ...good, pipeline: '../p' }, 400, 'pipeline'],
      ['a pipeline with upper case', { ...good, pipeline: 'Configure' }, 400, 'pipeline'],
      ['a namespace with upper case', { ...good, namespace: 'Team' }, 400, 'namespace'],
      ['a namespace with a slash', { ...good, namespace: 'a/b' }, 400, 'namespace'],
      ['a namespace of 70 characters', { ...good, namespace: 'n'.repeat(70) }, 400, 'namespace'],
    ],
  ],
  [
    'selectors of the wrong shape',
    [
      [
        'selectors as a list',
        { ...good, destinationSelectors: ['env=dev'] },
        400,
        'destinationSelectors',
      ],
      [
        'selectors as a string',
        { ...good, destinationSelectors: 'env=dev' },
        400,
        'destinationSelectors',
      ],
      [
        'a selector value that is an object',
        { ...good, destinationSelectors: { env: { a: 1 } } },
        400,
        'destinationSelectors',
      ],
      [
        'a selector key with a space',
        { ...good, destinationSelectors: { 'bad key': 'x' } },
        400,
        'destinationSelectors',
      ],
      [
        'a selector value with a newline',
        { ...good, destinationSelectors: { env: 'a\nb' } },
        400,
        'destinationSelectors',
      ],
      [
        'a selector value of 70 characters',
        { ...good, destinationSelectors: { env: 'v'.repeat(70) } },
        400,
        'destinationSelectors',
      ],
      ['promiseSelectors as a list', { ...good, promiseSelectors: [1] }, 400, 'promiseSelectors'],
      [
        'promiseWorkflowSelectors as a string',
        { ...good, promiseWorkflowSelectors: 'x' },
        400,
        'promiseWorkflowSelectors',
      ],
    ],
  ],
  [
    'bad workload groups',
    [
      ['workloadGroups not a list', { ...good, workloadGroups: {} }, 400, 'workloadGroups'],
      [
        'a workload group at the root',
        { ...good, workloadGroups: [{ directory: '.' }] },
        400,
        'workloadGroups[0].directory',
      ],
      [
        'a workload group leaving the work',
        { ...good, workloadGroups: [{ directory: '../x' }] },
        400,
        'workloadGroups[0].directory',
      ],
      [
        'a workload group under .git',
        { ...good, workloadGroups: [{ directory: '.git' }] },
        400,
        'workloadGroups[0].directory',
      ],
      [
        'a workload group with a newline',
        { ...good, workloadGroups: [{ directory: 'a\nb' }] },
        400,
        'workloadGroups[0].directory',
      ],
      [
        'a workload group without directory',
        { ...good, workloadGroups: [{}] },
        400,
        'workloadGroups[0].directory',
      ],
      [
        'two workload groups, one inside the other',
        {
          ...good,
          files: [{ path: 'a/b/c', content: 'x' }],
          workloadGroups: [{ directory: 'a' }, { directory: 'a/b' }],
        },
        400,
        'workloadGroups[1]',
      ],
      [
        'the same workload group twice',
        {
          ...good,
          files: [{ path: 'a/c', content: 'x' }],
          workloadGroups: [{ directory: 'a' }, { directory: 'a/' }],
        },
        400,
        'workloadGroups[1]',
      ],
      [
        'a workload group with bad selectors',
        { ...good, workloadGroups: [{ directory: 'a', destinationSelectors: 'x' }] },
        400,
        'workloadGroups[0].destinationSelectors',
      ],
    ],
  ],
  [
    'bodies that are not an object',
    [
      ['a body that is a list', [good], 400, 'body'],
      ['a body that is null', null, 400, 'body'],
      ['a body that is a string', 'work', 400, 'body'],
    ],
  ],
];
const CASES: Case[] = GROUPS.flatMap(([, cases]) => cases);
/** The first 40 cases, also sent one per bulk request, by kind. */
const BULK_GROUPS: [string, Case[]][] = GROUPS.map(([kind, cases]): [string, Case[]] => [
  kind,
  cases.filter(c => CASES.indexOf(c) < 40),
]).filter(([, cases]) => cases.length > 0);

/** Canaries, and the files of the good works the none-mode tests write. */
const CANARY = /kratix-canary-(namespace|configmap)\.yaml$/;
const GOOD =
  /(^|\/)(shared\.yaml|contested\.yaml|three\.yaml|five\.yaml|aggregated\.yaml|\.kratix\/default-flat-(one|owner|three|five)-p\.[a-z0-9-]+-5058f\.yaml|resources\/default\/flat\/one\/p\/5058f\/shared\.yaml)$/;
/** A request to the kratix API in the backend's request log, and one answered with a 5xx. */
const REQUEST = /"(GET|POST|DELETE) \/api\/kratix[^"]*" \d\d\d /;
const FAILED = /"(GET|POST|DELETE) \/api\/kratix[^"]*" 5\d\d /;

describe('the bad-input corpus (real backend, real git and S3)', () => {
  let git: GitServer;
  let s3: S3Server;
  let backend: RunningBackend;
  let dir: string;
  let repo: string;
  const dest = (name: string, store: Record<string, string>, mode = 'nestedByMetadata') => ({
    apiVersion: API,
    kind: 'Destination',
    metadata: { name, labels: { target: name } },
    spec: { path: name, stateStoreRef: store, filepath: { mode } },
  });

  beforeAll(async () => {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-corpus-'));
    git = await startGitServer({ root: path.join(dir, 'git') });
    s3 = await startS3Server({ directory: path.join(dir, 's3'), buckets: ['corpus'] });
    const url = await git.createRepo('corpus');
    repo = git.repoPath('corpus');
    const file = path.join(dir, 'entities.yaml');
    const onGit = { kind: 'GitStateStore', name: 'git' };
    const onS3 = { kind: 'BucketStateStore', name: 's3' };
    await writeEntities(file, [
      {
        apiVersion: API,
        kind: 'GitStateStore',
        metadata: { name: 'git' },
        spec: { url, secretRef: { name: 'git' } },
      },
      {
        apiVersion: API,
        kind: 'BucketStateStore',
        metadata: { name: 's3' },
        spec: { endpoint: s3.endpoint, bucketName: 'corpus', secretRef: { name: 's3' } },
      },
      dest('git-nested', onGit),
      dest('git-flat', onGit, 'none'),
      dest('git-agg', onGit, 'aggregatedYAML'),
      dest('s3-nested', onS3),
      dest('s3-flat', onS3, 'none'),
    ]);
    backend = await startBackend({
      locations: [file],
      config: {
        kratix: {
          secrets: {
            git: testSecret({ git }),
            s3: testSecret({ s3 }),
          },
        },
      },
    });
    await readyDestinations(backend, 5);
  });
  afterAll(async () => {
    await backend?.stop();
    await git?.stop();
    await s3?.stop();
    if (dir) await fs.promises.rm(dir, { recursive: true, force: true });
  });

  /** Every key in the repository and the bucket. */
  const storeKeys = async () =>
    new Set([
      ...(await readRepo(repo)).keys(),
      ...(await bucketObjects(s3.endpoint, 'corpus')).keys(),
    ]);

  /**
   * Notes the stores and the request log before a test sends anything; `check`
   * then asserts, after the store runs a write would take, that the test's
   * requests are all in the log, none was answered with a 5xx, and nothing but
   * canaries and the good works reached a store since.
   */
  async function watch() {
    const before = await storeKeys();
    const from = backend.logs().length;
    return {
      async check(requests: number) {
        await new Promise(r => setTimeout(r, 3000));
        const lines = backend.logs().slice(from).split('\n');
        expect(lines.filter(l => REQUEST.test(l)).length).toBeGreaterThanOrEqual(requests);
        expect(lines.filter(l => FAILED.test(l))).toEqual([]);
        const added = [...(await storeKeys())].filter(k => !before.has(k));
        expect(added.filter(k => !CANARY.test(k) && !GOOD.test(k))).toEqual([]);
      },
    };
  }

  /** A work of promise `flat` on the none-mode Destination s3-flat, with one file. */
  const flatWork = (resource: string, p: string, content = `owner: ${resource}\n`) => ({
    promise: 'flat',
    resource,
    pipeline: 'p',
    destinationSelectors: { target: 's3-flat' },
    files: [{ path: p, content }],
  });
  const submit = (json: unknown) => backend.api('/api/kratix/works', { method: 'POST', json });

  it('has at least 60 work requests in its corpus', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
  });

  it.each(GROUPS)(
    'refuses %s with a 4xx naming the field; nothing reaches a store, no 5xx',
    async (_kind, cases) => {
      const watching = await watch();
      const got = [];
      for (const [what, body] of cases) {
        const res = await submit(body);
        const dry = await backend.api('/api/kratix/works?dryRun=true', {
          method: 'POST',
          json: body,
        });
        got.push([what, res.status, res.body?.error?.message, dry.status]);
      }
      expect(got).toEqual(
        cases.map(([what, , status, field]) => [
          what,
          status,
          expect.stringContaining(field),
          status,
        ]),
      );
      await watching.check(cases.length * 2);
    },
  );

  it.each(BULK_GROUPS)(
    'refuses %s in a bulk request, alone among good works; nothing reaches a store, no 5xx',
    async (_kind, cases) => {
      const watching = await watch();
      const got = [];
      for (const [what, body] of cases) {
        const res = await backend.api('/api/kratix/works/bulk', {
          method: 'POST',
          json: { items: [body] },
        });
        got.push([
          what,
          res.status,
          res.body?.items?.[0]?.status,
          res.body?.items?.[0]?.error?.message,
        ]);
      }
      expect(got).toEqual(
        cases.map(([what, , status, field]) => [what, 200, status, expect.stringContaining(field)]),
      );
      await watching.check(cases.length);
    },
  );

  it('answers a body that is not JSON with 415 naming the content type', async () => {
    const watching = await watch();
    const res = await backend.api('/api/kratix/works', {
      method: 'POST',
      body: 'promise: app',
      headers: { 'content-type': 'text/yaml' },
    });
    expect(res.status).toBe(415);
    expect(res.body.error.message).toContain('application/json');
    await watching.check(1);
  });

  it('answers malformed JSON with 400', async () => {
    const watching = await watch();
    const res = await backend.api('/api/kratix/works', {
      method: 'POST',
      body: '{"promise": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    await watching.check(1);
  });

  it('refuses, in none mode, reserved names (400)', async () => {
    const watching = await watch();
    const reserved = [
      '.kratix/x.yaml',
      '.kratix/default-flat-one-p.s3-flat-5058f.yaml',
      'kratix-canary-namespace.yaml',
      'kratix-canary-configmap.yaml',
    ];
    const got = [];
    for (const p of reserved) {
      const res = await submit(flatWork('reserved', p));
      got.push([p, res.status, res.body?.error?.message]);
    }
    expect(got).toEqual(reserved.map(p => [p, 400, expect.stringContaining('files')]));
    await watching.check(reserved.length);
  });

  it("refuses, in none mode, another work's file (409); the first work's file stays", async () => {
    const watching = await watch();
    expect((await submit(flatWork('one', 'shared.yaml'))).status).toBe(201);
    const clash = await submit(flatWork('two', 'shared.yaml', 'owner: two\n'));
    expect(clash.status).toBe(409);
    expect(clash.body.error.message).toContain('default/flat-one-p');
    await eventually(
      async () =>
        expect((await bucketObjects(s3.endpoint, 'corpus')).get('s3-flat/shared.yaml')).toBe(
          'owner: one\n',
        ),
      30_000,
      'the first work written',
    );
    // Deleting the refused work's name changes nothing; the first work's file stays.
    expect(
      (await backend.api('/api/kratix/works/default/flat-two-p', { method: 'DELETE' })).status,
    ).toBe(404);
    await watching.check(3);
  });

  it('answers each work of a bulk request on its own: a clash among good works refuses only that one', async () => {
    const watching = await watch();
    expect((await submit(flatWork('owner', 'contested.yaml'))).status).toBe(201);
    const res = await backend.api('/api/kratix/works/bulk', {
      method: 'POST',
      json: {
        items: [
          flatWork('three', 'three.yaml'),
          flatWork('four', 'contested.yaml'),
          flatWork('five', 'five.yaml'),
        ],
      },
    });
    expect(res.body.items.map((i: any) => i.status)).toEqual([201, 409, 201]);
    expect(res.body.items[1].error.message).toContain('default/flat-owner-p');
    await eventually(
      async () => {
        const objects = await bucketObjects(s3.endpoint, 'corpus');
        expect([
          objects.get('s3-flat/three.yaml'),
          objects.get('s3-flat/five.yaml'),
          objects.get('s3-flat/contested.yaml'),
        ]).toEqual(['owner: three\n', 'owner: five\n', 'owner: owner\n']);
      },
      30_000,
      'the good works of the bulk written',
    );
    await watching.check(2);
  });
});
