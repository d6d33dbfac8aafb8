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

/**
 * Entities the catalog must refuse, each with the exact message of its
 * processing error (GET /api/kratix/catalog-errors); none is
 * ingested. `owner-block` is written as raw YAML below: `owner: |` gives
 * "team-a\n".
 */
const BAD_ENTITIES: [string, object | undefined, string][] = [
  [
    'destination:default/owner-block',
    undefined,
    'Destination "owner-block" is invalid: spec.owner: "team-a\\n" is not an entity reference (it contains the control character U+000A (newline); the name "team-a\\n" is not at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit); write [kind:][namespace/]name, e.g. group:default/team-a or team-a',
  ],
  [
    'destination:default/owner-injected',
    { owner: 'group:team-a\nX-Injected: 1' },
    'Destination "owner-injected" is invalid: spec.owner: "group:team-a\\nX-Injected: 1" is not an entity reference (it contains the control character U+000A (newline); the name "team-a\\nX-Injected: 1" is not at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit); write [kind:][namespace/]name, e.g. group:default/team-a or team-a',
  ],
  [
    'destination:default/owner-namespace',
    { owner: 'group:Platform Team/team-a' },
    'Destination "owner-namespace" is invalid: spec.owner: "group:Platform Team/team-a" is not an entity reference (the namespace "Platform Team" is not at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit); write [kind:][namespace/]name, e.g. group:default/team-a or team-a',
  ],
  [
    'destination:default/store-escape',
    { stateStoreRef: { kind: 'GitStateStore', name: '../probe-git' } },
    'Destination "store-escape" is invalid: spec.stateStoreRef.name: "../probe-git" is not a Kubernetes object name, as the name of a Kratix State Store must be; use at most 253 lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, e.g. demo-git',
  ],
  [
    'destination:default/store-upper',
    { stateStoreRef: { kind: 'BucketStateStore', name: 'S3_Store' } },
    'Destination "store-upper" is invalid: spec.stateStoreRef.name: "S3_Store" is not a Kubernetes object name, as the name of a Kratix State Store must be; use at most 253 lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, e.g. demo-git',
  ],
  [
    'gitstatestore:default/secret-escape',
    { secretRef: { name: '../probe-git' } },
    'GitStateStore "secret-escape" is invalid: spec.secretRef.name: "../probe-git" is not a valid secret name: it must be a Kubernetes object name, as Kratix\'s secretRef names a Secret (at most 253 lowercase letters, digits, "-" and ".", starting and ending with a letter or digit), and a key under kratix.secrets in app-config (Backstage config keys are letters and digits joined by single "-", "_" or ":", starting with a letter; a "." would be read as a nested key); rename it, e.g. probe-git',
  ],
  [
    'gitstatestore:default/secret-upper',
    { secretRef: { name: 'Git_Creds' } },
    'GitStateStore "secret-upper" is invalid: spec.secretRef.name: "Git_Creds" is not a valid secret name: it must be a Kubernetes object name, as Kratix\'s secretRef names a Secret (at most 253 lowercase letters, digits, "-" and ".", starting and ending with a letter or digit), and a key under kratix.secrets in app-config (Backstage config keys are letters and digits joined by single "-", "_" or ":", starting with a letter); rename it, e.g. git-creds',
  ],
  [
    'bucketstatestore:default/bucket-secret',
    { secretRef: { name: 'S3:creds' } },
    'BucketStateStore "bucket-secret" is invalid: spec.secretRef.name: "S3:creds" is not a valid secret name: it must be a Kubernetes object name, as Kratix\'s secretRef names a Secret (at most 253 lowercase letters, digits, "-" and ".", starting and ending with a letter or digit), and a key under kratix.secrets in app-config (Backstage config keys are letters and digits joined by single "-", "_" or ":", starting with a letter); rename it, e.g. s3-creds',
  ],
  [
    'gitstatestore:default/ssh-over-http',
    { authMethod: 'ssh', url: 'http://127.0.0.1:8470/state.git' },
    'GitStateStore "ssh-over-http" is invalid: spec.authMethod: ssh needs an ssh:// or git@host:path URL, but spec.url is "http://127.0.0.1:8470/state.git"; use the repository\'s SSH URL, e.g. git@github.com:org/repo.git, or set spec.authMethod: basicAuth for an http(s):// URL',
  ],
  [
    'gitstatestore:default/basic-over-ssh',
    { url: 'ssh://127.0.0.1:2222/state.git' },
    'GitStateStore "basic-over-ssh" is invalid: spec.authMethod: basicAuth (the default) needs the repository\'s http(s):// URL, but spec.url "ssh://127.0.0.1:2222/state.git" is an SSH URL; set spec.authMethod: ssh (with sshPrivateKey and knownHosts in kratix.secrets), or use the repository\'s https:// URL',
  ],
];
const OWNER_BLOCK = `apiVersion: platform.kratix.io/v1alpha1
kind: Destination
metadata:
  name: owner-block
spec:
  path: owner-block
  stateStoreRef: {kind: GitStateStore, name: git}
  owner: |
    team-a
`;

/** A work request the API must refuse: [what, body (JSON text or a value), status, the exact message]. */
type ExactCase = [string, unknown, number, string];
const rawJson = (text: string) => ({ raw: text });
const goodText = (extra: string) =>
  `{"promise":"app","resource":"sel","pipeline":"p","files":[{"path":"ok.yaml","content":"a: 1\\n"}]${extra}}`;
const RESERVED = (field: string, key: string) =>
  `${field}: key "${key}" is reserved (every JavaScript object has it) and cannot be a selector; use a label key such as environment`;
const EXACT_GROUPS: [string, ExactCase[]][] = [
  [
    'an empty resource, which would make a dependency work',
    [
      [
        'resource ""',
        { ...good, resource: '' },
        400,
        'resource: must not be empty; leave it out for a dependency work',
      ],
      [
        'resource "" with a namespace',
        { ...good, resource: '', namespace: 'team-a' },
        400,
        'resource: must not be empty; leave it out for a dependency work',
      ],
    ],
  ],
  [
    'selector keys zod would drop or misread (checked on the raw body)',
    [
      [
        'destinationSelectors {"__proto__": {...}}',
        rawJson(goodText(',"destinationSelectors":{"__proto__":{"target":"git-nested"}}')),
        400,
        RESERVED('destinationSelectors', '__proto__'),
      ],
      [
        'destinationSelectors {"__proto__": "x"}',
        rawJson(goodText(',"destinationSelectors":{"__proto__":"x","target":"git-nested"}')),
        400,
        RESERVED('destinationSelectors', '__proto__'),
      ],
      [
        'destinationSelectors {"constructor": "x"}',
        rawJson(goodText(',"destinationSelectors":{"constructor":"x"}')),
        400,
        RESERVED('destinationSelectors', 'constructor'),
      ],
      [
        'promiseSelectors [{"__proto__": {}}]',
        rawJson(goodText(',"promiseSelectors":[{"target":"git-nested"},{"__proto__":{}}]')),
        400,
        RESERVED('promiseSelectors[1]', '__proto__'),
      ],
      [
        'promiseWorkflowSelectors [{"prototype": "x"}]',
        rawJson(goodText(',"promiseWorkflowSelectors":[{"prototype":"x"}]')),
        400,
        RESERVED('promiseWorkflowSelectors[0]', 'prototype'),
      ],
      [
        'workloadGroups[0].destinationSelectors {"__proto__": {...}}',
        rawJson(
          '{"promise":"app","resource":"sel","pipeline":"p","files":[{"path":"g/a.yaml","content":"a"}],"workloadGroups":[{"directory":"g","destinationSelectors":{"__proto__":{"x":"y"}}}]}',
        ),
        400,
        RESERVED('workloadGroups[0].destinationSelectors', '__proto__'),
      ],
    ],
  ],
];

const GOOD_DESTINATIONS = ['git-agg', 'git-flat', 'git-nested', 's3-flat', 's3-nested'];

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
      ...BAD_ENTITIES.filter(([, spec]) => spec).map(([ref, spec]) => {
        const [kind, name] = ref.split(/:default\//);
        if (kind === 'destination')
          return { ...dest(name, onGit), spec: { ...dest(name, onGit).spec, ...spec } };
        const base =
          kind === 'gitstatestore'
            ? { kind: 'GitStateStore', spec: { url, secretRef: { name: 'git' } } }
            : {
                kind: 'BucketStateStore',
                spec: { endpoint: s3.endpoint, bucketName: 'corpus', secretRef: { name: 's3' } },
              };
        return {
          apiVersion: API,
          kind: base.kind,
          metadata: { name },
          spec: { ...base.spec, ...spec },
        };
      }),
    ]);
    await fs.promises.appendFile(file, `---\n${OWNER_BLOCK}`);
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
    // The five good ones; the bad entities must never be among them (checked below).
    await eventually(
      async () => {
        const { body } = await backend.api('/api/kratix/destinations?limit=500');
        const ready = body.items.filter((d: any) => d.ready).map((d: any) => d.name);
        expect(GOOD_DESTINATIONS.filter(n => !ready.includes(n))).toEqual([]);
      },
      120_000,
      'the five Destinations ready',
    );
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
  /** Sends a case's body: a value as JSON, `{raw}` as the JSON text itself (keys such as `__proto__` intact). */
  const send = (p: string, body: unknown) =>
    body && typeof body === 'object' && 'raw' in body
      ? backend.api(p, {
          method: 'POST',
          body: (body as { raw: string }).raw,
          headers: { 'content-type': 'application/json' },
        })
      : backend.api(p, { method: 'POST', json: body });

  it('refuses Destinations and State Stores with bad owners, store and secret names, or an auth method that contradicts the URL; none is ingested', async () => {
    const errors = await eventually(
      async () => {
        const res = await backend.api('/api/kratix/catalog-errors');
        expect(res.status).toBe(200);
        const byRef = new Map<string, string[]>(
          (res.body.items as any[]).map(i => [i.entityRef, i.errors]),
        );
        expect(BAD_ENTITIES.filter(([ref]) => !byRef.has(ref)).map(([ref]) => ref)).toEqual([]);
        return byRef;
      },
      60_000,
      'the processing errors of every bad entity',
    );
    expect(BAD_ENTITIES.map(([ref]) => [ref, errors.get(ref)])).toEqual(
      BAD_ENTITIES.map(([ref, , message]) => [
        ref,
        [
          `Processor KratixEntitiesProcessor threw an error while validating the entity ${ref}; caused by Error: ${message}`,
        ],
      ]),
    );
    for (const [ref] of BAD_ENTITIES) {
      const [kind, name] = ref.split(/:default\//);
      const res = await backend.api(`/api/catalog/entities/by-name/${kind}/default/${name}`);
      expect([ref, res.status]).toEqual([ref, 404]);
    }
    expect(
      (await backend.api('/api/kratix/destinations?limit=500')).body.items.map((d: any) => d.name),
    ).toEqual(GOOD_DESTINATIONS);
  });

  it.each(EXACT_GROUPS)(
    'refuses %s with the exact status and message; nothing reaches a store, no 5xx',
    async (_kind, cases) => {
      const watching = await watch();
      const got = [];
      for (const [what, body] of cases) {
        const res = await send('/api/kratix/works', body);
        const dry = await send('/api/kratix/works?dryRun=true', body);
        const bulkBody =
          body && typeof body === 'object' && 'raw' in body
            ? { raw: `{"items":[${(body as { raw: string }).raw}]}` }
            : { items: [body] };
        const bulk = await send('/api/kratix/works/bulk', bulkBody);
        got.push([
          what,
          res.status,
          res.body?.error?.message,
          dry.status,
          dry.body?.error?.message,
          bulk.body?.items?.[0]?.status,
          bulk.body?.items?.[0]?.error?.message,
        ]);
      }
      expect(got).toEqual(
        cases.map(([what, , status, message]) => [
          what,
          status,
          message,
          status,
          message,
          status,
          message,
        ]),
      );
      await watching.check(cases.length * 3);
    },
  );

  it('refuses a JSON body that is not UTF-8 with 400 naming the byte offset', async () => {
    const watching = await watch();
    const message = (offset: number, byte: string) =>
      `body: the byte at offset ${offset} (${byte}) is not valid UTF-8; send the JSON as UTF-8 text, and binary file content as base64 with encoding: base64`;
    const cases: [string, string, number[], string, string][] = [
      ['0xFF in a file content', goodText('').replace('a: 1', 'a: '), [0xff, 0xfe], 'a: ', '0xFF'],
      ['a lone continuation byte in a path', goodText(''), [0x80], 'ok', '0x80'],
      ['an overlong "/" in a path', goodText(''), [0xc0, 0xaf], 'ok', '0xC0'],
      ['an encoded surrogate in a content', goodText(''), [0xed, 0xa0, 0x80], 'a: 1', '0xED'],
      ['a sequence cut short in a promise', goodText(''), [0xe2, 0x82], 'app', '0xE2'],
      [
        'a byte beyond U+10FFFF in a resource',
        goodText(''),
        [0xf5, 0x80, 0x80, 0x80],
        'sel',
        '0xF5',
      ],
    ];
    const got = [];
    for (const [what, text, bytes, after, byte] of cases) {
      const at = text.indexOf(after) + after.length;
      const body = Buffer.concat([
        Buffer.from(text.slice(0, at)),
        Buffer.from(bytes),
        Buffer.from(text.slice(at)),
      ]);
      const offset = Buffer.byteLength(text.slice(0, at));
      for (const p of ['/api/kratix/works', '/api/kratix/works?dryRun=true']) {
        const res = await backend.api(p, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json' },
        });
        got.push([what, p, res.status, res.body?.error?.message, message(offset, byte)]);
      }
    }
    expect(got.map(([what, p, status, m]) => [what, p, status, m])).toEqual(
      got.map(([what, p, , , m]) => [what, p, 400, m]),
    );
    // In a bulk request the whole body is refused.
    const bulk = await backend.api('/api/kratix/works/bulk', {
      method: 'POST',
      body: Buffer.concat([
        Buffer.from('{"items":[{"promise":"'),
        Buffer.from([0xff]),
        Buffer.from('"}]}'),
      ]),
      headers: { 'content-type': 'application/json' },
    });
    expect([bulk.status, bulk.body?.error?.message]).toEqual([400, message(22, '0xFF')]);
    await watching.check(cases.length * 2 + 1);
  });

  it('answers JSON in another charset than UTF-8 with 415 naming the charset', async () => {
    const watching = await watch();
    const message = (charset: string) =>
      `Content-Type: charset "${charset}" is not supported; send the JSON body encoded as UTF-8, with Content-Type: application/json or application/json; charset=utf-8`;
    const cases: [string, Buffer, string][] = [
      ['application/json; charset=utf-16', Buffer.from(JSON.stringify(good), 'utf16le'), 'utf-16'],
      [
        'application/json; charset="UTF-16LE"',
        Buffer.from(JSON.stringify(good), 'utf16le'),
        'utf-16le',
      ],
      [
        'application/json;charset=ISO-8859-1',
        Buffer.from(JSON.stringify(good), 'latin1'),
        'iso-8859-1',
      ],
      ['application/json; charset=latin1', Buffer.from(JSON.stringify(good), 'latin1'), 'latin1'],
      ['application/json; charset=utf8', Buffer.from(JSON.stringify(good)), 'utf8'],
    ];
    const got = [];
    for (const [type, body, charset] of cases) {
      for (const p of ['/api/kratix/works', '/api/kratix/works/bulk']) {
        const res = await backend.api(p, {
          method: 'POST',
          body,
          headers: { 'content-type': type },
        });
        got.push([type, p, res.status, res.body?.error?.message, message(charset)]);
      }
    }
    expect(got.map(([type, p, status, m]) => [type, p, status, m])).toEqual(
      got.map(([type, p, , , m]) => [type, p, 415, m]),
    );
    // UTF-8, said or not, is read.
    for (const type of ['application/json; charset=utf-8', 'application/json; charset="UTF-8"']) {
      const res = await backend.api('/api/kratix/works?dryRun=true', {
        method: 'POST',
        body: JSON.stringify({ ...good, destinationSelectors: { target: 'nowhere' } }),
        headers: { 'content-type': type },
      });
      expect([type, res.status]).toEqual([type, 200]);
    }
    await watching.check(cases.length * 2 + 2);
  });

  /** A work no Destination matches: created, pending, and nothing written. */
  const pending = (resource: string, extra: Record<string, unknown> = {}) => ({
    ...good,
    resource,
    destinationSelectors: { target: 'nowhere' },
    ...extra,
  });

  it('refuses the same work twice in one bulk request from its second item on, naming the first', async () => {
    const watching = await watch();
    const res = await backend.api('/api/kratix/works/bulk', {
      method: 'POST',
      json: {
        items: [
          pending('twice-a'),
          pending('twice-b'),
          pending('twice-a', { files: [{ path: 'other.yaml', content: 'b: 2\n' }] }),
          pending('twice-b'),
          pending('twice-a'),
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: any) => [i.status, i.error?.message])).toEqual([
      [201, undefined],
      [201, undefined],
      [
        400,
        'items[2]: is the work default/app-twice-a-p again (items[0] is the same work); send each work once per bulk request',
      ],
      [
        400,
        'items[3]: is the work default/app-twice-b-p again (items[1] is the same work); send each work once per bulk request',
      ],
      [
        400,
        'items[4]: is the work default/app-twice-a-p again (items[0] is the same work); send each work once per bulk request',
      ],
    ]);
    // The first item is what was stored.
    const stored = await backend.api('/api/kratix/works/default/app-twice-a-p');
    expect(stored.status).toBe(200);
    await watching.check(2);
  });

  it('refuses a bulk request that asks for a preview, writing nothing', async () => {
    const watching = await watch();
    const cases: [string, string, unknown, string][] = [
      [
        'an item with dryRun: true',
        '/api/kratix/works/bulk',
        { items: [pending('dry-a'), pending('dry-b', { dryRun: true })] },
        'items[1].dryRun: a bulk request cannot preview; use POST /works?dryRun=true',
      ],
      [
        'two items with dryRun',
        '/api/kratix/works/bulk',
        { items: [pending('dry-a', { dryRun: true }), pending('dry-b', { dryRun: 'true' })] },
        'items[0].dryRun: a bulk request cannot preview; use POST /works?dryRun=true; items[1].dryRun: a bulk request cannot preview; use POST /works?dryRun=true',
      ],
      [
        '?dryRun=true on the bulk URL',
        '/api/kratix/works/bulk?dryRun=true',
        { items: [pending('dry-a')] },
        'dryRun: a bulk request cannot preview; use POST /works?dryRun=true',
      ],
    ];
    const got = [];
    for (const [what, p, body] of cases) {
      const res = await backend.api(p, { method: 'POST', json: body });
      got.push([what, res.status, res.body?.error?.message]);
    }
    expect(got).toEqual(cases.map(([what, , , message]) => [what, 400, message]));
    for (const name of ['app-dry-a-p', 'app-dry-b-p']) {
      expect([name, (await backend.api(`/api/kratix/works/default/${name}`)).status]).toEqual([
        name,
        404,
      ]);
    }
    await watching.check(cases.length);
  });

  it("refuses a cursor that is not a previous page's, on every paged list", async () => {
    const watching = await watch();
    const refusal = (shown: string) =>
      `cursor: ${shown} is not a cursor from a previous page; leave it out for the first page`;
    const b64 = (text: string) => Buffer.from(text).toString('base64url');
    const lists = [
      '/api/kratix/works',
      '/api/kratix/destinations',
      '/api/kratix/destinations/git-nested/placements',
      '/api/kratix/destinations/git-nested',
    ];
    const cursors: [string, string, string][] = [
      ['garbage', 'cursor=garbage', '"garbage"'],
      ['a number', 'cursor=42', '"42"'],
      ['a JSON object', `cursor=${encodeURIComponent('{"a":1}')}`, '"{\\"a\\":1}"'],
      ['["x"] as text', `cursor=${encodeURIComponent('["x"]')}`, '"[\\"x\\"]"'],
      ['[] as text', 'cursor=%5B%5D', '"[]"'],
      ['an encoded []', `cursor=${b64('[]')}`, `"${b64('[]')}"`],
      ['an encoded object', `cursor=${b64('{"a":"b"}')}`, `"${b64('{"a":"b"}')}"`],
      ['an encoded list of three', `cursor=${b64('["a","b","c"]')}`, `"${b64('["a","b","c"]')}"`],
      ['an encoded list with a number', `cursor=${b64('["a",1]')}`, `"${b64('["a",1]')}"`],
    ];
    const got = [];
    const want = [];
    for (const list of lists) {
      for (const [what, query, shown] of cursors) {
        const res = await backend.api(`${list}?${query}`);
        got.push([list, what, res.status, res.body?.error?.message]);
        want.push([list, what, 400, refusal(shown)]);
      }
      const twice = await backend.api(`${list}?cursor=a&cursor=b`);
      got.push([list, 'given twice', twice.status, twice.body?.error?.message]);
      want.push([
        list,
        'given twice',
        400,
        'cursor: ["a","b"] is not a cursor from a previous page (give it once, as the previous page\'s nextCursor); leave it out for the first page',
      ]);
    }
    // A list's own cursor of another list: a Destination's on works, a work's on Destinations.
    const destinationCursor = (await backend.api('/api/kratix/destinations?limit=1')).body
      .nextCursor;
    const onWorks = await backend.api(`/api/kratix/works?cursor=${destinationCursor}`);
    got.push(['works', 'a Destination cursor', onWorks.status, onWorks.body?.error?.message]);
    want.push(['works', 'a Destination cursor', 400, refusal(`"${destinationCursor}"`)]);
    const workCursor = b64('["default","app-r-p"]');
    const onDestinations = await backend.api(`/api/kratix/destinations?cursor=${workCursor}`);
    got.push([
      'destinations',
      'a work cursor',
      onDestinations.status,
      onDestinations.body?.error?.message,
    ]);
    want.push(['destinations', 'a work cursor', 400, refusal(`"${workCursor}"`)]);
    expect(got).toEqual(want);
    // The cursors the lists give still page.
    const next = await backend.api(`/api/kratix/destinations?limit=2&cursor=${destinationCursor}`);
    expect([next.status, next.body.items.map((d: any) => d.name)]).toEqual([
      200,
      ['git-flat', 'git-nested'],
    ]);
    await watching.check(want.length);
  });

  it('matches %, _ and \\ in a search as themselves, not as wildcards', async () => {
    const watching = await watch();
    const got = [];
    for (const p of [
      '/api/kratix/destinations?search=%25',
      '/api/kratix/destinations?search=_',
      '/api/kratix/destinations?search=git_',
      '/api/kratix/destinations?search=%5C',
      '/api/kratix/works?search=%25',
      '/api/kratix/works?search=_',
      '/api/kratix/works?search=%5C',
    ]) {
      const res = await backend.api(p);
      got.push([p, res.status, res.body?.items?.length, res.body?.totalCount]);
    }
    expect(got).toEqual(got.map(([p]) => [p, 200, 0, 0]));
    const onGit = await backend.api('/api/kratix/destinations?search=git-');
    expect(onGit.body.items.map((d: any) => d.name)).toEqual(['git-agg', 'git-flat', 'git-nested']);
    await watching.check(got.length + 1);
  });

  it('refuses a control character in any query parameter with 400 naming it', async () => {
    const watching = await watch();
    const cases: [string, number, string][] = [
      [
        '/api/kratix/works?search=a%00b',
        400,
        'search: "a\\u0000b" contains the control character U+0000 (NUL); remove it',
      ],
      [
        '/api/kratix/destinations?search=%00',
        400,
        'search: "\\u0000" contains the control character U+0000 (NUL); remove it',
      ],
      [
        '/api/kratix/destinations?search=x%0Ay',
        400,
        'search: "x\\ny" contains the control character U+000A (newline); remove it',
      ],
      [
        '/api/kratix/works?search=%C2%85',
        400,
        'search: "\\u0085" contains the control character U+0085; remove it',
      ],
      [
        '/api/kratix/works?namespace=%1B',
        400,
        'namespace: "\\u001b" contains the control character U+001B; remove it',
      ],
      [
        '/api/kratix/works?promise=a%00&resource=r',
        400,
        'promise: "a\\u0000" contains the control character U+0000 (NUL); remove it',
      ],
      [
        '/api/kratix/works?destination=git-nested%09',
        400,
        'destination: "git-nested\\t" contains the control character U+0009 (tab); remove it',
      ],
      [
        '/api/kratix/works?cursor=%00',
        400,
        'cursor: "\\u0000" contains the control character U+0000 (NUL); remove it',
      ],
      [
        '/api/kratix/works?limit=1%00',
        400,
        'limit: "1\\u0000" contains the control character U+0000 (NUL); remove it',
      ],
      [
        '/api/kratix/destinations?stateStore=%00',
        400,
        'stateStore: "\\u0000" contains the control character U+0000 (NUL); remove it',
      ],
      [
        '/api/kratix/destinations/git-nested/files/content?path=a%00b',
        400,
        'path: "a\\u0000b" contains the control character U+0000 (NUL); remove it',
      ],
      [
        '/api/kratix/statestores/GitStateStore/git?namespace=de%7Ffault',
        400,
        'namespace: "de\\u007Ffault" contains the control character U+007F (DEL); remove it',
      ],
      [
        '/api/kratix/works?search=a&search=b%00',
        400,
        'search[1]: "b\\u0000" contains the control character U+0000 (NUL); remove it',
      ],
      [
        '/api/kratix/works?x%00y=1',
        400,
        'query parameter name: "x\\u0000y" contains the control character U+0000 (NUL); remove it',
      ],
    ];
    const got = [];
    for (const [p] of cases) {
      const res = await backend.api(p);
      got.push([p, res.status, res.body?.error?.message]);
    }
    const posted = await backend.api('/api/kratix/works?dryRun=%00', {
      method: 'POST',
      json: good,
    });
    got.push(['POST ?dryRun=%00', posted.status, posted.body?.error?.message]);
    expect(got).toEqual([
      ...cases,
      [
        'POST ?dryRun=%00',
        400,
        'dryRun: "\\u0000" contains the control character U+0000 (NUL); remove it',
      ],
    ]);
    await watching.check(cases.length + 1);
  });

  // The intake checks full keys once the Destination is known (README: intake refuses them).
  it("refuses a file whose key with the Destination's prefix is over the S3 limit (400)", async () => {
    const watching = await watch();
    const file = `${'a'.repeat(200)}/${'b'.repeat(200)}/${'c'.repeat(200)}/${'d'.repeat(200)}/${'e'.repeat(191)}.yaml`;
    const res = await submit({
      ...good,
      resource: 'long',
      destinationSelectors: { target: 's3-nested' },
      files: [{ path: file, content: 'a: 1\n' }],
    });
    expect([res.status, res.body?.error?.message]).toEqual([
      400,
      expect.stringMatching(
        /^files: the file "a+…" would be stored on Destination s3-nested as the object key "s3-nested\/resources\/default\/app\/long\/p\/5058f\/a+…", 1,045 bytes \(UTF-8\), over the 1,024-byte limit for S3 object keys; shorten the file path \(by 21 bytes or more\) or schedule the work to a Destination with a shorter path$/,
      ),
    ]);
    await watching.check(1);
  });
});
