import type { FilepathMode } from '@kratix-destinations/plugin-kratix-common';

/** What the layout needs to know of a Destination. */
export interface LayoutDestination {
  name: string;
  /** `spec.path` as written in the entity. */
  path: string;
  mode: FilepathMode;
  /** `spec.filepath.filename` (aggregatedYAML only). */
  filename?: string;
}

/** A file of a workload group; `path` includes the group's directory, as Kratix's Filepath. */
export interface LayoutFile {
  path: string;
  content: Buffer;
}

/** One placement of one workload group of a work on one Destination (Kratix's WorkPlacement). */
export interface LayoutPlacement {
  name: string;
  namespace: string;
  promise: string;
  /** Empty or absent for a dependency. */
  resource?: string;
  /** Empty for static dependencies (then the segment disappears). */
  pipeline: string;
  workloadGroupId: string;
  files: LayoutFile[];
}
