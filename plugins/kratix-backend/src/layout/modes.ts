import { goJoin, joinWithin } from '@internal/plugin-kratix-common';
import { DEFAULT_AGGREGATED_FILENAME } from '@internal/plugin-kratix-common';
import { shortId } from './identity';
import { LayoutDestination, LayoutFile, LayoutPlacement } from './types';
import { renderStateFile, stateFilePath } from './stateFile';

/** The directory a nestedByMetadata placement owns and replaces as a whole. */
export function nestedPlacementDir(dest: LayoutDestination, p: LayoutPlacement): string {
  const id = shortId(p.workloadGroupId);
  if (!p.resource) {
    return goJoin(dest.path, 'dependencies', p.promise, p.pipeline, id);
  }
  return goJoin(dest.path, 'resources', p.namespace, p.promise, p.resource, p.pipeline, id);
}

/** The aggregated file of an aggregatedYAML Destination. */
export function aggregatedFilePath(dest: LayoutDestination): string {
  return goJoin(dest.path, dest.filename || DEFAULT_AGGREGATED_FILENAME);
}

/**
 * The aggregated file's bytes: every placement sorted by name (Go string
 * order, i.e. by UTF-16/bytes for ASCII names), each file in order, joined
 * with `\n---\n` between documents only.
 */
export function aggregatedContent(placements: LayoutPlacement[]): Buffer {
  const sorted = [...placements].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const parts: Buffer[] = [];
  const sep = Buffer.from('\n---\n');
  for (const p of sorted) {
    for (const f of p.files) {
      if (parts.length > 0) parts.push(sep);
      parts.push(f.content);
    }
  }
  return Buffer.concat(parts);
}

/** `none` mode: the path of each file, `Join(dest.path + "/", file)`. */
export function flatFilePath(dest: LayoutDestination, file: LayoutFile, placement: string): string {
  return joinWithin(`${dest.path}/`, file.path, `placement ${placement}: file`);
}

/** What one placement writes in a mode (aggregatedYAML is per Destination, see aggregatedContent). */
export interface PlacementLayout {
  /** path -> bytes. */
  files: Map<string, Buffer>;
  /** nestedByMetadata: the directory replaced as a whole (no trailing slash). */
  ownedDir?: string;
  /** none: the state file and the entries it lists. */
  stateFile?: { path: string; entries: string[] };
}

export function placementLayout(dest: LayoutDestination, p: LayoutPlacement): PlacementLayout {
  const files = new Map<string, Buffer>();
  if (dest.mode === 'nestedByMetadata') {
    const dir = nestedPlacementDir(dest, p);
    for (const f of p.files) {
      files.set(joinWithin(dir, f.path, `placement ${p.name}: file`), f.content);
    }
    return { files, ownedDir: dir };
  }
  if (dest.mode === 'none') {
    const entries = p.files.map(f => flatFilePath(dest, f, p.name));
    p.files.forEach((f, i) => files.set(entries[i], f.content));
    const path = stateFilePath(dest.path, p.namespace, p.name);
    files.set(path, Buffer.from(renderStateFile(entries)));
    return { files, stateFile: { path, entries } };
  }
  throw new Error(`placementLayout: mode ${dest.mode} is laid out per Destination`);
}

/**
 * Old state-file entries this placement no longer writes. An entry not under
 * the Destination's prefix is a legacy relative entry and gets the prefix,
 * as Kratix; but the prefix is the cleaned path, so `dev/` and `./dev` work
 * (Kratix compares against the raw string and never deletes them).
 */
export function staleStateEntries(
  dest: LayoutDestination,
  oldEntries: string[],
  newEntries: string[],
): string[] {
  const root = goJoin(dest.path) || '.';
  const prefix = root === '.' ? '' : root === '/' ? '/' : `${root}/`;
  const keep = new Set(newEntries);
  const stale: string[] = [];
  for (const entry of oldEntries) {
    const full = entry.startsWith(prefix) ? goJoin(entry) : goJoin(prefix, entry);
    if (!isWithin(root, full)) continue; // a hand-edited entry never deletes outside the Destination
    if (!keep.has(full) && !stale.includes(full)) stale.push(full);
  }
  return stale;
}

/** True when `path` (cleaned) is `root` or below it. */
export function isWithin(root: string, path: string): boolean {
  if (root === '.' || root === '')
    return path !== '..' && !path.startsWith('../') && !path.startsWith('/');
  if (root === '/') return path.startsWith('/');
  return path === root || path.startsWith(`${root}/`);
}
