import {
  bucketNameErrors,
  destinationPathErrors,
  endpointErrors,
  filePathErrors,
  gitAuthorErrors,
  gitRefNameErrors,
  gitUrlErrors,
  entityRefErrors,
  isDotGitAlias,
  keyTooLong,
  objectNameErrors,
  pathConflictErrors,
  placementObjectKeys,
  secretRefNameErrors,
  storeKeyErrors,
  controlCharacterError,
  utf8Length,
} from './storeRules';

const F = 'files[0].path';

/** Every message must start with the field and never be empty. */
function expectWellFormed(field: string, messages: string[]) {
  for (const m of messages)
    expect(m.startsWith(`${field}: `) || m.startsWith(`${field}.`)).toBe(true);
}

describe('utf8Length', () => {
  it.each([
    ['', 0],
    ['a', 1],
    ['é', 2],
    ['€', 3],
    ['😀', 4],
    ['\uD800', 3],
  ])('%j is %d bytes', (s, n) => {
    expect(utf8Length(s)).toBe(n);
  });
});

describe('filePathErrors', () => {
  it.each([
    'a.yaml',
    'app/deployment.yaml',
    './a',
    'a//b',
    'a/./b',
    '.gitignore',
    '.gitmodules',
    '.github/workflows/x.yaml',
    'git~10',
    '.git.foo',
    '.gitx',
    'a..b',
    '...',
    'ünïcödé/ファイル.yaml',
    'a:b.yaml',
    'x'.repeat(255),
    `${'d/'.repeat(511)}f`,
  ])('accepts %j', path => {
    expect(filePathErrors(F, path)).toEqual([]);
  });

  it('matches the existing ".." message', () => {
    expect(filePathErrors(F, '../x.yaml')).toEqual([
      'files[0].path: "../x.yaml" contains a ".." segment; files must stay inside the work',
    ]);
  });

  it.each([
    [undefined, 'must be a string'],
    [42, 'must be a string'],
    ['', 'must not be empty'],
    ['/x', 'is absolute'],
    ['/', 'is absolute'],
    ['.', 'names a directory'],
    ['./', 'names a directory'],
    ['dir/', 'names a directory'],
    ['a/../..', 'contains a ".." segment'],
    ['a/..', 'contains a ".." segment'],
    ['a\0b', 'U+0000 (NUL)'],
    ['a\nb', 'U+000A (newline)'],
    ['a\rb', 'U+000D (carriage return)'],
    ['a\tb', 'U+0009 (tab)'],
    ['a\u001fb', 'U+001F'],
    ['a\u007fb', 'U+007F (DEL)'],
    ['a\u0085b', 'U+0085'],
    ['a\u009fb', 'U+009F'],
    ['a\\b', 'contains a backslash'],
    ['..\\x', 'contains a backslash'],
    ['a\uD800b', 'not valid Unicode'],
    ['a\uDC00', 'not valid Unicode'],
    ['x'.repeat(256), 'segment of 256 bytes'],
    [`d/${'é'.repeat(128)}`, 'segment of 256 bytes'],
    [`${'d/'.repeat(512)}f`, '1,025 bytes long'],
  ])('refuses %j (%s)', (path, expected) => {
    const errors = filePathErrors(F, path);
    expect(errors.join('\n')).toContain(expected);
    expectWellFormed(F, errors);
  });

  it.each([
    '.git',
    '.git/config',
    'a/.git/hooks/x',
    '.GIT/config',
    '.Git',
    'a/.gIt',
    '.git ',
    '.git.',
    '.git . .',
    '.git::$INDEX_ALLOCATION/x',
    '.git:stream',
    'git~1',
    'GIT~1/config',
    'git~1.',
    'git~2',
    'git~9',
    '.git~1',
    '.g\u200cit',
    '\u200c.git',
    '.git\u200d',
    '.\uFEFFgit/x',
    '.gi\u202et',
    '.g\u206ait',
  ])('refuses the .git alias %j', path => {
    const errors = filePathErrors(F, path);
    expect(errors.join('\n')).toContain('git reserves ".git"');
    expectWellFormed(F, errors);
  });

  it('escapes invisible characters when it names the segment', () => {
    expect(filePathErrors(F, 'a/.g\u200cit/x')[0]).toContain('"a/.g\\u200Cit/x"');
  });

  it.each(['\u200c./x', 'a/.\u200c./b', '.\u200d'])(
    'refuses %j, a dot segment in disguise',
    path => {
      expect(filePathErrors(F, path).join('\n')).toContain('once invisible characters are dropped');
    },
  );

  it('shortens a long path in the message', () => {
    const [message] = filePathErrors(F, `${'d/'.repeat(600)}f`);
    expect(message.length).toBeLessThan(250);
    expect(message).toContain('…"');
  });

  it('reports several problems at once', () => {
    expect(filePathErrors(F, '/.git/a\\b')).toHaveLength(3);
  });
});

describe('isDotGitAlias', () => {
  it.each(['.git', '.GIT', 'git~1', '.git ..', '.git:x', 'Git~3'])('%j is .git', s => {
    expect(isDotGitAlias(s)).toBe(true);
  });
  it.each(['.gitignore', 'git', 'git~0', 'git~10', '.git.x', 'x.git', ':.git'])('%j is not', s => {
    expect(isDotGitAlias(s)).toBe(false);
  });
});

describe('pathConflictErrors', () => {
  it('names the file and the path beneath it', () => {
    expect(pathConflictErrors('files', ['a', 'a/b'])).toEqual([
      'files: "a" is a file and also the directory of "a/b"; rename one of them',
    ]);
  });

  it('finds deep and absolute conflicts, once per file', () => {
    expect(pathConflictErrors('files', ['x/y/z.yaml', 'x', 'x/q', '/r', '/r/s'])).toEqual([
      'files: "x" is a file and also the directory of "x/y/z.yaml"; rename one of them',
      'files: "/r" is a file and also the directory of "/r/s"; rename one of them',
    ]);
  });

  it('accepts siblings and look-alike prefixes', () => {
    expect(pathConflictErrors('files', ['a', 'ab/c', 'a.yaml', 'b/a', 'b/c'])).toEqual([]);
  });

  it('handles 5,000 paths quickly', () => {
    const paths = Array.from({ length: 5000 }, (_, i) => `dir${i % 50}/sub${i % 7}/file${i}.yaml`);
    paths.push('dir3/sub3');
    const start = Date.now();
    const errors = pathConflictErrors('files', paths);
    expect(Date.now() - start).toBeLessThan(500);
    expect(errors).toEqual([
      'files: "dir3/sub3" is a file and also the directory of "dir3/sub3/file3.yaml"; rename one of them',
    ]);
  });
});

describe('storeKeyErrors', () => {
  it('accepts a key of exactly the limit', () => {
    expect(storeKeyErrors('files[0].path', 'k'.repeat(1024))).toEqual([]);
  });

  it('counts UTF-8 bytes and names the limit and the fix', () => {
    const [message] = storeKeyErrors('files[0].path', `store/dev/${'é'.repeat(510)}`);
    expect(message).toMatch(/^files\[0\]\.path: the object key ".*" is 1,030 bytes \(UTF-8\)/);
    expect(message).toContain('over the 1,024-byte limit for S3 object keys');
    expect(message).toContain('use a shorter Destination path or file name');
  });

  it('takes another limit', () => {
    expect(storeKeyErrors('k', 'abcd', 3)[0]).toContain(
      'is 4 bytes (UTF-8), over the 3-byte limit',
    );
  });
});

describe('gitRefNameErrors', () => {
  it.each([
    'main',
    'feature/x',
    'release-1.0',
    'a.b',
    'user@host',
    '@x',
    'ünï',
    'a-',
    'a.lockx',
    'x/y.z/w',
  ])('accepts %j', branch => {
    expect(gitRefNameErrors('spec.branch', branch)).toEqual([]);
  });

  it('explains the rule and the fix', () => {
    expect(gitRefNameErrors('spec.branch', 'a..b')).toEqual([
      'spec.branch: "a..b" is not a valid branch name (it contains ".."); use a name git accepts, e.g. main',
    ]);
  });

  it.each([
    [undefined, 'must be a string'],
    [1, 'must be a string'],
    ['', 'must not be empty'],
    ['@', 'which git reads as HEAD'],
    ['HEAD', '"HEAD" is reserved'],
    ['-x', 'starts with "-"'],
    ['a b', 'contains a space'],
    ['a~1', 'contains "~"'],
    ['a^', 'contains "^"'],
    ['a:b', 'contains ":"'],
    ['a?', 'contains "?"'],
    ['a*', 'contains "*"'],
    ['a[b', 'contains "["'],
    ['a\\b', 'contains "\\\\"'],
    ['a\tb', 'control character U+0009'],
    ['a\u007f', 'control character U+007F'],
    ['a@{1}', 'contains "@{"'],
    ['/a', 'starts with "/"'],
    ['a/', 'ends with "/"'],
    ['a//b', 'contains "//"'],
    ['.a', 'the part ".a" starts with "."'],
    ['a/.b', 'the part ".b" starts with "."'],
    ['a.lock', 'the part "a.lock" ends with ".lock"'],
    ['a.lock/b', 'the part "a.lock" ends with ".lock"'],
    ['a.', 'ends with "."'],
    ['a\uD800', 'not valid Unicode'],
  ])('refuses %j (%s)', (branch, expected) => {
    const errors = gitRefNameErrors('spec.branch', branch);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(expected);
    expectWellFormed('spec.branch', errors);
  });

  it('lists every reason in one message', () => {
    expect(gitRefNameErrors('spec.branch', '.a..b.lock')[0]).toContain(
      '(it contains ".."; the part ".a..b.lock" starts with "."; the part ".a..b.lock" ends with ".lock")',
    );
  });
});

describe('bucketNameErrors', () => {
  it.each([
    'kratix-state',
    'abc',
    'a.b.c',
    'my-bucket-2024',
    '1bucket',
    'a'.repeat(63),
    'xn-a',
    'ss3alias',
  ])('accepts %j', name => {
    expect(bucketNameErrors('spec.bucketName', name)).toEqual([]);
  });

  it.each([
    [undefined, 'must be a string'],
    ['', 'must not be empty'],
    ['ab', 'it is 2 characters long (3 to 63 allowed)'],
    ['a'.repeat(64), 'it is 64 characters long'],
    ['My-Bucket', 'it contains "M", "B"'],
    ['my_bucket', 'it contains "_"'],
    ['-bucket', 'does not start with a lowercase letter or digit'],
    ['bucket-', 'does not end with a lowercase letter or digit'],
    ['bucket.', 'does not end with a lowercase letter or digit'],
    ['a..b', 'it contains ".."'],
    ['a.-b', 'it contains ".-" or "-."'],
    ['a-.b', 'it contains ".-" or "-."'],
    ['192.168.5.4', 'formatted as an IP address'],
    ['999.1.1.1', 'formatted as an IP address'],
    ['xn--bucket', 'reserved prefix "xn--"'],
    ['sthree-bucket', 'reserved prefix "sthree-"'],
    ['sthree-configurator-x', 'reserved prefix "sthree-"'],
    ['amzn-s3-demo-bucket', 'reserved prefix "amzn-s3-demo-"'],
    ['bucket-s3alias', 'reserved suffix "-s3alias"'],
    ['bucket--ol-s3', 'reserved suffix "--ol-s3"'],
    ['bucket.mrap', 'reserved suffix ".mrap"'],
    ['bucket--x-s3', 'reserved suffix "--x-s3"'],
    ['bucket--table-s3', 'reserved suffix "--table-s3"'],
  ])('refuses %j (%s)', (name, expected) => {
    const errors = bucketNameErrors('spec.bucketName', name);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(expected);
    expect(errors[0]).toContain('e.g. kratix-state');
    expectWellFormed('spec.bucketName', errors);
  });
});

describe('endpointErrors', () => {
  it.each([
    'minio.example.com:9000',
    'minio:9000',
    'minio',
    'MinIO.local',
    's3.amazonaws.com',
    's3.eu-west-2.amazonaws.com',
    'http://minio:9000',
    'https://s3.eu-west-2.amazonaws.com',
    'https://s3.eu-west-2.amazonaws.com/',
    'HTTPS://minio:9000',
    '10.0.0.1:9000',
    '[::1]:9000',
    '[fd00::1]',
    'storage.googleapis.com',
    'minio_svc.ns.svc:9000',
    'myap-123456789012.op-0ab1c2d3e4f5.s3-outposts.us-west-2.amazonaws.com',
  ])('accepts %j', endpoint => {
    expect(endpointErrors('spec.endpoint', endpoint)).toEqual([]);
  });

  it.each([
    [undefined, 'must be a string'],
    ['', 'must not be empty'],
    ['s3://bucket', 'uses the scheme "s3"'],
    ['ftp://minio', 'uses the scheme "ftp"'],
    ['minio:9000/bucket', 'has a path'],
    ['https://minio:9000/bucket/', 'has a path'],
    ['minio:9000?x=1', 'has a query string'],
    ['minio:9000#f', 'has a fragment'],
    ['https://', 'has no host'],
    [':9000', 'has no host'],
    ['minio:0', 'invalid port "0"'],
    ['minio:65536', 'invalid port "65536"'],
    ['minio:http', 'invalid port "http"'],
    ['minio:', 'invalid port ""'],
    ['::1', 'more than one ":"'],
    ['[zz]:9000', 'invalid IPv6 host'],
    ['300.1.1.1', 'invalid IPv4 address'],
    ['-minio', 'invalid host name'],
    ['.minio', 'invalid host name'],
    ['minio-', 'invalid host name'],
    ['mini o', 'contains whitespace'],
    ['minio\n', 'contains whitespace'],
    ['münchen.example', 'punycode'],
    ['mybucket.s3.amazonaws.com', "names a bucket's own address"],
    ['foo.googleapis.com', 'storage.googleapis.com'],
    ['x.s3-outposts.example.com', 'S3 on Outposts'],
  ])('refuses %j (%s)', (endpoint, expected) => {
    const errors = endpointErrors('spec.endpoint', endpoint);
    expect(errors.join('\n')).toContain(expected);
    expectWellFormed('spec.endpoint', errors);
  });

  it.each([
    ['https://AKIAEXAMPLE:s3cr3t@minio:9000', '"https://***@minio:9000"'],
    ['AKIAEXAMPLE:s3cr3t@minio:9000', '"***@minio:9000"'],
    [
      'https://us3r@minio:9000/path?X-Amz-Signature=abc123#fr4g',
      '"https://***@minio:9000/path?X-Amz-Signature=***#***"',
    ],
  ])('never echoes credentials in %j', (endpoint, shown) => {
    const errors = endpointErrors('spec.endpoint', endpoint);
    expect(errors.length).toBeGreaterThan(0);
    const text = errors.join('\n');
    expect(text).toContain(shown);
    expect(text).toContain('contains credentials');
    expect(text).not.toMatch(/s3cr3t|AKIAEXAMPLE|abc123|fr4g|us3r/);
  });
});

describe('gitUrlErrors', () => {
  it.each([
    'https://github.com/org/repo.git',
    'https://github.com/org/repo',
    'http://gitea.local:3000/org/repo.git',
    'https://gitlab.example.com/group/sub/repo.git/',
    'ssh://git@github.com/org/repo.git',
    'ssh://github.com/org/repo.git',
    'ssh://git@gitea.local:2222/org/repo.git',
    'ssh://git@[::1]:2222/repo.git',
    'git@github.com:org/repo.git',
    'gitolite@host.example:repo',
    'git@10.0.0.1:org/repo.git',
  ])('accepts %j', url => {
    expect(gitUrlErrors('spec.url', url)).toEqual([]);
  });

  it.each([
    [undefined, 'must be a string'],
    ['', 'must not be empty'],
    ['git://github.com/org/repo.git', 'uses the "git" scheme'],
    ['file:///srv/repo.git', 'uses the "file" scheme'],
    ['git+ssh://git@host/repo.git', 'uses the "git+ssh" scheme'],
    ['HTTPS://github.com/org/repo.git', 'write "https://"'],
    ['https://github.com', 'names no repository'],
    ['https://github.com/', 'names no repository'],
    ['ssh://git@github.com', 'names no repository'],
    ['git@github.com:', 'names no repository'],
    ['https://github.com/org/repo.git#main', 'has a fragment'],
    ['https://github.com/org/repo.git?ref=main', 'has a query string'],
    ['ssh://git@host:abc/repo', 'invalid port "abc"'],
    ['https://:443/repo', 'has no host'],
    ['https://-oProxyCommand=x/repo', 'invalid host name'],
    ['ssh://-oProxyCommand=x@host/repo', 'user name starting with "-"'],
    ['-oProxyCommand=x@host:repo', 'user name starting with "-"'],
    ['git@host:-repo', 'path starting with "-"'],
    ['git@-host:repo', 'invalid host name'],
    ['github.com/org/repo', 'is not a URL the writer understands'],
    ['host:repo', 'is not a URL the writer understands'],
    ['ssh::host/repo', 'is not a URL the writer understands'],
    ['https://github.com/org/my repo', 'contains whitespace'],
  ])('refuses %j (%s)', (url, expected) => {
    const errors = gitUrlErrors('spec.url', url);
    expect(errors.join('\n')).toContain(expected);
    expectWellFormed('spec.url', errors);
  });

  it.each([
    [
      'https://user:hunter2@github.com/org/repo.git',
      '"https://***@github.com/org/repo.git"',
      'credentials',
    ],
    [
      'https://ghp_T0KEN@github.com/org/repo.git',
      '"https://***@github.com/org/repo.git"',
      'credentials',
    ],
    ['ssh://git:hunter2@host/repo.git', '"ssh://git:***@host/repo.git"', 'password'],
    [
      'https://gitlab.com/org/repo.git?private_token=ghp_T0KEN',
      '"https://gitlab.com/org/repo.git?private_token=***"',
      'query string',
    ],
    [
      'https://gitlab.com/org/repo.git?access_token=hunter2&token=ghp_T0KEN&ghp_T0KEN',
      '"https://gitlab.com/org/repo.git?access_token=***&token=***&***"',
      'query string',
    ],
    ['user:hunter2@host:repo.git', '"***@host:repo.git"', 'not a URL the writer understands'],
    [
      'git://user:hunter2@host/repo?token=ghp_T0KEN',
      '"git://***@host/repo?token=***"',
      '"git" scheme',
    ],
  ])('never echoes secrets in %j', (url, shown, problem) => {
    const text = gitUrlErrors('spec.url', url).join('\n');
    expect(text).toContain(shown);
    expect(text).toContain(problem);
    expect(text).not.toMatch(/hunter2|T0KEN/);
  });
});

describe('gitAuthorErrors', () => {
  it.each([
    [{ name: 'Kratix', email: 'kratix@example.com' }],
    [{ name: 'Ünïcode Nämé', email: '' }],
    [{}],
    [{ email: 'a@b' }],
  ])('accepts %j', author => {
    expect(gitAuthorErrors('spec.gitAuthor', author)).toEqual([]);
  });

  it.each([
    [{ name: 'A\nB' }, 'spec.gitAuthor.name: "A\\nB" contains a newline'],
    [
      { name: 'A\rcommitter x' },
      'spec.gitAuthor.name: "A\\rcommitter x" contains a carriage return',
    ],
    [{ name: 'A\0' }, 'spec.gitAuthor.name: "A\\u0000" contains a NUL character'],
    [{ name: 'A <x>' }, 'spec.gitAuthor.name: "A <x>" contains "<", ">"'],
    [{ email: '<a@b>' }, 'spec.gitAuthor.email: "<a@b>" contains "<", ">"'],
    [{ email: 'a@b\nparent 0000' }, 'spec.gitAuthor.email: "a@b\\nparent 0000" contains a newline'],
    [{ name: 7 }, 'spec.gitAuthor.name: must be a string'],
    [{ name: '  ' }, 'spec.gitAuthor.name: must not be empty'],
  ])('refuses %j', (author, expected) => {
    const errors = gitAuthorErrors('spec.gitAuthor', author);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(expected);
  });

  it('reports name and email separately', () => {
    expect(gitAuthorErrors('a', { name: 'x>', email: 'y\n' })).toHaveLength(2);
  });

  it('refuses a non-object', () => {
    expect(gitAuthorErrors('a', 'Kratix' as any)[0]).toContain('a: must be an object');
  });
});

describe('secretRefNameErrors', () => {
  it.each(['github', 'my-store', 'store2', 'a-1', 'git-state-2', `s${'x'.repeat(252)}`])(
    'accepts %j',
    name => {
      expect(secretRefNameErrors('spec.secretRef.name', name)).toEqual([]);
    },
  );

  it.each([
    [undefined, 'must be a string'],
    ['', 'must not be empty'],
    ['my.secret', 'a "." would be read as a nested key); rename it, e.g. my-secret'],
    ['1store', 'rename it, e.g. store'],
    ['-store', 'rename it, e.g. store'],
    ['store-', 'rename it, e.g. store'],
    ['a--b', 'rename it, e.g. a-b'],
    ['my secret', 'rename it, e.g. my-secret'],
    ['ünï', 'rename it, e.g. n'],
    ['123', 'rename it, e.g. my-store-credentials'],
    // Kratix's secretRef names a Kubernetes Secret: an object name, lower case, no "_" or ":".
    ['my_store', "a Kubernetes object name, as Kratix's secretRef names a Secret"],
    ['gitCredentials', 'rename it, e.g. gitcredentials'],
    ['ns:name', 'rename it, e.g. ns-name'],
    ['../probe-git', 'rename it, e.g. probe-git'],
    ['Creds', 'a Kubernetes object name'],
    [`s${'x'.repeat(253)}`, 'a Kubernetes object name'],
  ])('refuses %j (%s)', (name, expected) => {
    const errors = secretRefNameErrors('spec.secretRef.name', name);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(expected);
    expectWellFormed('spec.secretRef.name', errors);
  });
});

describe('destinationPathErrors', () => {
  it.each(['/', '.', 'dev', 'dev/', './dev', '/clusters/dev', 'a//b', 'dev.git', '.github'])(
    'accepts %j',
    path => {
      expect(destinationPathErrors('spec.path', path)).toEqual([]);
    },
  );

  it.each([
    [undefined, 'must be a string'],
    ['', 'must not be empty'],
    ['../x', 'contains a ".." segment; paths must stay inside the State Store, remove the ".."'],
    ['a/../../b', 'contains a ".." segment'],
    ['a\0', 'U+0000 (NUL)'],
    ['a\nb', 'U+000A (newline)'],
    ['a\u0090', 'U+0090'],
    ['a\\b', 'contains a backslash'],
    ['.git', 'git reserves ".git"'],
    ['dev/.GIT', 'git reserves ".git"'],
    ['dev/git~1/', 'git reserves ".git"'],
    ['\u200c..', 'once invisible characters are dropped'],
    ['a\uDBFF', 'not valid Unicode'],
    [`dev/${'x'.repeat(256)}`, 'segment of 256 bytes'],
  ])('refuses %j (%s)', (path, expected) => {
    const errors = destinationPathErrors('spec.path', path);
    expect(errors.join('\n')).toContain(expected);
    expectWellFormed('spec.path', errors);
  });
});

describe('objectNameErrors', () => {
  const check = (name: unknown) =>
    objectNameErrors('spec.stateStoreRef.name', name, 'a store', 'demo-git');
  it.each(['default', 'demo-git', 'a', 'git.example.com', '0store', 'x'.repeat(253)])(
    'accepts %j',
    name => expect(check(name)).toEqual([]),
  );
  it.each([
    ['../probe-git', 'is not a Kubernetes object name, as a store must be'],
    ['Git', 'is not a Kubernetes object name'],
    ['git_store', 'is not a Kubernetes object name'],
    ['-git', 'is not a Kubernetes object name'],
    ['git.', 'is not a Kubernetes object name'],
    ['a/b', 'is not a Kubernetes object name'],
    ['git\n', 'is not a Kubernetes object name'],
    ['x'.repeat(254), '(it is 254 characters long)'],
    ['', 'must not be empty'],
  ])('refuses %j (%s)', (name, expected) => {
    const errors = check(name);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(expected);
    expect(errors[0]).toContain('e.g. demo-git');
    expectWellFormed('spec.stateStoreRef.name', errors);
  });
});

describe('entityRefErrors', () => {
  const check = (ref: unknown) => entityRefErrors('spec.owner', ref, 'group:default/team-a');
  it.each([
    'team-a',
    'group:team-a',
    'group:default/team-a',
    'Group:platform/Team_A.1',
    'user:default/jo',
    'default/team-a',
    'a',
    `group:${'n'.repeat(63)}/${'x'.repeat(63)}`,
  ])('accepts %j', ref => expect(check(ref)).toEqual([]));
  it.each([
    ['team-a\n', 'contains the control character U+000A (newline)'],
    ['group:team-a\nX-Injected: 1', 'the name "team-a\\nX-Injected: 1" is not'],
    ['grou p:team-a', 'the kind "grou p" is not'],
    ['1group:team-a', 'the kind "1group" is not'],
    ['group:Default/team-a', 'the namespace "Default" is not'],
    [`group:${'n'.repeat(64)}/team-a`, 'the namespace'],
    ['group:default/', 'the name "" is not'],
    ['team-a-', 'the name "team-a-" is not'],
    ['a:b:c', 'the name "b:c" is not'],
    ['x'.repeat(64), 'is not at most 63'],
    ['group:default/team/a', 'the name "team/a" is not'],
  ])('refuses %j (%s)', (ref, expected) => {
    const errors = check(ref);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(expected);
    expect(errors[0]).toContain('write [kind:][namespace/]name, e.g. group:default/team-a');
    expectWellFormed('spec.owner', errors);
  });
});

describe('controlCharacterError', () => {
  it('names the field and the character, and accepts clean text', () => {
    expect(controlCharacterError('search', 'a\u0000b')).toBe(
      'search: "a\\u0000b" contains the control character U+0000 (NUL); remove it',
    );
    expect(controlCharacterError('search', 'a\u0085')).toContain('U+0085');
    expect(controlCharacterError('search', 'ünï %_ x')).toBeUndefined();
  });
});

describe('keyTooLong and placementObjectKeys', () => {
  const placement = {
    namespace: 'default',
    promise: 'namespace',
    resource: 'team-a',
    pipeline: 'create-namespace',
    groupId: '5058f1af8388633f609cadb75a75dc9d',
    name: 'namespace-team-a-create-namespace.dev-cluster-5058f',
  };
  const nested = { name: 'dev-cluster', path: 'dev-cluster', mode: 'nestedByMetadata' as const };

  it('computes the keys of each mode as the layout writes them', () => {
    expect(placementObjectKeys('clusters', nested, placement, ['configmap.yaml'])).toEqual([
      {
        file: 'configmap.yaml',
        key: 'clusters/dev-cluster/resources/default/namespace/team-a/create-namespace/5058f/configmap.yaml',
      },
    ]);
    expect(
      placementObjectKeys(
        '/',
        { ...nested, path: './dev/' },
        { ...placement, resource: undefined, pipeline: 'install' },
        ['crds/a.yaml'],
      ),
    ).toEqual([
      { file: 'crds/a.yaml', key: 'dev/dependencies/namespace/install/5058f/crds/a.yaml' },
    ]);
    expect(
      placementObjectKeys('', { name: 'flat', path: '/', mode: 'none' }, placement, ['a/b.yaml']),
    ).toEqual([
      { file: 'a/b.yaml', key: 'a/b.yaml' },
      { key: '.kratix/default-namespace-team-a-create-namespace.dev-cluster-5058f.yaml' },
    ]);
    expect(
      placementObjectKeys('x', { name: 'agg', path: 'agg', mode: 'aggregatedYAML' }, placement, [
        'a.yaml',
      ]),
    ).toEqual([]);
  });

  it('accepts a key of exactly the limit and refuses one byte more, naming the file, Destination and fix', () => {
    // clusters/dev-cluster/resources/default/namespace/team-a/create-namespace/5058f/ is 79 bytes.
    const prefix =
      'clusters/dev-cluster/resources/default/namespace/team-a/create-namespace/5058f/';
    expect(prefix.length).toBe(79);
    const fits = `${'d/'.repeat(400)}${'x'.repeat(1024 - 79 - 800)}`;
    expect(keyTooLong('clusters', nested, placement, ['ok.yaml', fits])).toBeUndefined();
    const over = `${fits}y`;
    const message = keyTooLong('clusters', nested, placement, ['ok.yaml', over]);
    expect(message).toMatch(
      /^files: the file "d\/d\/.*…" would be stored on Destination dev-cluster as the object key "clusters\/dev-cluster\/resources\/.*…", 1,025 bytes \(UTF-8\), over the 1,024-byte limit for S3 object keys; shorten the file path \(by 1 bytes or more\) or schedule the work to a Destination with a shorter path$/,
    );
  });

  it('finds a 1,000-byte path whose prefixed key is over the limit (the intake case)', () => {
    const file = `${'a'.repeat(200)}/${'b'.repeat(200)}/${'c'.repeat(200)}/${'d'.repeat(200)}/${'e'.repeat(191)}.yaml`;
    expect(file.length).toBe(1000);
    const work = { ...placement, promise: 'app', resource: 'r', pipeline: 'p' };
    const onS3 = { name: 's3-nested', path: 's3-nested', mode: 'nestedByMetadata' as const };
    // s3-nested/resources/default/app/r/p/5058f/ is 42 bytes: the key is 1,042.
    expect(keyTooLong('', onS3, work, [file])).toContain(
      'would be stored on Destination s3-nested as the object key "s3-nested/resources/default/app/r/p/5058f/aaa',
    );
    expect(keyTooLong('', onS3, work, [file])).toContain('1,042 bytes (UTF-8)');
    expect(keyTooLong('', onS3, work, [file.slice(18)])).toBeUndefined();
    expect(keyTooLong('store', onS3, work, [file.slice(18)])).toContain('1,030 bytes');
    const flat = { name: 's3-flat', path: 's3-flat', mode: 'none' as const };
    expect(keyTooLong('', flat, work, [file])).toBeUndefined();
    expect(keyTooLong('state/prefix/of/the/store/xyz/abc', flat, work, [file])).toContain(
      'on Destination s3-flat',
    );
    expect(keyTooLong('', onS3, work, [file], 2048)).toBeUndefined();
  });

  it('checks the none-mode state file, whose name carries the placement', () => {
    const flat = { name: 'f', path: 'p'.repeat(980), mode: 'none' as const };
    expect(keyTooLong('', flat, placement, ['a.yaml'])).toMatch(
      /^files: the state file of this work would be stored on Destination f as the object key "p+…", 1,053 bytes \(UTF-8\), over the 1,024-byte limit for S3 object keys; shorten the work's promise, resource or pipeline name \(by 29 bytes or more\)/,
    );
  });
});
