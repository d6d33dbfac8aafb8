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

/** Paths in specs: strings; `..` is checked separately with a clearer message. */
export const pathSchema = { type: 'string' } as const;
