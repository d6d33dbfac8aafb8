import {
  DEFAULT_AGGREGATED_FILENAME,
  FilepathMode,
  goJoin,
  joinWithin,
} from '@kratix-destinations/plugin-kratix-common';
import { shortId } from './identity';
import { LayoutDestination, LayoutFile, LayoutPlacement } from './types';
import { renderStateFile, stateFilePath } from './stateFile';

/** The directory a nestedByMetadata placement owns and replaces as a whole. */
export function nestedPlacementDir(
  dest: LayoutDestination,
  p: Pick<LayoutPlacement, 'namespace' | 'promise' | 'resource' | 'pipeline' | 'workloadGroupId'>,
): string {
  const id = shortId(p.workloadGroupId);
  if (!p.resource) return goJoin(dest.path, 'dependencies', p.promise, p.pipeline, id);
  return goJoin(dest.path, 'resources', p.namespace, p.promise, p.resource, p.pipeline, id);
}

/** The aggregated file of an aggregatedYAML Destination. */
export function aggregatedFilePath(dest: LayoutDestination): string {
  return goJoin(dest.path, dest.filename || DEFAULT_AGGREGATED_FILENAME);
}

/** True when a Destination's placements share one file instead of having files of their own. */
export function isAggregated(dest: Pick<LayoutDestination, 'mode'>): boolean {
  return dest.mode === 'aggregatedYAML';
}

/**
 * The aggregated file's bytes: every placement sorted by name (Go string
 * order), each file in order, joined with `\n---\n` between documents only.
 */
export function aggregatedContent(placements: LayoutPlacement[]): Buffer {
  const sorted = [...placements].sort((a, b) => byGoString(a.name, b.name));
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
export function flatFilePath(
  dest: LayoutDestination,
  file: Pick<LayoutFile, 'path'>,
  placement: string,
): string {
  return joinWithin(`${dest.path}/`, file.path, `placement ${placement}: file`);
}

/** What one placement writes, and where its files are. */
export interface PlacementLayout {
  /** path -> bytes (empty for aggregatedYAML: its content goes to the Destination's file). */
  files: Map<string, Buffer>;
  /** nestedByMetadata: the directory replaced as a whole (no trailing slash). */
  ownedDir?: string;
  /** none: the state file and the entries it lists. */
  stateFile?: { path: string; entries: string[] };
  /** What a user looks for: the directory, the state file or the aggregated file. */
  location: { mode: FilepathMode; path: string };
}

/** Throws PathEscapeError when a file would leave its directory. */
export function placementLayout(dest: LayoutDestination, p: LayoutPlacement): PlacementLayout {
  const files = new Map<string, Buffer>();
  if (dest.mode === 'nestedByMetadata') {
    const dir = nestedPlacementDir(dest, p);
    for (const f of p.files)
      files.set(joinWithin(dir, f.path, `placement ${p.name}: file`), f.content);
    return { files, ownedDir: dir, location: { mode: dest.mode, path: dir } };
  }
  if (dest.mode === 'none') {
    const entries = p.files.map(f => flatFilePath(dest, f, p.name));
    p.files.forEach((f, i) => files.set(entries[i], f.content));
    const path = stateFilePath(dest.path, p.namespace, p.name);
    files.set(path, Buffer.from(renderStateFile(entries)));
    return { files, stateFile: { path, entries }, location: { mode: dest.mode, path } };
  }
  return { files, location: { mode: dest.mode, path: aggregatedFilePath(dest) } };
}

function byGoString(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
