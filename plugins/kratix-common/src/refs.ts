import type { StateStoreKind } from './kinds/Destination';

/** `<kind>:<namespace>/<name>`: how State Stores are keyed everywhere. */
export function stateStoreRef(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}:${namespace || 'default'}/${name}`;
}

export function parseStateStoreRef(ref: string): {
  kind: StateStoreKind;
  namespace: string;
  name: string;
} {
  const m = /^([^:]+):([^/]+)\/(.+)$/.exec(ref);
  if (!m) throw new Error(`not a state store ref: ${ref}`);
  return { kind: m[1] as StateStoreKind, namespace: m[2], name: m[3] };
}

/** `<Kind>/<name>`, as Kratix names a store in messages. */
export function stateStoreLabel(ref: string): string {
  const { kind, name } = parseStateStoreRef(ref);
  return `${kind}/${name}`;
}
