import { DEFAULT_NAMESPACE, parseEntityRef } from '@backstage/catalog-model';

/**
 * The catalog entity of a Destination named in a view: its own ref, which
 * carries its namespace; a Destination no longer known (purged) falls back
 * to its name in the default namespace, where the link shows it is gone.
 */
export function destinationEntityRef(name: string, entityRef?: string) {
  return entityRef
    ? parseEntityRef(entityRef)
    : { kind: 'Destination', namespace: DEFAULT_NAMESPACE, name };
}
