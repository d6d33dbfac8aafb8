/**
 * The entity half of the bad-input corpus: Kratix YAML a store could not
 * hold, or a reader would misread, is refused with the field named. The
 * work-request half runs against the real backend (test/src/badInput.e2e.test.ts).
 */
import { validateKratixEntity } from './validation';

const API = 'platform.kratix.io/v1alpha1';
const git = (spec: Record<string, unknown>) => ({
  apiVersion: API,
  kind: 'GitStateStore',
  metadata: { name: 'git' },
  spec: { url: 'https://github.com/org/repo.git', secretRef: { name: 'creds' }, ...spec },
});
const bucket = (spec: Record<string, unknown>) => ({
  apiVersion: API,
  kind: 'BucketStateStore',
  metadata: { name: 's3' },
  spec: {
    endpoint: 's3.amazonaws.com',
    bucketName: 'kratix-state',
    secretRef: { name: 'creds' },
    ...spec,
  },
});
const destination = (spec: Record<string, unknown>, metadata: Record<string, unknown> = {}) => ({
  apiVersion: API,
  kind: 'Destination',
  metadata: { name: 'dev', ...metadata },
  spec: { path: 'dev', stateStoreRef: { kind: 'GitStateStore', name: 'git' }, ...spec },
});

const CASES: [string, unknown, string][] = [
  // branches, as git check-ref-format
  ...[
    'feature..x',
    'a b',
    'x.lock',
    '-x',
    'a~1',
    'a^b',
    'a:b',
    'a?b',
    'a*b',
    'a[b',
    'a\\b',
    '/main',
    'main/',
    'a//b',
    '@',
    'a@{b',
    '.hidden',
    'a/.b',
    'main\n',
  ].map((b): [string, unknown, string] => [
    `branch ${JSON.stringify(b)}`,
    git({ branch: b }),
    'spec.branch',
  ]),
  // urls
  [
    'a url with credentials',
    git({ url: 'https://user:token@github.com/org/repo.git' }),
    'spec.url',
  ],
  ['a url that is not a url', git({ url: 'not a url' }), 'spec.url'],
  ['a file url', git({ url: 'file:///etc/passwd' }), 'spec.url'],
  ['a url with a newline', git({ url: 'https://github.com/org/repo.git\nx' }), 'spec.url'],
  // authors
  [
    'an author name with a newline',
    git({ gitAuthor: { name: 'a\nb', email: '' } }),
    'spec.gitAuthor.name',
  ],
  [
    'an author name with <>',
    git({ gitAuthor: { name: 'a <b>', email: '' } }),
    'spec.gitAuthor.name',
  ],
  [
    'an author email with a newline',
    git({ gitAuthor: { name: 'a', email: 'a@b\nc' } }),
    'spec.gitAuthor.email',
  ],
  [
    'an author email with >',
    git({ gitAuthor: { name: 'a', email: 'a>b@c' } }),
    'spec.gitAuthor.email',
  ],
  // store paths
  ['a git path with NUL', git({ path: 'a\u0000b' }), 'spec.path'],
  ['a git path with a backslash', git({ path: 'a\\b' }), 'spec.path'],
  ['a git path leaving the repository', git({ path: '../x' }), 'spec.path'],
  ['a git path under .git', git({ path: '.git/x' }), 'spec.path'],
  ['an unknown auth method', git({ authMethod: 'kerberos' }), 'spec.authMethod'],
  // secret names must be able to name a config key
  ...['a.b', 'a b', '', 'a/b', '${X}'].map((n): [string, unknown, string] => [
    `secretRef.name ${JSON.stringify(n)}`,
    git({ secretRef: { name: n } }),
    'spec.secretRef.name',
  ]),
  // ... and a Kubernetes Secret's name, as Kratix's secretRef names one, on both store kinds
  ...['../probe-git', 'Creds', 'git_creds', 'ns:creds', `s${'x'.repeat(253)}`].flatMap(
    (n): [string, unknown, string][] => [
      [
        `git secretRef.name ${JSON.stringify(n)}`,
        git({ secretRef: { name: n } }),
        'spec.secretRef.name',
      ],
      [
        `bucket secretRef.name ${JSON.stringify(n)}`,
        bucket({ secretRef: { name: n } }),
        'spec.secretRef.name',
      ],
    ],
  ),
  // the auth method and the URL's scheme disagree
  [
    'ssh with an https URL',
    git({ authMethod: 'ssh', url: 'https://github.com/org/repo.git' }),
    'spec.authMethod: ssh needs an ssh:// or git@host:path URL',
  ],
  [
    'ssh with an http URL',
    git({ authMethod: 'ssh', url: 'http://127.0.0.1:8470/state.git' }),
    'spec.authMethod: ssh needs an ssh:// or git@host:path URL',
  ],
  [
    'basicAuth with an ssh URL',
    git({ authMethod: 'basicAuth', url: 'ssh://git@github.com/org/repo.git' }),
    "spec.authMethod: basicAuth needs the repository's http(s):// URL",
  ],
  [
    'the default basicAuth with an scp-like URL',
    git({ url: 'git@github.com:org/repo.git' }),
    'spec.authMethod: basicAuth (the default) needs',
  ],
  [
    'githubApp with an ssh URL',
    git({ authMethod: 'githubApp', url: 'ssh://git@github.com/org/repo.git' }),
    'spec.authMethod: githubApp needs',
  ],
  // owners are entity references, on all three kinds
  ...[
    'team-a\n',
    'group:team-a\nX-Injected: 1',
    'group:default/team a',
    'Group:Default/team-a',
    '1kind:team-a',
    'team-a-',
    'group:default/',
    'a:b:c',
    `group:${'x'.repeat(64)}`,
  ].flatMap((owner): [string, unknown, string][] => [
    [`owner ${JSON.stringify(owner)}`, destination({ owner }), 'spec.owner'],
    [`git store owner ${JSON.stringify(owner)}`, git({ owner }), 'spec.owner'],
    [`bucket store owner ${JSON.stringify(owner)}`, bucket({ owner }), 'spec.owner'],
  ]),
  // buckets, per S3's rules
  ...[
    'ab',
    'UPPER',
    'a_b',
    '-start',
    'end-',
    'a..b',
    '192.168.0.1',
    'xn--prefix',
    'b'.repeat(64),
    'a b',
    'sthree-x',
    'x-s3alias',
  ].map((b): [string, unknown, string] => [
    `bucket ${JSON.stringify(b)}`,
    bucket({ bucketName: b }),
    'spec.bucketName',
  ]),
  // endpoints without path or query
  ['an endpoint with a path', bucket({ endpoint: 's3.amazonaws.com/x' }), 'spec.endpoint'],
  [
    'an endpoint with a query',
    bucket({ endpoint: 'https://s3.amazonaws.com?x=1' }),
    'spec.endpoint',
  ],
  [
    'an endpoint with credentials',
    bucket({ endpoint: 'https://a:b@s3.amazonaws.com' }),
    'spec.endpoint',
  ],
  ['an endpoint with a space', bucket({ endpoint: 's3 .amazonaws.com' }), 'spec.endpoint'],
  ['an endpoint with a bad port', bucket({ endpoint: 's3.amazonaws.com:99999' }), 'spec.endpoint'],
  ['a bucket path with a backslash', bucket({ path: 'a\\b' }), 'spec.path'],
  ['a bucket path with a newline', bucket({ path: 'a\nb' }), 'spec.path'],
  ['accessKey without a secret', bucket({ secretRef: undefined }), 'spec.secretRef'],
  ['an unknown bucket auth method', bucket({ authMethod: 'token' }), 'spec.authMethod'],
  // Destinations
  ['a path with NUL', destination({ path: 'a\u0000' }), 'spec.path'],
  ['a path with a backslash', destination({ path: 'a\\b' }), 'spec.path'],
  ['a path leaving the store', destination({ path: '../other' }), 'spec.path'],
  ['a path under .git', destination({ path: '.git/hooks' }), 'spec.path'],
  ['a path with a newline', destination({ path: 'dev\n' }), 'spec.path'],
  ['no path', destination({ path: undefined }), 'spec.path'],
  ['no store', destination({ stateStoreRef: undefined }), 'spec.stateStoreRef'],
  ...[
    '../probe-git',
    'git/x',
    'Git',
    'git_store',
    '.git',
    'git.',
    '-git',
    `g${'x'.repeat(253)}`,
  ].map((name): [string, unknown, string] => [
    `a store name ${JSON.stringify(name)}`,
    destination({ stateStoreRef: { kind: 'GitStateStore', name } }),
    'spec.stateStoreRef.name',
  ]),
  [
    'a store of another kind',
    destination({ stateStoreRef: { kind: 'ConfigMap', name: 'x' } }),
    'spec.stateStoreRef.kind',
  ],
  ['an unknown mode', destination({ filepath: { mode: 'flat' } }), 'spec.filepath.mode'],
  [
    'an aggregate file name .git',
    destination({ filepath: { mode: 'aggregatedYAML', filename: '.git' } }),
    'spec.filepath.filename',
  ],
  ['an unknown cleanup', destination({ cleanup: 'some' }), 'spec.cleanup'],
  [
    'strictMatchLabels as a string',
    destination({ strictMatchLabels: 'yes' }),
    'spec.strictMatchLabels',
  ],
  [
    'initWorkloads.enabled as a string',
    destination({ initWorkloads: { enabled: 'no' } }),
    'spec.initWorkloads.enabled',
  ],
];

/** What the rules above must not refuse: the same fields, well formed. */
const ACCEPTED: [string, unknown][] = [
  ['an owner by name', destination({ owner: 'team-a' })],
  ['an owner with kind and namespace', destination({ owner: 'group:platform/team_a.1' })],
  ['a user owner', git({ owner: 'user:default/jo' })],
  [
    'a store name with dots',
    destination({ stateStoreRef: { kind: 'GitStateStore', name: 'git.prod' } }),
  ],
  ['ssh with an scp-like URL', git({ authMethod: 'ssh', url: 'git@github.com:org/repo.git' })],
  ['ssh with an ssh URL', git({ authMethod: 'ssh', url: 'ssh://git@github.com/org/repo.git' })],
  ['a secret name with dashes', bucket({ secretRef: { name: 's3-creds-2' } })],
];

describe('the entity corpus', () => {
  it.each(ACCEPTED)('accepts %s', (_what, entity) => {
    expect(validateKratixEntity(entity as any)).toMatchObject({ ok: true });
  });

  it('has at least 60 cases', () => expect(CASES.length).toBeGreaterThanOrEqual(60));

  it.each(CASES)('refuses %s, naming the field', (_what, entity, field) => {
    const result = validateKratixEntity(entity as any);
    expect(result.ok).toBe(false);
    const errors = (result as any).errors as string[];
    expect([errors.some(e => e.startsWith(field)), errors]).toEqual([true, errors]);
  });
});
