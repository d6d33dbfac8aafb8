/**
 * Go's `path.Clean`: collapses repeated slashes, removes `.` segments,
 * resolves `..` against earlier segments, drops a trailing slash and keeps a
 * leading one. An empty result is `"."`.
 */
export function goClean(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(seg);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

/**
 * Go's `path.Join`: drops empty arguments, joins the rest with `/` and
 * cleans the result. All-empty input gives `""` (unlike Node's path.posix.join).
 */
export function goJoin(...parts: string[]): string {
  const kept = parts.filter(p => p !== '');
  if (kept.length === 0) return '';
  return goClean(kept.join('/'));
}

/** True when a path, taken segment by segment, contains `..`. */
export function hasDotDotSegment(p: string): boolean {
  return p.split('/').some(seg => seg === '..');
}

/** A path that would leave its Destination's directory. */
export class PathEscapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PathEscapeError';
  }
}

/**
 * Joins `base` and `relative` and refuses a result that leaves `base`.
 * Kratix silently drops such writes; we fail loudly instead.
 */
export function joinWithin(base: string, relative: string, what: string): string {
  const joined = goJoin(base, relative);
  const root = goClean(base === '' ? '.' : base);
  const inside = isWithin(root, joined);
  if (!inside) {
    throw new PathEscapeError(
      `${what}: "${relative}" resolves to "${joined}", outside "${root}"; remove the ".." segments`,
    );
  }
  return joined;
}

/** True when `path` (cleaned) is `root` or below it; `.` and `""` are the store root. */
export function isWithin(root: string, path: string): boolean {
  if (root === '.' || root === '') {
    return path !== '..' && !path.startsWith('../') && !path.startsWith('/');
  }
  if (root === '/') return path.startsWith('/');
  return path === root || path.startsWith(`${root}/`);
}
