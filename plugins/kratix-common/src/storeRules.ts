/*
 * What every State Store can write. Each check returns messages (empty when
 * the value is fine), each starting with the field, then what is wrong and
 * how to fix it. Sources of the rules:
 * - file paths: git's verify_path (read-cache.c), is_ntfs_dotgit (path.c),
 *   is_hfs_dotgit (utf8.c), fsck.c tree checks, isomorphic-git's GitTree
 *   UnsafeFilepathError; S3's 1,024-byte key limit (minio-go
 *   CheckValidObjectName); 255-byte file names (Linux NAME_MAX) for checkouts;
 * - branches: git's check_refname_format and check_branch_ref (refs.c);
 * - buckets: Amazon S3 general purpose bucket naming rules, plus minio-go's
 *   client-side check (no ".-" or "-.");
 * - endpoints: minio-go getEndpointURL / isValidEndpointURL;
 * - git URLs: isomorphic-git GitRemoteManager / extractAuthFromUrl and git's
 *   connect.c ("strange hostname/pathname blocked");
 * - authors: git fsck_ident (fsck.c);
 * - secret names: @backstage/config's CONFIG_KEY_PART_PATTERN, and Kubernetes
 *   object names (Kratix's secretRef names a Secret);
 * - object names: Kubernetes IsDNS1123Subdomain (apimachinery validation.go);
 * - entity refs: @backstage/catalog-model's KubernetesValidatorFunctions
 *   (kind, namespace and name rules) and parseEntityRef's `[kind:][namespace/]name`.
 */
import type { FilepathMode } from './kinds/Destination';
import { goClean, goJoin } from './paths';
import { isAmazonEndpoint, isAmazonOutpostsEndpoint } from './s3Endpoint';

// ---------------------------------------------------------------- helpers

const MAX_ECHO = 100;

/** Characters JSON.stringify leaves as they are but a reader cannot see. */
const INVISIBLE = /[\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF]/g;

/** A value for a message: JSON-quoted, invisible characters escaped, shortened. */
function quote(value: string): string {
  const short = value.length <= MAX_ECHO ? value : value.slice(0, MAX_ECHO);
  const json = JSON.stringify(short).replace(
    INVISIBLE,
    ch => `\\u${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
  );
  return short === value ? json : `${json.slice(0, -1)}…"`;
}

function withCommas(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Bytes in UTF-8; an unpaired surrogate counts as the 3 bytes of U+FFFD. */
export function utf8Length(s: string): number {
  let bytes = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) bytes += 1;
    else if (cp < 0x800) bytes += 2;
    else if (cp < 0x10000) bytes += 3;
    else bytes += 4;
  }
  return bytes;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function isControl(code: number, c1: boolean): boolean {
  return code < 0x20 || code === 0x7f || (c1 && code >= 0x80 && code <= 0x9f);
}

const CONTROL_NAMES: Record<number, string> = {
  0x00: 'NUL',
  0x09: 'tab',
  0x0a: 'newline',
  0x0d: 'carriage return',
  0x7f: 'DEL',
};

/** "U+000A (newline)" for the first control character, or undefined. */
function firstControl(s: string, c1 = true): string | undefined {
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (isControl(code, c1)) {
      const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
      return CONTROL_NAMES[code] ? `${hex} (${CONTROL_NAMES[code]})` : hex;
    }
  }
  return undefined;
}

/**
 * A message for text that holds a control character (C0, DEL or C1), naming
 * the field, the character and the fix; undefined for clean text. For
 * request fields such as query parameters, where such characters never belong.
 */
export function controlCharacterError(field: string, value: string): string | undefined {
  const control = firstControl(value);
  if (!control) return undefined;
  return `${field}: ${quote(value)} contains the control character ${control}; remove it`;
}

function stringErrors(field: string, value: unknown, example: string): string[] | undefined {
  if (typeof value !== 'string') return [`${field}: must be a string, e.g. ${example}`];
  if (value === '') return [`${field}: must not be empty; set it, e.g. ${example}`];
  return undefined;
}

/** The common encoding checks: well-formed Unicode, no control characters, no backslash. */
function textErrors(field: string, value: string, shown: string, what: string): string[] {
  const errors: string[] = [];
  if (LONE_SURROGATE.test(value)) {
    errors.push(
      `${field}: ${shown} is not valid Unicode (it has an unpaired UTF-16 surrogate) and cannot be written as UTF-8; fix the ${what}'s encoding`,
    );
  }
  const control = firstControl(value);
  if (control) {
    errors.push(
      `${field}: ${shown} contains the control character ${control}; ${what}s must not contain control characters, remove it`,
    );
  }
  if (value.includes('\\')) {
    errors.push(`${field}: ${shown} contains a backslash; use "/" to separate directories`);
  }
  return errors;
}

// ------------------------------------------------------- path segments

/** Code points HFS+ ignores, so ".g\u200Cit" is ".git" on a Mac (git utf8.c next_hfs_char). */
const HFS_IGNORABLE = /[\u200C-\u200F\u202A-\u202E\u206A-\u206F\uFEFF]/g;

/**
 * True for a name git or isomorphic-git treat as `.git`: any case, HFS+
 * ignorable code points dropped, an NTFS alternate data stream (":…") or
 * trailing dots and spaces ignored, and the NTFS short names `git~1`…`git~9`.
 */
export function isDotGitAlias(segment: string): boolean {
  const visible = segment.replace(HFS_IGNORABLE, '');
  const ntfs = visible
    .split(':')[0]
    .toLowerCase()
    .replace(/[. ]+$/, '');
  return ntfs === '.git' || /^\.?git~[1-9]$/.test(ntfs);
}

const DOT_GIT_HINT =
  'git reserves ".git" for its own directory and refuses it in any case, with trailing dots or spaces, as "git~1" or with invisible characters; rename it';

/** The checks shared by file paths and Destination paths, on each segment. */
function segmentErrors(field: string, path: string, shown: string, dotDotHint: string): string[] {
  const segments = path.split('/').filter(s => s !== '' && s !== '.');
  const errors: string[] = [];
  if (segments.includes('..'))
    errors.push(`${field}: ${shown} contains a ".." segment; ${dotDotHint}`);
  const dotGit = segments.find(isDotGitAlias);
  if (dotGit !== undefined)
    errors.push(`${field}: ${shown} contains the segment ${quote(dotGit)}; ${DOT_GIT_HINT}`);
  const disguised = segments.find(s => {
    const visible = s.replace(HFS_IGNORABLE, '');
    return visible !== s && (visible === '.' || visible === '..');
  });
  if (disguised !== undefined) {
    errors.push(
      `${field}: ${shown} contains the segment ${quote(disguised)}, which is "." or ".." once invisible characters are dropped; git and isomorphic-git refuse it, remove the invisible characters`,
    );
  }
  const long = segments.find(s => utf8Length(s) > 255);
  if (long !== undefined) {
    errors.push(
      `${field}: ${shown} has a segment of ${utf8Length(long)} bytes (UTF-8), over the 255-byte limit for one file or directory name; shorten it`,
    );
  }
  return errors;
}

// ------------------------------------------------------------- 1. files

const MAX_KEY_BYTES = 1024;

/** A file path inside a work, relative to the work root (`./a` and `a//b` are tolerated). */
export function filePathErrors(field: string, path: unknown): string[] {
  const invalid = stringErrors(field, path, '"app/deployment.yaml"');
  if (invalid) return invalid;
  const p = path as string;
  const shown = quote(p);
  const errors = textErrors(field, p, shown, 'file name');
  if (p.startsWith('/')) {
    errors.push(
      `${field}: ${shown} is absolute; give the path relative to the work root, e.g. "app/deployment.yaml"`,
    );
  } else if (p.endsWith('/') || goClean(p) === '.') {
    if (!p.split('/').includes('..')) {
      errors.push(
        `${field}: ${shown} names a directory, not a file; add a file name, e.g. "app/deployment.yaml"`,
      );
    }
  }
  errors.push(...segmentErrors(field, p, shown, 'files must stay inside the work'));
  const bytes = utf8Length(goClean(p));
  if (bytes > MAX_KEY_BYTES) {
    errors.push(
      `${field}: ${shown} is ${withCommas(bytes)} bytes long (UTF-8), over the ${withCommas(MAX_KEY_BYTES)}-byte limit; shorten the path`,
    );
  }
  return errors;
}

// --------------------------------------------------------- 2. conflicts

/** A file that is also the directory of another file, among the cleaned paths of one work. */
export function pathConflictErrors(field: string, paths: string[]): string[] {
  const files = new Set(paths);
  const reported = new Set<string>();
  const errors: string[] = [];
  for (const p of paths) {
    for (let slash = p.indexOf('/', 1); slash !== -1; slash = p.indexOf('/', slash + 1)) {
      const dir = p.slice(0, slash);
      if (files.has(dir) && !reported.has(dir)) {
        reported.add(dir);
        errors.push(
          `${field}: ${quote(dir)} is a file and also the directory of ${quote(p)}; rename one of them`,
        );
      }
    }
  }
  return errors;
}

// ----------------------------------------------------------- 3. S3 keys

/** A full S3 object key (store path + Destination path + file) over the key limit. */
export function storeKeyErrors(field: string, key: string, maxBytes = MAX_KEY_BYTES): string[] {
  const bytes = utf8Length(key);
  if (bytes <= maxBytes) return [];
  return [
    `${field}: the object key ${quote(key)} is ${withCommas(bytes)} bytes (UTF-8), over the ${withCommas(maxBytes)}-byte limit for S3 object keys; use a shorter Destination path or file name`,
  ];
}

/** What keyTooLong needs of a Destination. */
export interface KeyDestination {
  name: string;
  /** `spec.path` as written. */
  path: string;
  mode: FilepathMode;
}

/** What keyTooLong needs of a placement: the work's identity and the workload group. */
export interface KeyPlacement {
  namespace: string;
  promise: string;
  /** Absent (or empty) for a dependency. */
  resource?: string;
  /** Empty for static dependencies. */
  pipeline: string;
  /** The workload group's ID (hex md5 of its directory) or its first 5 characters. */
  groupId: string;
  /** The placement's name, `<work>.<destination>-<shortId>` (none mode: its state file's name). */
  name: string;
}

/** A path as stores compare it: cleaned, no leading `/`, `''` for the root. */
function storeKey(p: string): string {
  const clean = goClean(p).replace(/^\/+/, '');
  return clean === '.' ? '' : clean;
}

/**
 * The object keys a placement's files get in a store: `<store prefix>/` then
 * the Destination's layout (nestedByMetadata: its placement directory;
 * none: `<dest.path>/<file>`, and the `.kratix/` state file). aggregatedYAML
 * writes every placement into the Destination's one file, so a work's files
 * make no key of their own there (none is returned).
 */
export function placementObjectKeys(
  storePrefix: string,
  destination: KeyDestination,
  placement: KeyPlacement,
  filePaths: string[],
): { file?: string; key: string }[] {
  const under = (p: string) => storeKey(goJoin(storePrefix, p));
  const id = placement.groupId.slice(0, 5);
  if (destination.mode === 'nestedByMetadata') {
    const p = placement;
    const dir = p.resource
      ? goJoin(destination.path, 'resources', p.namespace, p.promise, p.resource, p.pipeline, id)
      : goJoin(destination.path, 'dependencies', p.promise, p.pipeline, id);
    return filePaths.map(file => ({ file, key: under(goJoin(dir, file)) }));
  }
  if (destination.mode === 'none') {
    const state = goJoin(
      `${destination.path}/`,
      '.kratix',
      `${placement.namespace}-${placement.name}.yaml`,
    );
    return [
      ...filePaths.map(file => ({ file, key: under(goJoin(`${destination.path}/`, file)) })),
      { key: under(state) },
    ];
  }
  return [];
}

/**
 * Intake's check of S3's key limit once the Destination is known: the first
 * file of a placement (or its none-mode state file) whose full object key,
 * with the store's prefix and the Destination's layout, is over `maxBytes`,
 * as a message naming the file, the Destination and the fix; undefined when
 * every key fits. Pure: the caller passes the store's `spec.path`.
 */
export function keyTooLong(
  storePrefix: string,
  destination: KeyDestination,
  placement: KeyPlacement,
  filePaths: string[],
  maxBytes = MAX_KEY_BYTES,
): string | undefined {
  for (const { file, key } of placementObjectKeys(storePrefix, destination, placement, filePaths)) {
    const bytes = utf8Length(key);
    if (bytes <= maxBytes) continue;
    const what = file === undefined ? 'the state file of this work' : `the file ${quote(file)}`;
    const shorten =
      file === undefined
        ? "shorten the work's promise, resource or pipeline name"
        : 'shorten the file path';
    return `files: ${what} would be stored on Destination ${destination.name} as the object key ${quote(key)}, ${withCommas(bytes)} bytes (UTF-8), over the ${withCommas(maxBytes)}-byte limit for S3 object keys; ${shorten} (by ${withCommas(bytes - maxBytes)} bytes or more) or schedule the work to a Destination with a shorter path`;
  }
  return undefined;
}

// ---------------------------------------------------------- 4. branches

const REF_FORBIDDEN = [' ', '~', '^', ':', '?', '*', '[', '\\'];

function refComponentReasons(component: string): string[] {
  const reasons: string[] = [];
  if (component.startsWith('.')) reasons.push(`the part ${quote(component)} starts with "."`);
  if (component.endsWith('.lock')) reasons.push(`the part ${quote(component)} ends with ".lock"`);
  return reasons;
}

function refReasons(branch: string): string[] {
  if (branch === '@') return ['it is "@", which git reads as HEAD'];
  if (branch === 'HEAD') return ['"HEAD" is reserved'];
  const reasons: string[] = [];
  if (LONE_SURROGATE.test(branch)) reasons.push('it is not valid Unicode');
  if (branch.startsWith('-')) reasons.push('it starts with "-"');
  const control = firstControl(branch, false);
  if (control) reasons.push(`it contains the control character ${control}`);
  for (const ch of REF_FORBIDDEN) {
    if (branch.includes(ch))
      reasons.push(ch === ' ' ? 'it contains a space' : `it contains ${quote(ch)}`);
  }
  if (branch.includes('..')) reasons.push('it contains ".."');
  if (branch.includes('@{')) reasons.push('it contains "@{"');
  if (branch.startsWith('/')) reasons.push('it starts with "/"');
  if (branch.endsWith('/')) reasons.push('it ends with "/"');
  if (branch.includes('//')) reasons.push('it contains "//"');
  for (const component of branch.split('/')) reasons.push(...refComponentReasons(component));
  if (branch.endsWith('.')) reasons.push('it ends with "."');
  return reasons;
}

/** `git check-ref-format --branch`: the rules for `refs/heads/<branch>`. */
export function gitRefNameErrors(field: string, branch: unknown): string[] {
  const invalid = stringErrors(field, branch, 'main');
  if (invalid) return invalid;
  const reasons = refReasons(branch as string);
  if (reasons.length === 0) return [];
  return [
    `${field}: ${quote(branch as string)} is not a valid branch name (${reasons.join('; ')}); use a name git accepts, e.g. main`,
  ];
}

// ----------------------------------------------------------- 5. buckets

const BUCKET_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const BUCKET_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

function bucketReasons(name: string): string[] {
  const reasons: string[] = [];
  if (name.length < 3 || name.length > 63)
    reasons.push(`it is ${name.length} characters long (3 to 63 allowed)`);
  const bad = [...new Set(name.replace(/[a-z0-9.-]/g, ''))].slice(0, 5);
  if (bad.length > 0) reasons.push(`it contains ${bad.map(quote).join(', ')}`);
  if (!/^[a-z0-9]/.test(name)) reasons.push('it does not start with a lowercase letter or digit');
  if (!/[a-z0-9]$/.test(name)) reasons.push('it does not end with a lowercase letter or digit');
  if (name.includes('..')) reasons.push('it contains ".."');
  if (name.includes('.-') || name.includes('-.')) {
    reasons.push('it contains ".-" or "-." (the minio client Kratix uses refuses them)');
  }
  if (/^(\d+\.){3}\d+$/.test(name)) reasons.push('it is formatted as an IP address');
  const prefix = BUCKET_PREFIXES.find(p => name.startsWith(p));
  if (prefix) reasons.push(`it starts with the reserved prefix ${quote(prefix)}`);
  const suffix = BUCKET_SUFFIXES.find(s => name.endsWith(s));
  if (suffix) reasons.push(`it ends with the reserved suffix ${quote(suffix)}`);
  return reasons;
}

/** Amazon S3 general purpose bucket naming rules. */
export function bucketNameErrors(field: string, name: unknown): string[] {
  const invalid = stringErrors(field, name, 'kratix-state');
  if (invalid) return invalid;
  const reasons = bucketReasons(name as string);
  if (reasons.length === 0) return [];
  return [
    `${field}: ${quote(name as string)} is not a valid S3 bucket name (${reasons.join('; ')}); use 3 to 63 lowercase letters, digits, dots and hyphens, e.g. kratix-state`,
  ];
}

// ------------------------------------------------------ URLs, in parts

interface UrlParts {
  /** Lower-case scheme, or '' when there is none. */
  scheme: string;
  rawScheme: string;
  userinfo?: string;
  hostPort: string;
  path: string;
  query?: string;
  fragment?: string;
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

function splitUrl(value: string): UrlParts {
  const rawScheme = SCHEME.exec(value)?.[1] ?? '';
  let rest = rawScheme ? value.slice(rawScheme.length + 3) : value;
  const parts: Partial<UrlParts> = { rawScheme, scheme: rawScheme.toLowerCase() };
  const hash = rest.indexOf('#');
  if (hash !== -1) [rest, parts.fragment] = [rest.slice(0, hash), rest.slice(hash + 1)];
  const question = rest.indexOf('?');
  if (question !== -1) [rest, parts.query] = [rest.slice(0, question), rest.slice(question + 1)];
  const slash = rest.indexOf('/');
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  parts.path = slash === -1 ? '' : rest.slice(slash);
  const at = authority.lastIndexOf('@');
  if (at !== -1) parts.userinfo = authority.slice(0, at);
  parts.hostPort = authority.slice(at + 1);
  return parts as UrlParts;
}

/**
 * The value with credentials and query values replaced by `***`: the whole
 * userinfo, or only the password when `keepUser` (SSH user names).
 */
function redact(value: string, keepUser: boolean): string {
  const u = splitUrl(value);
  let out = u.rawScheme ? `${u.rawScheme}://` : '';
  if (u.userinfo !== undefined) {
    const colon = u.userinfo.indexOf(':');
    if (!keepUser) out += '***@';
    else out += colon === -1 ? `${u.userinfo}@` : `${u.userinfo.slice(0, colon)}:***@`;
  }
  out += u.hostPort + u.path;
  if (u.query !== undefined) {
    const pairs = u.query
      .split('&')
      .map(p => (p.includes('=') ? `${p.slice(0, p.indexOf('='))}=***` : '***'));
    out += `?${pairs.join('&')}`;
  }
  if (u.fragment !== undefined) out += '#***';
  return out;
}

function hostErrors(host: string): string | undefined {
  if (host === '') return 'has no host';
  if (host.startsWith('[')) {
    return /^\[[0-9A-Fa-f:.]+\]$/.test(host) && host.includes(':')
      ? undefined
      : `has an invalid IPv6 host ${quote(host)}`;
  }
  if (/^[\d.]+$/.test(host)) {
    const octets = host.split('.');
    const ok = octets.length === 4 && octets.every(o => /^\d{1,3}$/.test(o) && Number(o) <= 255);
    return ok ? undefined : `has an invalid IPv4 address ${quote(host)}`;
  }
  const valid =
    host.length <= 255 &&
    /^[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*$/.test(host) &&
    !/[-_]$/.test(host);
  return valid
    ? undefined
    : `has an invalid host name ${quote(host)} (letters, digits, "-", "_" and "." only, not starting with "-" or "." nor ending with "-"; write international names in punycode)`;
}

function hostPortErrors(hostPort: string): string[] {
  if (!hostPort.startsWith('[') && hostPort.indexOf(':') !== hostPort.lastIndexOf(':')) {
    return [
      `has more than one ":" in ${quote(hostPort)}; write an IPv6 address in brackets, e.g. [::1]:9000`,
    ];
  }
  const m = /^(\[[^\]]*\]|[^[\]]*?)(?::([^:[\]]*))?$/.exec(hostPort);
  const host = m ? m[1] : hostPort;
  const port = m ? m[2] : undefined;
  const problems: string[] = [];
  const hostProblem = hostErrors(host);
  if (hostProblem) problems.push(hostProblem);
  if (
    port !== undefined &&
    !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)
  ) {
    problems.push(
      `has an invalid port ${quote(port)}; use a number from 1 to 65535 or leave the port out`,
    );
  }
  return problems;
}

// ---------------------------------------------------------- 6. endpoint

function endpointHostRules(hostPort: string): string[] {
  const host = hostPort.replace(/:\d*$/, '').toLowerCase();
  if (host.includes('.s3.amazonaws.com') && !isAmazonEndpoint(host)) {
    return [
      'names a bucket\'s own address; minio-go only accepts "s3.amazonaws.com" (or s3.<region>.amazonaws.com) there: put that in the endpoint and the bucket in spec.bucketName',
    ];
  }
  if (host.includes('.googleapis.com') && host !== 'storage.googleapis.com') {
    return [
      'is a Google host other than storage.googleapis.com, which minio-go refuses; use storage.googleapis.com',
    ];
  }
  if (host.includes('s3-outposts') && !isAmazonOutpostsEndpoint(host)) {
    return [
      'is not an S3 on Outposts endpoint of the form <prefix>.s3-outposts.<region>.amazonaws.com, which minio-go refuses',
    ];
  }
  return [];
}

/** An S3 endpoint: `host[:port]` or `http(s)://host[:port]`, with at most a trailing `/`. */
export function endpointErrors(field: string, endpoint: unknown): string[] {
  const invalid = stringErrors(
    field,
    endpoint,
    '"minio.example.com:9000" or "https://s3.eu-west-2.amazonaws.com"',
  );
  if (invalid) return invalid;
  const value = endpoint as string;
  const shown = quote(redact(value, false));
  const fix = 'give host[:port] or http(s)://host[:port], e.g. minio.example.com:9000';
  if (/\s/.test(value) || firstControl(value) || LONE_SURROGATE.test(value)) {
    return [
      `${field}: ${shown} contains whitespace, a control character or invalid Unicode; ${fix}`,
    ];
  }
  const u = splitUrl(value);
  if (u.rawScheme && u.scheme !== 'http' && u.scheme !== 'https') {
    return [`${field}: ${shown} uses the scheme "${u.rawScheme}"; ${fix}`];
  }
  const problems: string[] = [];
  if (u.userinfo !== undefined) {
    problems.push('contains credentials; remove them and put the access key in kratix.secrets');
  }
  if (u.path !== '' && u.path !== '/') {
    problems.push(
      'has a path; remove it (the bucket goes in spec.bucketName, the folder in spec.path)',
    );
  }
  if (u.query !== undefined) problems.push('has a query string; remove it');
  if (u.fragment !== undefined) problems.push('has a fragment ("#…"); remove it');
  problems.push(...hostPortErrors(u.hostPort));
  if (problems.length === 0) problems.push(...endpointHostRules(u.hostPort));
  return problems.map(p => `${field}: ${shown} ${p}${p.includes(';') ? '' : `; ${fix}`}`);
}

// ----------------------------------------------------------- 7. git URL

const GIT_URL_FIX =
  "use the repository's https:// URL, ssh://git@host/org/repo.git or git@host:org/repo.git";
const SCP_LIKE = /^([^/@:]+)@([^/@:]+):(.*)$/;

function schemedGitUrlProblems(u: UrlParts): string[] {
  const problems: string[] = [];
  const ssh = u.scheme === 'ssh';
  if (u.rawScheme !== u.scheme) {
    problems.push(
      `writes the scheme in upper case, which isomorphic-git does not recognise; write "${u.scheme}://"`,
    );
  }
  if (u.userinfo !== undefined && (!ssh || u.userinfo.includes(':'))) {
    problems.push(
      ssh
        ? 'contains a password; remove it and put the SSH key in kratix.secrets'
        : 'contains credentials; remove them from the URL and put the username and token in kratix.secrets',
    );
  } else if (u.userinfo?.startsWith('-')) {
    problems.push('has a user name starting with "-", which git blocks; remove the "-"');
  }
  problems.push(
    ...hostPortErrors(u.hostPort).map(p => (p.includes(';') ? p : `${p}; ${GIT_URL_FIX}`)),
  );
  if (u.path === '' || u.path === '/') {
    problems.push(
      'names no repository (its path is empty); add it, e.g. https://github.com/org/repo.git',
    );
  }
  if (u.query !== undefined) {
    problems.push(
      'has a query string; remove it (tokens belong in kratix.secrets, not in the URL)',
    );
  }
  if (u.fragment !== undefined) problems.push('has a fragment ("#…"); remove it');
  return problems;
}

function scpGitUrlProblems(user: string, host: string, path: string): string[] {
  const problems: string[] = [];
  if (user.startsWith('-'))
    problems.push('has a user name starting with "-", which git blocks; remove the "-"');
  const hostProblem = hostErrors(host);
  if (hostProblem)
    problems.push(hostProblem.includes(';') ? hostProblem : `${hostProblem}; ${GIT_URL_FIX}`);
  if (path === '' || path === '/') {
    problems.push(
      'names no repository (its path is empty); add it, e.g. git@github.com:org/repo.git',
    );
  } else if (path.startsWith('-')) {
    problems.push('has a path starting with "-", which git blocks; remove the "-"');
  } else if (path.startsWith('\\')) {
    problems.push(`has a path starting with a backslash; ${GIT_URL_FIX}`);
  }
  return problems;
}

/** A GitStateStore URL: http(s)://, ssh://[user@]host[:port]/path or scp-like user@host:path. */
export function gitUrlErrors(field: string, url: unknown): string[] {
  const invalid = stringErrors(field, url, 'https://github.com/org/repo.git');
  if (invalid) return invalid;
  const value = url as string;
  const u = splitUrl(value);
  const scp = u.rawScheme ? null : SCP_LIKE.exec(value);
  const shown = quote(redact(value, u.scheme === 'ssh' || scp !== null));
  if (/\s/.test(value) || firstControl(value) || LONE_SURROGATE.test(value)) {
    return [
      `${field}: ${shown} contains whitespace, a control character or invalid Unicode; remove it`,
    ];
  }
  let problems: string[];
  if (u.rawScheme) {
    problems = ['http', 'https', 'ssh'].includes(u.scheme)
      ? schemedGitUrlProblems(u)
      : [
          `uses the "${u.rawScheme}" scheme, which State Stores are not written over; ${GIT_URL_FIX}`,
        ];
  } else if (scp) {
    problems = scpGitUrlProblems(scp[1], scp[2], scp[3]);
  } else {
    problems = [`is not a URL the writer understands; ${GIT_URL_FIX}`];
  }
  return problems.map(p => `${field}: ${shown} ${p}`);
}

// ------------------------------------------------------------ 8. author

const AUTHOR_FORBIDDEN: [string, string][] = [
  ['\n', 'a newline'],
  ['\r', 'a carriage return'],
  ['\0', 'a NUL character'],
  ['<', '"<"'],
  ['>', '">"'],
];

/** Commit author name and email: nothing that would break or inject a commit header line. */
export function gitAuthorErrors(
  field: string,
  author: { name?: unknown; email?: unknown },
): string[] {
  if (typeof author !== 'object' || author === null) {
    return [
      `${field}: must be an object with name and email, e.g. { name: Kratix, email: kratix@example.com }`,
    ];
  }
  const errors: string[] = [];
  for (const key of ['name', 'email'] as const) {
    const value = author[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') {
      errors.push(`${field}.${key}: must be a string`);
      continue;
    }
    if (key === 'name' && value.trim() === '') {
      errors.push(
        `${field}.name: must not be empty; git refuses a commit without an author name, e.g. Kratix`,
      );
    }
    const found = AUTHOR_FORBIDDEN.filter(([ch]) => value.includes(ch)).map(([, label]) => label);
    if (found.length > 0) {
      errors.push(
        `${field}.${key}: ${quote(value)} contains ${found.join(', ')}; these would break the commit's author line, remove them`,
      );
    }
  }
  return errors;
}

// ---------------------------------------------------------- 9. secrets

/** @backstage/config's CONFIG_KEY_PART_PATTERN (reader.ts; the same in config-loader). */
const CONFIG_KEY_PART = /^[a-z][a-z0-9]*(?:[-_:][a-z0-9]+)*$/i;
/** Kubernetes IsDNS1123Subdomain: lowercase alphanumeric labels joined by ".", up to 253 characters. */
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const MAX_OBJECT_NAME = 253;

function suggestKey(name: string): string {
  const suggestion = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '');
  return suggestion !== '' && suggestion.length <= MAX_OBJECT_NAME
    ? suggestion
    : 'my-store-credentials';
}

/**
 * A secret name: Kratix's secretRef names a Kubernetes Secret (an object
 * name), and here it is also one Backstage config key under `kratix.secrets`;
 * so lowercase letters, digits and single "-", starting with a letter.
 */
export function secretRefNameErrors(field: string, name: unknown): string[] {
  const invalid = stringErrors(field, name, 'my-store-credentials');
  if (invalid) return invalid;
  const value = name as string;
  const isObjectName = value.length <= MAX_OBJECT_NAME && DNS_1123_SUBDOMAIN.test(value);
  if (isObjectName && CONFIG_KEY_PART.test(value)) return [];
  const dot = value.includes('.') ? '; a "." would be read as a nested key' : '';
  const kube = isObjectName
    ? ''
    : ' a Kubernetes object name, as Kratix\'s secretRef names a Secret (at most 253 lowercase letters, digits, "-" and ".", starting and ending with a letter or digit), and';
  return [
    `${field}: ${quote(value)} is not a valid secret name: it must be${kube} a key under kratix.secrets in app-config (Backstage config keys are letters and digits joined by single "-", "_" or ":", starting with a letter${dot}); rename it, e.g. ${suggestKey(value)}`,
  ];
}

// ------------------------------------------------------ 9b. object names

/** A Kubernetes object name (DNS-1123 subdomain), e.g. the State Store a Destination's stateStoreRef names. */
export function objectNameErrors(
  field: string,
  name: unknown,
  what: string,
  example: string,
): string[] {
  const invalid = stringErrors(field, name, example);
  if (invalid) return invalid;
  const value = name as string;
  if (value.length <= MAX_OBJECT_NAME && DNS_1123_SUBDOMAIN.test(value)) return [];
  const length =
    value.length > MAX_OBJECT_NAME ? ` (it is ${withCommas(value.length)} characters long)` : '';
  return [
    `${field}: ${quote(value)} is not a Kubernetes object name${length}, as ${what} must be; use at most 253 lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, e.g. ${example}`,
  ];
}

// ------------------------------------------------------- 9c. entity refs

const REF_KIND = /^[a-zA-Z][a-zA-Z0-9]*$/;
const REF_NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const REF_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/**
 * A Backstage entity reference `[kind:][namespace/]name`, as parseEntityRef
 * splits it, each part by the catalog's rules: kind alphanumeric starting
 * with a letter; namespace a DNS label of at most 63 characters; name at most
 * 63 letters, digits, "-", "_" and ".", starting and ending alphanumeric.
 */
export function entityRefErrors(field: string, ref: unknown, example: string): string[] {
  const invalid = stringErrors(field, ref, example);
  if (invalid) return invalid;
  const value = ref as string;
  const colon = value.indexOf(':');
  const kind = colon === -1 ? undefined : value.slice(0, colon);
  const rest = colon === -1 ? value : value.slice(colon + 1);
  const slash = rest.indexOf('/');
  const namespace = slash === -1 ? undefined : rest.slice(0, slash);
  const name = slash === -1 ? rest : rest.slice(slash + 1);
  const reasons: string[] = [];
  const control = firstControl(value);
  if (control) reasons.push(`it contains the control character ${control}`);
  if (kind !== undefined && !REF_KIND.test(kind)) {
    reasons.push(`the kind ${quote(kind)} is not letters and digits starting with a letter`);
  }
  if (namespace !== undefined && (namespace.length > 63 || !REF_NAMESPACE.test(namespace))) {
    reasons.push(
      `the namespace ${quote(namespace)} is not at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit`,
    );
  }
  if (name.length > 63 || !REF_NAME.test(name)) {
    reasons.push(
      `the name ${quote(name)} is not at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit`,
    );
  }
  if (reasons.length === 0) return [];
  return [
    `${field}: ${quote(value)} is not an entity reference (${reasons.join('; ')}); write [kind:][namespace/]name, e.g. ${example}`,
  ];
}

// ------------------------------------------------- 10. Destination path

/** A Destination (or State Store) `spec.path`: `/`, `.`, `dev/` and `./dev` are all fine. */
export function destinationPathErrors(field: string, path: unknown): string[] {
  const invalid = stringErrors(field, path, '"dev" or "/"');
  if (invalid) return invalid;
  const p = path as string;
  const shown = quote(p);
  return [
    ...textErrors(field, p, shown, 'path'),
    ...segmentErrors(field, p, shown, 'paths must stay inside the State Store, remove the ".."'),
  ];
}
