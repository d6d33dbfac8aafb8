import type { Entity } from '@backstage/catalog-model';
import { KRATIX_API_VERSION, pathSchema, SecretRef, secretRefSchema } from './common';

export const GIT_AUTH_METHODS = ['basicAuth', 'ssh', 'githubApp'] as const;
export type GitAuthMethod = (typeof GIT_AUTH_METHODS)[number];
export const DEFAULT_BRANCH = 'main';
export const DEFAULT_GIT_AUTHOR = { name: 'kratix', email: '' };

export interface GitStateStoreSpec {
  url: string;
  path: string;
  branch: string;
  authMethod: GitAuthMethod;
  secretRef?: SecretRef;
  gitAuthor: { name: string; email: string };
  /**
   * Kratix (PR 943): unset or true does not verify the server's TLS
   * certificate (Kratix's behaviour before the field existed), false verifies;
   * SSH ignores it. This product verifies unless it is true and the host is in
   * `kratix.tls.allowInsecure`, so unset verifies here (writers/tls.ts).
   */
  insecure?: boolean;
  owner?: string;
}

export interface GitStateStoreEntity extends Omit<Entity, 'spec'> {
  apiVersion: typeof KRATIX_API_VERSION;
  kind: 'GitStateStore';
  spec: GitStateStoreSpec;
}

export const gitStateStoreSpecSchema = {
  type: 'object',
  required: ['url'],
  additionalProperties: false,
  properties: {
    url: { type: 'string', minLength: 1 },
    path: pathSchema,
    branch: { type: 'string', minLength: 1 },
    authMethod: { type: 'string', enum: [...GIT_AUTH_METHODS] },
    secretRef: secretRefSchema,
    gitAuthor: {
      type: 'object',
      additionalProperties: false,
      properties: { name: { type: 'string' }, email: { type: 'string' } },
    },
    // A nullable boolean in Kratix's CRD: null is pruned before validation, as Kubernetes does.
    insecure: { type: 'boolean' },
    owner: { type: 'string', minLength: 1 },
  },
} as const;

/** Kratix's GitStateStore defaults. */
export function gitStateStoreDefaults(spec: any): GitStateStoreSpec {
  return {
    ...spec,
    path: spec.path ?? '',
    branch: spec.branch ?? DEFAULT_BRANCH,
    authMethod: spec.authMethod ?? 'basicAuth',
    gitAuthor: {
      name: spec.gitAuthor?.name ?? DEFAULT_GIT_AUTHOR.name,
      email: spec.gitAuthor?.email ?? DEFAULT_GIT_AUTHOR.email,
    },
  };
}
