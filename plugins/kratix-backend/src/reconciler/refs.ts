/** `<kind>:<namespace>/<name>`, how stores are keyed everywhere in the plugin. */
export function stateStoreRef(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}:${namespace ?? 'default'}/${name}`;
}

export function parseStateStoreRef(ref: string): { kind: string; namespace: string; name: string } {
  const m = /^([^:]+):([^/]+)\/(.+)$/.exec(ref);
  if (!m) throw new Error(`not a state store ref: ${ref}`);
  return { kind: m[1], namespace: m[2], name: m[3] };
}

/** The scheduler task that writes one store. */
export function storeTaskId(ref: string): string {
  return `kratix-write:${ref}`;
}
