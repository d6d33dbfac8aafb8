/** The apiVersion Kratix uses for every kind this product reads. */
export const KRATIX_API_VERSION = 'platform.kratix.io/v1alpha1';

/** Names a `kratix.secrets` entry in app-config; never holds a secret itself. */
export interface SecretRef {
  name: string;
  /** Accepted for compatibility with Kratix YAML; ignored (secrets come from app-config). */
  namespace?: string;
}

export const secretRefSchema = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1 },
    namespace: { type: 'string' },
  },
} as const;

/** Paths in specs: strings; their rules are checked with clearer messages than a schema gives. */
export const pathSchema = { type: 'string' } as const;

/**
 * A copy of a spec without null values, as Kubernetes prunes them before
 * defaulting: Kratix's docs write `email:` or `path:` with nothing after them.
 */
export function pruneNulls<T>(value: T): T {
  if (Array.isArray(value)) return value.filter(v => v !== null).map(pruneNulls) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v !== null) out[k] = pruneNulls(v);
  }
  return out as T;
}

/**
 * The events topic the catalog module publishes on when it processes a
 * Destination or State Store whose content it has not seen before (payload:
 * `{ entityRef }`), so the kratix plugin reads the catalog now.
 */
export const KRATIX_CATALOG_CHANGED_TOPIC = 'kratix.catalog.changed';

/**
 * What the kratix plugin copies of an entity, as one string: its labels,
 * annotations (but the catalog's orphan mark) and spec. The catalog module
 * signals it; the plugin knows the signal answered when it copied the same.
 */
export function kratixEntityContent(entity: {
  metadata: { labels?: object; annotations?: Record<string, string> };
  spec?: unknown;
}): string {
  const { 'backstage.io/orphan': _orphan, ...annotations } = entity.metadata.annotations ?? {};
  return JSON.stringify([entity.metadata.labels ?? {}, annotations, entity.spec ?? null]);
}
