import { goClean, hasDotDotSegment } from './paths';
import {
  bucketNameErrors,
  destinationPathErrors,
  endpointErrors,
  filePathErrors,
  gitAuthorErrors,
  gitRefNameErrors,
  gitUrlErrors,
  secretRefNameErrors,
} from './storeRules';

const PATH_HINT =
  'set it to the directory in the State Store to write to (usually the Destination name), or "/" for the root';

/** A path inside a State Store (`spec.path` of any kind, or an aggregated filename). */
function storePathErrors(field: string, value: string | undefined): string[] {
  if (value === undefined) return [];
  if (hasDotDotSegment(value)) {
    return [
      `${field}: "${value}" contains a ".." segment; paths must stay inside the State Store, remove the ".."`,
    ];
  }
  return value === '' ? [] : destinationPathErrors(field, value);
}

function secretRefErrors(spec: any): string[] {
  return spec.secretRef ? secretRefNameErrors('spec.secretRef.name', spec.secretRef.name) : [];
}

export function destinationRules(spec: any): string[] {
  const errors: string[] = [];
  if (spec.path === '') errors.push(`spec.path: must not be empty; ${PATH_HINT}`);
  else errors.push(...storePathErrors('spec.path', spec.path));
  const filename = spec.filepath?.filename;
  if (typeof filename === 'string' && filename !== '') {
    const clean = goClean(filename);
    if (hasDotDotSegment(filename))
      errors.push(...storePathErrors('spec.filepath.filename', filename));
    else if (clean === '.' || clean === '/' || filename.endsWith('/')) {
      errors.push(
        `spec.filepath.filename: "${filename}" is not a file name; use a name such as aggregated.yaml`,
      );
    } else errors.push(...filePathErrors('spec.filepath.filename', clean.replace(/^\/+/, '')));
  }
  return errors;
}

function isSshUrl(url: string): boolean {
  return /^ssh:\/\//i.test(url) || /^[^/:@]+@[^/:]+:/.test(url);
}

function gitAuthErrors(spec: any): string[] {
  const url: string = spec.url;
  const shown = JSON.stringify(url);
  const method = spec.authMethod ?? 'basicAuth';
  if (method === 'ssh') {
    const errors = isSshUrl(url)
      ? []
      : [
          `spec.authMethod: ssh needs an ssh:// or git@host:path URL, but spec.url is ${shown}; use the repository's SSH URL, e.g. git@github.com:org/repo.git, or set spec.authMethod: basicAuth for an http(s):// URL`,
        ];
    if (!spec.secretRef) {
      errors.push(
        'spec.secretRef: must be set when using authentication method ssh; name an entry under kratix.secrets in app-config holding sshPrivateKey and knownHosts',
      );
    }
    return errors;
  }
  const named = spec.authMethod === undefined ? `${method} (the default)` : method;
  if (isSshUrl(url)) {
    return [
      `spec.authMethod: ${named} needs the repository's http(s):// URL, but spec.url ${shown} is an SSH URL; set spec.authMethod: ssh (with sshPrivateKey and knownHosts in kratix.secrets), or use the repository's https:// URL`,
    ];
  }
  if (method === 'githubApp' && !/^https?:\/\//i.test(url)) {
    return [
      `spec.authMethod: githubApp needs the repository's https:// URL, but spec.url is ${shown}; use its https:// URL`,
    ];
  }
  return [];
}

export function gitRules(spec: any): string[] {
  const urlErrors = gitUrlErrors('spec.url', spec.url);
  return [
    ...urlErrors,
    ...(urlErrors.length === 0 ? gitAuthErrors(spec) : []),
    ...(spec.branch !== undefined ? gitRefNameErrors('spec.branch', spec.branch) : []),
    ...storePathErrors('spec.path', spec.path),
    ...(spec.gitAuthor ? gitAuthorErrors('spec.gitAuthor', spec.gitAuthor) : []),
    ...secretRefErrors(spec),
  ];
}

export function bucketRules(spec: any): string[] {
  const errors: string[] = [];
  if ((spec.authMethod ?? 'accessKey') === 'accessKey' && !spec.secretRef) {
    errors.push(
      'spec.secretRef: must be set when using authentication method accessKey; name an entry under kratix.secrets in app-config holding accessKeyID and secretAccessKey, or use authMethod IAM',
    );
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec.endpoint) && !/^https?:\/\//i.test(spec.endpoint)) {
    errors.push(`spec.endpoint: "${spec.endpoint}" must be host[:port] or an http(s):// URL`);
  } else errors.push(...endpointErrors('spec.endpoint', spec.endpoint));
  errors.push(...bucketNameErrors('spec.bucketName', spec.bucketName));
  errors.push(...storePathErrors('spec.path', spec.path));
  errors.push(...secretRefErrors(spec));
  return errors;
}
