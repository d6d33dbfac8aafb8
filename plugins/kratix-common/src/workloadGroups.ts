/**
 * Workload group directories (already cleaned) may neither repeat nor contain
 * one another: each file must belong to one group. Returns a message for
 * `workloadGroups[index]` when `dir` clashes with one of the `earlier` ones.
 */
export function workloadGroupClash(
  index: number,
  dir: string,
  earlier: string[],
): string | undefined {
  for (const other of earlier) {
    if (other === dir) return `workloadGroups[${index}].directory: "${dir}" is listed twice`;
    if (dir.startsWith(`${other}/`) || other.startsWith(`${dir}/`)) {
      return `workloadGroups[${index}].directory: "${dir}" is nested with "${other}"; workload group directories must not contain each other`;
    }
  }
  return undefined;
}
