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
 * A work's name, Kratix's `<promise>[-<resource>]-<pipeline>`. Kratix appends
 * a random 5-character suffix; ours is deterministic, so re-running a
 * template updates the same work.
 */
export function workName(promise: string, resource: string | undefined, pipeline: string): string {
  const identifier = resource ? `${promise}-${resource}-${pipeline}` : `${promise}-${pipeline}`;
  return processName(identifier);
}
