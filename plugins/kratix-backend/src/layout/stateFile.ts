import { goClean, goJoin, isWithin } from '@kratix-destinations/plugin-kratix-common';
import type { LayoutDestination } from './types';

export { renderStateFile, parseStateFile } from './yamlV2';

/** Where a `none`-mode placement lists its files: `<dest>/.kratix/<ns>-<placement>.yaml`. */
export function stateFilePath(destPath: string, namespace: string, placement: string): string {
  return goJoin(`${destPath}/`, '.kratix', `${namespace}-${placement}.yaml`);
}

/** The Destination's directory, cleaned: `.` for the store root, `/` kept as Kratix keeps it. */
export function destinationRoot(dest: Pick<LayoutDestination, 'path'>): string {
  return goJoin(dest.path) || '.';
}

/**
 * The file a state-file entry names. Entries carry the Destination path, as
 * Kratix writes them; an entry without it is a legacy relative entry, which
 * Kratix's write path reads as `<dest>/<entry>`. We read every entry that way,
 * on removal too (Kratix's removal deletes a legacy entry at the store root,
 * outside the Destination), and compare on the cleaned path, so `./dev` and
 * `dev/` behave like `dev`. Undefined for an entry that would leave the Destination.
 */
export function stateEntryPath(
  dest: Pick<LayoutDestination, 'path'>,
  entry: string,
): string | undefined {
  const root = destinationRoot(dest);
  const rawPrefix = `${dest.path}/`;
  const cleanPrefix = prefixOf(root);
  const prefixed = entry.startsWith(rawPrefix) || goClean(entry).startsWith(cleanPrefix);
  const full = prefixed ? goClean(entry) : goJoin(cleanPrefix || '.', entry);
  return isWithin(root, full) ? full : undefined;
}

/** Old state-file entries this placement no longer writes (each once, never outside the Destination). */
export function staleStateEntries(
  dest: Pick<LayoutDestination, 'path'>,
  oldEntries: string[],
  newEntries: string[],
): string[] {
  const keep = new Set(newEntries.map(e => goClean(e)));
  const stale = new Set<string>();
  for (const entry of oldEntries) {
    const full = stateEntryPath(dest, entry);
    if (full && !keep.has(full)) stale.add(full);
  }
  return [...stale];
}

function prefixOf(root: string): string {
  if (root === '.') return '';
  return root === '/' ? '/' : `${root}/`;
}
