import { createHash } from 'node:crypto';
import { goClean } from '@kratix-destinations/plugin-kratix-common';

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

export { processName, workName } from '@kratix-destinations/plugin-kratix-common';

/** A placement's name: `<work>.<destination>-<shortId(group)>`, as Kratix's WorkPlacement. */
export function placementName(work: string, destination: string, groupId: string): string {
  return `${work}.${destination}-${shortId(groupId)}`;
}
