import type { Entity } from '@backstage/catalog-model';
import { KRATIX_API_VERSION, pathSchema, SecretRef, secretRefSchema } from './common';

export const GIT_AUTH_METHODS = ['basicAuth', 'ssh', 'githubApp'] as const;
/** What the Git writer (isomorphic-git, HTTP(S) only) can serve. */
export const SUPPORTED_GIT_AUTH_METHODS = ['basicAuth'] as const;

export interface GitStateStoreSpec {
  url: string;
  path: string;
  branch: string;
  authMethod: 'basicAuth';
  secretRef?: SecretRef;
  gitAuthor: { name: string; email: string };
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
    path: { ...pathSchema, default: '' },
    branch: { type: 'string', minLength: 1, default: 'main' },
    authMethod: { type: 'string', enum: [...GIT_AUTH_METHODS], default: 'basicAuth' },
    secretRef: secretRefSchema,
    gitAuthor: {
      type: 'object',
      default: { name: 'kratix', email: '' },
      additionalProperties: false,
      properties: {
        name: { type: 'string', default: 'kratix' },
        email: { type: 'string', default: '' },
      },
    },
    owner: { type: 'string', minLength: 1 },
  },
} as const;
