import { CANARY_CONFIGMAP_CONTENT, CANARY_NAMESPACE_CONTENT, canaryPaths } from './canaries';
import { aggregatedContent, aggregatedFilePath, isAggregated, nestedPlacementDir } from './modes';
import { stateFilePath } from './stateFile';
import { LayoutDestination, LayoutPlacement } from './types';

export type DestinationFileKind = 'canary' | 'aggregate';

/** Files a Destination holds for itself: canaries, and the aggregate of its placements. */
export interface DestinationFiles {
  writes: Map<string, { content: Buffer; kind: DestinationFileKind }>;
  deletes: { path: string; kind: DestinationFileKind }[];
}

export function destinationFiles(
  dest: LayoutDestination,
  options: {
    /** true: write the canaries; false: remove them; undefined: leave them. */
    canaries?: boolean;
    /** aggregatedYAML: every active placement, when the aggregate is to be rebuilt. */
    aggregateOf?: LayoutPlacement[];
    /** A placement left the aggregate in this run: an empty result removes the file (Kratix). */
    removing?: boolean;
  },
): DestinationFiles {
  const out: DestinationFiles = { writes: new Map(), deletes: [] };
  const c = canaryPaths(dest.path, dest.mode);
  if (options.canaries === true) {
    out.writes.set(c.namespace, { content: Buffer.from(CANARY_NAMESPACE_CONTENT), kind: 'canary' });
    out.writes.set(c.configMap, { content: Buffer.from(CANARY_CONFIGMAP_CONTENT), kind: 'canary' });
  } else if (options.canaries === false) {
    out.deletes.push({ path: c.namespace, kind: 'canary' }, { path: c.configMap, kind: 'canary' });
  }
  if (isAggregated(dest) && options.aggregateOf) {
    const path = aggregatedFilePath(dest);
    const content = aggregatedContent(options.aggregateOf);
    const empty = options.aggregateOf.length === 0 || (options.removing && content.length === 0);
    if (empty) out.deletes.push({ path, kind: 'aggregate' });
    else out.writes.set(path, { content, kind: 'aggregate' });
  }
  return out;
}

/** How to find the files of a placement that goes away, as Kratix does. */
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
  if (dest.mode === 'nestedByMetadata') return { kind: 'dir', dir: nestedPlacementDir(dest, p) };
  if (dest.mode === 'none')
    return { kind: 'stateFile', path: stateFilePath(dest.path, p.namespace, p.name) };
  return { kind: 'aggregated' };
}

/** The files of a Destination's cleanup (`cleanup: all`) besides its placements': canaries and aggregate. */
export function cleanupFiles(
  dest: LayoutDestination,
): { path: string; kind: DestinationFileKind }[] {
  const c = canaryPaths(dest.path, dest.mode);
  return [
    { path: c.namespace, kind: 'canary' },
    { path: c.configMap, kind: 'canary' },
    ...(isAggregated(dest) ? [{ path: aggregatedFilePath(dest), kind: 'aggregate' as const }] : []),
  ];
}
