import { Entity } from '@backstage/catalog-model';
import { isKratixEntity, parseKratixEntity, validateKratixEntity } from './validation';

const destination = (spec: any, name = 'dev'): Entity => ({
  apiVersion: 'platform.kratix.io/v1alpha1',
  kind: 'Destination',
  metadata: { name },
  spec,
});
const git = (spec: any): Entity => ({
  apiVersion: 'platform.kratix.io/v1alpha1',
  kind: 'GitStateStore',
  metadata: { name: 'g' },
  spec,
});
const bucket = (spec: any): Entity => ({
  apiVersion: 'platform.kratix.io/v1alpha1',
  kind: 'BucketStateStore',
  metadata: { name: 'b' },
  spec,
});
const errors = (e: Entity) => {
  const r = validateKratixEntity(e);
  return r.ok ? [] : r.errors;
};
const ref = { kind: 'GitStateStore', name: 'default' };

describe('Destination', () => {
  it('applies Kratix defaults', () => {
    const r = parseKratixEntity(destination({ path: 'dev', stateStoreRef: ref }));
    expect(r.spec).toEqual({
      path: 'dev',
      stateStoreRef: ref,
      strictMatchLabels: false,
      filepath: { mode: 'nestedByMetadata' },
      cleanup: 'none',
      initWorkloads: { enabled: true },
    });
  });
  it('keeps explicit false and sets the aggregated filename default', () => {
    const r = parseKratixEntity(
      destination({
        path: 'dev',
        stateStoreRef: ref,
        filepath: { mode: 'aggregatedYAML' },
        initWorkloads: { enabled: false },
        cleanup: 'all',
        strictMatchLabels: true,
      }),
    );
    expect(r.spec).toMatchObject({
      filepath: { mode: 'aggregatedYAML', filename: 'aggregated.yaml' },
      initWorkloads: { enabled: false },
      cleanup: 'all',
      strictMatchLabels: true,
    });
    expect(
      parseKratixEntity(destination({ path: 'd', stateStoreRef: ref, filepath: { mode: 'none' } }))
        .spec,
    ).toMatchObject({ filepath: { mode: 'none' } });
    expect(
      parseKratixEntity(destination({ path: 'd', stateStoreRef: ref, filepath: {} })).spec,
    ).toMatchObject({ filepath: { mode: 'nestedByMetadata' } });
  });
  it('does not change the entity it is given', () => {
    const e = destination({ path: 'dev', stateStoreRef: ref });
    parseKratixEntity(e);
    expect(e.spec).toEqual({ path: 'dev', stateStoreRef: ref });
  });
  it.each([
    [
      { path: 'dev', stateStoreRef: ref, filepath: { mode: 'nested' } },
      'spec.filepath.mode: "nested" is not one of nestedByMetadata, aggregatedYAML, none',
    ],
    [
      { path: 'dev' },
      'spec.stateStoreRef: is required; name the State Store to write to, e.g. {kind: GitStateStore, name: default}',
    ],
    [
      { stateStoreRef: ref },
      'spec.path: is required; set it to the directory in the State Store to write to (usually the Destination name), or "/" for the root',
    ],
    [
      { path: '', stateStoreRef: ref },
      'spec.path: must not be empty; set it to the directory in the State Store to write to (usually the Destination name), or "/" for the root',
    ],
    [
      { path: '../other', stateStoreRef: ref },
      'spec.path: "../other" contains a ".." segment; paths must stay inside the State Store, remove the ".."',
    ],
    [
      { path: 'a/../../b', stateStoreRef: ref },
      'spec.path: "a/../../b" contains a ".." segment; paths must stay inside the State Store, remove the ".."',
    ],
    [
      { path: 'dev', stateStoreRef: { kind: 'ConfigMap', name: 'x' } },
      'spec.stateStoreRef.kind: "ConfigMap" is not one of GitStateStore, BucketStateStore',
    ],
    [
      { path: 'dev', stateStoreRef: { kind: 'GitStateStore' } },
      'spec.stateStoreRef.name: is required; use the metadata.name of the State Store entity',
    ],
    [
      { path: 'dev', stateStoreRef: { kind: 'GitStateStore', name: '../probe-git' } },
      'spec.stateStoreRef.name: "../probe-git" is not a Kubernetes object name, as the name of a Kratix State Store must be; use at most 253 lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, e.g. demo-git',
    ],
    [
      { path: 'dev', stateStoreRef: ref, owner: 'team-a\n' },
      'spec.owner: "team-a\\n" is not an entity reference (it contains the control character U+000A (newline); the name "team-a\\n" is not at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit); write [kind:][namespace/]name, e.g. group:default/team-a or team-a',
    ],
    [
      { path: 'dev', stateStoreRef: ref, owner: 'group:team-a\nX-Injected: 1' },
      'spec.owner: "group:team-a\\nX-Injected: 1" is not an entity reference (it contains the control character U+000A (newline); the name "team-a\\nX-Injected: 1" is not at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit); write [kind:][namespace/]name, e.g. group:default/team-a or team-a',
    ],
    [
      { path: 'dev', stateStoreRef: ref, cleanup: 'everything' },
      'spec.cleanup: "everything" is not one of none, all',
    ],
    [
      { path: 'dev', stateStoreRef: ref, strictMatchLabels: 'yes' },
      'spec.strictMatchLabels: must be a boolean, not "yes"',
    ],
    [
      { path: 'dev', stateStoreRef: ref, initWorkloads: { enabled: 'false' } },
      'spec.initWorkloads.enabled: must be a boolean, not "false"',
    ],
    [
      { path: 'dev', stateStoreRef: ref, filePath: { mode: 'none' } },
      'spec.filePath: is not a field of Destination.spec; remove it or fix its spelling (known fields: path, stateStoreRef, strictMatchLabels, filepath, cleanup, initWorkloads, owner)',
    ],
    [
      {
        path: 'dev',
        stateStoreRef: ref,
        filepath: { mode: 'aggregatedYAML', filename: '../x.yaml' },
      },
      'spec.filepath.filename: "../x.yaml" contains a ".." segment; paths must stay inside the State Store, remove the ".."',
    ],
    [
      { path: 'dev', stateStoreRef: ref, filepath: { mode: 'aggregatedYAML', filename: 'out/' } },
      'spec.filepath.filename: "out/" is not a file name; use a name such as aggregated.yaml',
    ],
  ])('rejects %j', (spec, message) => {
    expect(errors(destination(spec))).toContain(message);
  });
  it('reports every problem at once', () => {
    expect(errors(destination({ path: '..', filepath: { mode: 'flat' } }))).toHaveLength(3);
  });
  it('accepts root paths', () => {
    for (const path of ['/', '.', 'dev/', './dev', 'a/b/c'])
      expect(errors(destination({ path, stateStoreRef: ref }))).toEqual([]);
  });
  it('rejects a missing spec and a wrong apiVersion', () => {
    expect(
      errors({
        apiVersion: 'platform.kratix.io/v1alpha1',
        kind: 'Destination',
        metadata: { name: 'x' },
      }),
    ).toEqual(['spec: is required for a Destination']);
    expect(errors({ ...destination({}), apiVersion: 'kratix.io/v1' })).toEqual([
      'apiVersion: "kratix.io/v1" must be platform.kratix.io/v1alpha1',
    ]);
  });
  it('recognises the three kinds only under the Kratix apiVersion', () => {
    expect(isKratixEntity(destination({}))).toBe(true);
    expect(isKratixEntity({ ...destination({}), apiVersion: 'backstage.io/v1alpha1' })).toBe(false);
    expect(isKratixEntity({ ...destination({}), kind: 'Component' })).toBe(false);
  });
});

describe('GitStateStore', () => {
  it('applies defaults', () => {
    expect(
      parseKratixEntity(git({ url: 'https://example.com/r.git', secretRef: { name: 'git' } })).spec,
    ).toEqual({
      url: 'https://example.com/r.git',
      path: '',
      branch: 'main',
      authMethod: 'basicAuth',
      secretRef: { name: 'git' },
      gitAuthor: { name: 'kratix', email: '' },
    });
  });
  it.each([
    [{}, 'spec.url: is required; set the https:// URL of the repository'],
    [
      { url: 'git@github.com:org/repo.git' },
      'spec.authMethod: basicAuth (the default) needs the repository\'s http(s):// URL, but spec.url "git@github.com:org/repo.git" is an SSH URL; set spec.authMethod: ssh (with sshPrivateKey and knownHosts in kratix.secrets), or use the repository\'s https:// URL',
    ],
    [
      { url: 'https://example.com/r.git', authMethod: 'ssh' },
      'spec.authMethod: ssh needs an ssh:// or git@host:path URL, but spec.url is "https://example.com/r.git"; use the repository\'s SSH URL, e.g. git@github.com:org/repo.git, or set spec.authMethod: basicAuth for an http(s):// URL',
    ],
    [
      { url: 'ssh://git@example.com/r.git', authMethod: 'ssh' },
      'spec.secretRef: must be set when using authentication method ssh; name an entry under kratix.secrets in app-config holding sshPrivateKey and knownHosts',
    ],
    [
      { url: 'git@example.com:org/r.git', authMethod: 'githubApp' },
      'spec.authMethod: githubApp needs the repository\'s http(s):// URL, but spec.url "git@example.com:org/r.git" is an SSH URL; set spec.authMethod: ssh (with sshPrivateKey and knownHosts in kratix.secrets), or use the repository\'s https:// URL',
    ],
    [
      { url: 'http://127.0.0.1:8470/state.git', authMethod: 'ssh', secretRef: { name: 'ssh' } },
      'spec.authMethod: ssh needs an ssh:// or git@host:path URL, but spec.url is "http://127.0.0.1:8470/state.git"; use the repository\'s SSH URL, e.g. git@github.com:org/repo.git, or set spec.authMethod: basicAuth for an http(s):// URL',
    ],
    [
      { url: 'ssh://git@example.com/r.git', authMethod: 'basicAuth', secretRef: { name: 'git' } },
      'spec.authMethod: basicAuth needs the repository\'s http(s):// URL, but spec.url "ssh://git@example.com/r.git" is an SSH URL; set spec.authMethod: ssh (with sshPrivateKey and knownHosts in kratix.secrets), or use the repository\'s https:// URL',
    ],
    [
      { url: 'https://example.com/r.git', secretRef: { name: 'Git_Creds' } },
      'spec.secretRef.name: "Git_Creds" is not a valid secret name: it must be a Kubernetes object name, as Kratix\'s secretRef names a Secret (at most 253 lowercase letters, digits, "-" and ".", starting and ending with a letter or digit), and a key under kratix.secrets in app-config (Backstage config keys are letters and digits joined by single "-", "_" or ":", starting with a letter); rename it, e.g. git-creds',
    ],
    [
      { url: 'https://example.com/r.git', authMethod: 'token' },
      'spec.authMethod: "token" is not one of basicAuth, ssh, githubApp',
    ],
    [
      { url: 'https://user:pw@example.com/r.git' },
      'spec.url: "https://***@example.com/r.git" contains credentials; remove them from the URL and put the username and token in kratix.secrets',
    ],
    [
      { url: 'https://example.com/r.git', path: '../x' },
      'spec.path: "../x" contains a ".." segment; paths must stay inside the State Store, remove the ".."',
    ],
    [
      { url: 'https://example.com/r.git', secretRef: {} },
      'spec.secretRef.name: is required; name an entry under kratix.secrets in app-config',
    ],
    [{ url: 'https://example.com/r.git', branch: '' }, 'spec.branch: must not be empty'],
  ])('rejects %j', (spec, message) => {
    expect(errors(git(spec))).toContain(message);
  });
});

describe('BucketStateStore', () => {
  it('applies defaults', () => {
    expect(
      parseKratixEntity(
        bucket({ bucketName: 'kratix', endpoint: 's3.amazonaws.com', secretRef: { name: 's3' } }),
      ).spec,
    ).toEqual({
      bucketName: 'kratix',
      endpoint: 's3.amazonaws.com',
      path: '',
      insecure: false,
      useDualStack: false,
      authMethod: 'accessKey',
      secretRef: { name: 's3' },
    });
    expect(
      errors(bucket({ bucketName: 'kratix', endpoint: 's3.amazonaws.com', authMethod: 'IAM' })),
    ).toEqual([]);
  });
  it.each([
    [
      { endpoint: 'x', secretRef: { name: 's' } },
      'spec.bucketName: is required; set the name of the bucket to write to',
    ],
    [
      { bucketName: 'kratix', secretRef: { name: 's' } },
      'spec.endpoint: is required; set the S3 endpoint, e.g. s3.amazonaws.com or minio.example.com:9000',
    ],
    [
      { bucketName: 'kratix', endpoint: 'x' },
      'spec.secretRef: must be set when using authentication method accessKey; name an entry under kratix.secrets in app-config holding accessKeyID and secretAccessKey, or use authMethod IAM',
    ],
    [
      { bucketName: 'kratix', endpoint: 'x', authMethod: 'keys', secretRef: { name: 's' } },
      'spec.authMethod: "keys" is not one of accessKey, IAM',
    ],
    [
      { bucketName: 'kratix', endpoint: 'x', insecure: 'true', secretRef: { name: 's' } },
      'spec.insecure: must be a boolean, not "true"',
    ],
    [
      { bucketName: 'kratix', endpoint: 'ftp://x', secretRef: { name: 's' } },
      'spec.endpoint: "ftp://x" must be host[:port] or an http(s):// URL',
    ],
  ])('rejects %j', (spec, message) => {
    expect(errors(bucket(spec))).toContain(message);
  });
});
