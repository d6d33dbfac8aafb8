import { StoreError } from '../errors';
import { hostAllowed, type BoundSecret } from './secrets';

/**
 * Credentials bound narrower than a host: to Git repositories
 * (`allowedRepositories`) and to buckets (`allowedBuckets`). A host binding
 * alone let any store on an allowed host use a secret, so a store pointing at
 * another team's repository on the same server wrote there with it.
 *
 * Repository patterns are `host[:port]/path`. A scheme (`https://`,
 * `ssh://`), a user (`git@`), the scp form's `:` (`git@host:org/repo`), a
 * trailing `.git` and trailing slashes are ignored, so a store URL pasted as
 * is lists exactly that repository. The host is compared case-insensitively
 * and exactly (no wildcard); a pattern without a port matches any port, with
 * one only that port (a URL without a port has its scheme's: 443, 80, 22).
 * The path is compared case-sensitively, segment by segment: `*` matches any
 * characters within one segment (`org/*` is every repository directly in
 * `org`, `org/team-*` those whose name starts with `team-`) and never a `/`;
 * `**` as the last segment matches one or more segments (`group/**`: every
 * repository in `group` and its subgroups; `host/**`: every repository on the
 * host). A repository path with an empty, `.` or `..` segment matches nothing.
 */

/** A repository as patterns see it. */
export interface RepositoryId {
  /** Lower case, without IPv6 brackets. */
  host: string;
  /** The URL's port, or its scheme's default (what a pattern's port is compared with). */
  port: string;
  /** Segments joined by `/`, without leading or trailing `/` and `.git`. */
  path: string;
  /** False when the path has an empty, `.` or `..` segment or a backslash: it matches no pattern. */
  plain: boolean;
  /** `host[:port]/path`, a non-default port shown: what errors show, and the pattern that lists it. */
  display: string;
}

const DEFAULT_PORTS: Record<string, string> = {
  http: '80',
  https: '443',
  ssh: '22',
  'git+ssh': '22',
  'ssh+git': '22',
};

function repoPath(raw: string): string {
  return raw
    .replace(/^\/+/, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '');
}

function identify(rawHost: string, port: string, defaultPort: string, rawPath: string) {
  const host = rawHost.toLowerCase().replace(/^\[|\]$/g, '');
  const path = repoPath(rawPath);
  const plain =
    path !== '' &&
    !path.includes('\\') &&
    path.split('/').every(s => s !== '' && s !== '.' && s !== '..');
  const shownPort = port && port !== defaultPort ? `:${port}` : '';
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    host,
    port: port || defaultPort,
    path,
    plain,
    display: `${shownHost}${shownPort}/${path}`,
  };
}

/** The repository a GitStateStore's `spec.url` names: `http(s)://`, `ssh://` or `user@host:path`. */
export function repositoryId(url: string): RepositoryId {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url);
  if (scheme) {
    const u = new URL(url);
    let path: string;
    try {
      // Servers decode the path: compare what they will open (`%2F` is a separator to them).
      path = decodeURIComponent(u.pathname);
    } catch {
      path = '\\';
    }
    return identify(u.hostname, u.port, DEFAULT_PORTS[scheme[1].toLowerCase()] ?? '', path);
  }
  const scp = /^(?:[^@/]+@)?(\[[^\]]+\]|[^:/]+):(.*)$/.exec(url);
  return scp ? identify(scp[1], '', '22', scp[2]) : identify('', '', '', '\\');
}

interface RepositoryPattern {
  host: string;
  port?: string;
  /** Globs, one per segment; the last is `**` when `deep`. */
  segments: RegExp[];
  deep: boolean;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const glob = (g: string, any: string) => new RegExp(`^${g.split('*').map(escapeRe).join(any)}$`);

/** `host[:port]` then `/path`, or the scp form's `host:path`; digits after `:` are a port, never a path. */
function splitPattern(bare: string): { host: string; port?: string; path: string } | undefined {
  const m = /^(\[[^\]]+\]|[^:/]+)(.*)$/.exec(bare);
  if (!m) return undefined;
  const withPort = /^:(\d+)(?:\/(.*))?$/.exec(m[2]);
  if (withPort) return { host: m[1], port: withPort[1], path: withPort[2] ?? '' };
  if (!/^[:/]/.test(m[2])) return undefined;
  return { host: m[1], path: m[2].slice(1) };
}

function parsePattern(key: string, raw: string): RepositoryPattern {
  const bare = raw
    .trim()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/^[^@/]+@/, '');
  const parts = splitPattern(bare);
  const segments = parts ? repoPath(parts.path).split('/') : [];
  const deep = segments[segments.length - 1] === '**';
  const fixed = deep ? segments.slice(0, -1) : segments;
  const valid =
    parts !== undefined &&
    (fixed.length > 0 || deep) &&
    fixed.every(s => s !== '' && s !== '.' && s !== '..' && !s.includes('**'));
  if (!parts || !valid) {
    throw new StoreError(
      `${key}: "${raw}" names no repository; write host/org/repo, host/org/* or host/group/** (see config.d.ts)`,
      'config',
    );
  }
  return {
    host: parts.host.toLowerCase().replace(/^\[|\]$/g, ''),
    port: parts.port,
    segments: fixed.map(s => glob(s, '[^/]*')),
    deep,
  };
}

/** True when a pattern of `patterns` (the config key, for errors) lists the repository. */
export function repositoryListed(key: string, patterns: string[], id: RepositoryId): boolean {
  const parsed = patterns.map(p => parsePattern(key, p));
  if (!id.plain) return false;
  const segs = id.path.split('/');
  return parsed.some(p => {
    if (p.host !== id.host || (p.port && p.port !== id.port)) return false;
    const n = p.segments.length;
    if (p.deep ? segs.length <= n : segs.length !== n) return false;
    return p.segments.every((re, i) => re.test(segs[i]));
  });
}

/** Bucket names; `*` matches any characters. */
export function bucketListed(patterns: string[], bucket: string): boolean {
  return patterns.some(p => glob(p.trim(), '.*').test(bucket));
}

function unplain(store: string, id: RepositoryId, key: string): StoreError {
  return new StoreError(
    `${store}: spec.url names ${id.display}, whose path has an empty, "." or ".." segment and so matches no entry of ${key}; point spec.url at the repository's plain path`,
    'config',
  );
}

/** Refuses a secret for a repository its allowedRepositories do not list (nothing is sent). */
export function assertRepositoryBound(store: string, secret: BoundSecret, url: string): void {
  const { allowedRepositories: listed, allowedBuckets } = secret;
  if (listed === undefined && allowedBuckets === undefined) return;
  const key = `kratix.secrets.${secret.name}.allowedRepositories`;
  const id = repositoryId(url);
  if (listed !== undefined && repositoryListed(key, listed, id)) return;
  if (!id.plain) throw unplain(store, id, key);
  // A secret narrowed to buckets is not free to be used for every repository on its hosts.
  let why = `its allowedRepositories are ${listed?.join(', ')}`;
  if (listed === undefined) why = 'it lists allowedBuckets only, so it is bound to buckets';
  else if (listed.length === 0) why = 'its allowedRepositories are empty';
  throw new StoreError(
    `${store}: kratix.secrets.${secret.name} may not be used for ${id.display} (${why}); add ${id.display} to ${key} if it is yours`,
    'config',
  );
}

/** Refuses a secret for a bucket its allowedBuckets do not list (nothing is sent). */
export function assertBucketBound(store: string, secret: BoundSecret, bucket: string): void {
  const { allowedBuckets: listed, allowedRepositories } = secret;
  if (listed === undefined && allowedRepositories === undefined) return;
  if (listed !== undefined && bucketListed(listed, bucket)) return;
  let why = `its allowedBuckets are ${listed?.join(', ')}`;
  if (listed === undefined)
    why = 'it lists allowedRepositories only, so it is bound to repositories';
  else if (listed.length === 0) why = 'its allowedBuckets are empty';
  throw new StoreError(
    `${store}: kratix.secrets.${secret.name} may not be used for bucket ${bucket} (${why}); add ${bucket} to kratix.secrets.${secret.name}.allowedBuckets if it is yours`,
    'config',
  );
}

/** Backstage's integration credentials serve every plugin: Kratix uses them only for repositories listed for it. */
export function assertIntegrationRepository(
  store: string,
  listed: string[],
  url: string,
  integrationHost: string,
): void {
  const key = 'kratix.integrations.allowedRepositories';
  const id = repositoryId(url);
  if (repositoryListed(key, listed, id)) return;
  if (!id.plain) throw unplain(store, id, key);
  throw new StoreError(
    `${store}: Backstage's integration credentials for ${integrationHost} are used only for repositories listed in ${key}; add ${id.display} to use them, or give the store a secretRef`,
    'config',
  );
}

/** The same for the aws integration's main account and buckets. */
export function assertIntegrationBucket(store: string, listed: string[], bucket: string): void {
  if (bucketListed(listed, bucket)) return;
  throw new StoreError(
    `${store}: Backstage's aws integration credentials (aws.mainAccount) are used only for buckets listed in kratix.integrations.allowedBuckets; add ${bucket} to use them, or use authMethod accessKey with a secretRef`,
    'config',
  );
}

/**
 * A GitHub App's JWT mints tokens for every installation of the App: it goes
 * only to a token endpoint on the secret's allowedHosts. allowedRepositories
 * do not apply: the endpoint is an API, not a repository.
 */
export function assertApiBound(
  store: string,
  secret: Pick<BoundSecret, 'name' | 'allowedHosts'>,
  api: { url: string; from: string; fix: string },
): void {
  let u: URL;
  try {
    u = new URL(api.url);
  } catch {
    throw new StoreError(`${store}: ${api.url} (${api.from}) is not a URL; ${api.fix}`, 'config');
  }
  if (hostAllowed(secret.allowedHosts, u.hostname, u.port || undefined)) return;
  throw new StoreError(
    `${store}: kratix.secrets.${secret.name} may not send its GitHub App JWT to ${u.host} (the token endpoint ${api.url}, ${api.from}; its allowedHosts are ${secret.allowedHosts.join(', ')}); add ${u.host} to kratix.secrets.${secret.name}.allowedHosts if that GitHub API is yours, ${api.fix}`,
    'config',
  );
}
