import { PathEscapeError } from '@internal/plugin-kratix-common';
import { LayoutDestination, LayoutPlacement } from './types';
import {
  aggregatedContent,
  aggregatedFilePath,
  nestedPlacementDir,
  placementLayout,
} from './modes';
import { canaryFiles, canaryPaths } from './canaries';
import { stateFilePath } from './stateFile';

/** Everything a Destination should hold, before comparing with the store. */
export interface DesiredLayout {
  /** path -> bytes to be present. */
  files: Map<string, Buffer>;
  /** nestedByMetadata directories owned by placements: anything else below them goes. */
  ownedDirs: string[];
  /** none-mode state files and their new entries: old entries not listed go. */
  stateFiles: { path: string; entries: string[] }[];
  /** Paths that must be absent (canaries turned off, an empty aggregated file). */
  deletes: string[];
  /** Placements left out because a file would leave the Destination, with the reason. */
  rejected: { placement: string; error: string }[];
}

/**
 * The desired layout of the given placements of a Destination. For
 * aggregatedYAML, `placements` must be all of the Destination's placements.
 */
export function desiredLayout(
  dest: LayoutDestination,
  placements: LayoutPlacement[],
  options: { canaries?: boolean },
): DesiredLayout {
  const out: DesiredLayout = {
    files: new Map(),
    ownedDirs: [],
    stateFiles: [],
    deletes: [],
    rejected: [],
  };
  if (options.canaries !== undefined) {
    if (options.canaries) {
      for (const [path, content] of canaryFiles(dest.path, dest.mode))
        out.files.set(path, Buffer.from(content));
    } else {
      const c = canaryPaths(dest.path, dest.mode);
      out.deletes.push(c.namespace, c.configMap);
    }
  }
  if (dest.mode === 'aggregatedYAML') {
    const path = aggregatedFilePath(dest);
    const content = aggregatedContent(placements);
    if (content.length > 0) out.files.set(path, content);
    else out.deletes.push(path);
    return out;
  }
  for (const p of placements) {
    let layout;
    try {
      layout = placementLayout(dest, p);
    } catch (e) {
      if (!(e instanceof PathEscapeError)) throw e;
      out.rejected.push({ placement: p.name, error: e.message });
      continue;
    }
    for (const [path, content] of layout.files) out.files.set(path, content);
    if (layout.ownedDir) out.ownedDirs.push(layout.ownedDir);
    if (layout.stateFile) out.stateFiles.push(layout.stateFile);
  }
  return out;
}

/** How to find the files of a placement that is going away. */
export type Removal =
  | { kind: 'dir'; dir: string }
  | { kind: 'stateFile'; path: string }
  | { kind: 'aggregated' };

export function placementRemoval(
  dest: LayoutDestination,
  p: Pick<
    LayoutPlacement,
    'name' | 'namespace' | 'promise' | 'resource' | 'pipeline' | 'workloadGroupId'
  >,
): Removal {
  if (dest.mode === 'nestedByMetadata')
    return { kind: 'dir', dir: nestedPlacementDir(dest, { ...p, files: [] }) };
  if (dest.mode === 'none')
    return { kind: 'stateFile', path: stateFilePath(dest.path, p.namespace, p.name) };
  return { kind: 'aggregated' };
}
