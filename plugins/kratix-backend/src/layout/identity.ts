import { createHash } from 'node:crypto';
import { goClean } from '@internal/plugin-kratix-common';

/** The directory of the default workload group. */
export const DEFAULT_GROUP_DIRECTORY = '.';

/** A workload group's ID: the hex md5 of its (cleaned) directory, as Kratix. */
export function workloadGroupId(directory: string): string {
  return createHash('md5').update(goClean(directory)).digest('hex');
}

/** The 5-character ID used in paths and placement names (`5058f` for `.`). */
export function shortId(groupId: string): string {
  return groupId.slice(0, 5);
}

/**
 * Kratix's `processName`: names longer than 57 characters are cut to 56,
 * then trailing non-alphanumeric characters are stripped.
 */
export function processName(name: string): string {
  let out = name.length > 57 ? name.slice(0, 56) : name;
  while (out.length > 0 && !/[a-z0-9]$/i.test(out)) out = out.slice(0, -1);
  return out;
}

/**
 * A work's name. Kratix appends a random 5-character suffix; ours is
 * deterministic so that re-running a template updates the same work.
 */
export function workName(promise: string, resource: string | undefined, pipeline: string): string {
  const identifier = resource ? `${promise}-${resource}-${pipeline}` : `${promise}-${pipeline}`;
  return processName(identifier);
}

/** A placement's name: `<work>.<destination>-<shortId(group)>`, as Kratix's WorkPlacement. */
export function placementName(work: string, destination: string, groupId: string): string {
  return `${work}.${destination}-${shortId(groupId)}`;
}
