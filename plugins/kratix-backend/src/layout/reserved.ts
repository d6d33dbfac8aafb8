import { goClean } from '@kratix-destinations/plugin-kratix-common';
import { canaryPaths } from './canaries';
import { destinationRoot } from './stateFile';
import { LayoutDestination } from './types';

/**
 * In `none` and aggregatedYAML modes a work's files sit beside the
 * Destination's own: the `.kratix/` state files and the canaries. A work may
 * not write those. Returns a message for the first such file, or undefined.
 */
export function reservedPathError(
  dest: LayoutDestination,
  flatPaths: string[],
): string | undefined {
  if (dest.mode !== 'none') return undefined;
  const root = destinationRoot(dest);
  const kratixDir = goClean(root === '.' ? '.kratix' : `${root}/.kratix`);
  const c = canaryPaths(dest.path, dest.mode);
  const canaries = new Set([goClean(c.namespace), goClean(c.configMap)]);
  for (const p of flatPaths) {
    const clean = goClean(p);
    if (clean === kratixDir || clean.startsWith(`${kratixDir}/`)) {
      return `"${p}" is inside the Destination's .kratix/ directory, where state files live; rename the file`;
    }
    if (canaries.has(clean)) {
      return `"${p}" is the name of a Destination canary file; rename the file`;
    }
  }
  return undefined;
}
