/**
 * Kratix's commit message for what a run changed: `Update from: <name>` when
 * anything is written, else `Delete from: <name>`; for several placements one
 * commit names them all.
 */
export function commitMessage(names: string[], anyWrite: boolean): string {
  const unique = [...new Set(names)].sort();
  const verb = anyWrite ? 'Update' : 'Delete';
  if (unique.length === 1) return `${verb} from: ${unique[0]}`;
  if (unique.length === 0) return `${verb} from: kratix-backstage (full sync)`;
  return `${verb} from: kratix-backstage (${unique.length} placements)\n\n${unique.map(n => `- ${n}`).join('\n')}\n`;
}
