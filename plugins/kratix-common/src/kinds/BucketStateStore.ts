import type { Entity } from '@backstage/catalog-model';
import { KRATIX_API_VERSION, pathSchema, SecretRef, secretRefSchema } from './common';

export const BUCKET_AUTH_METHODS = ['accessKey', 'IAM'] as const;
export type BucketAuthMethod = (typeof BUCKET_AUTH_METHODS)[number];

export interface BucketStateStoreSpec {
  bucketName: string;
  endpoint: string;
  path: string;
  insecure: boolean;
  useDualStack: boolean;
  authMethod: BucketAuthMethod;
  secretRef?: SecretRef;
  /** Backstage addition: overrides the region found from the endpoint or the bucket's location. */
  region?: string;
  owner?: string;
}

export interface BucketStateStoreEntity extends Omit<Entity, 'spec'> {
  apiVersion: typeof KRATIX_API_VERSION;
  kind: 'BucketStateStore';
  spec: BucketStateStoreSpec;
}

export const bucketStateStoreSpecSchema = {
  type: 'object',
  required: ['bucketName', 'endpoint'],
  additionalProperties: false,
  properties: {
    bucketName: { type: 'string', minLength: 1 },
    endpoint: { type: 'string', minLength: 1 },
    path: pathSchema,
    insecure: { type: 'boolean' },
    useDualStack: { type: 'boolean' },
    authMethod: { type: 'string', enum: [...BUCKET_AUTH_METHODS] },
    secretRef: secretRefSchema,
    region: { type: 'string', minLength: 1 },
    owner: { type: 'string', minLength: 1 },
  },
} as const;

/** Kratix's BucketStateStore defaults. */
export function bucketStateStoreDefaults(spec: any): BucketStateStoreSpec {
  return {
    ...spec,
    path: spec.path ?? '',
    insecure: spec.insecure ?? false,
    useDualStack: spec.useDualStack ?? false,
    authMethod: spec.authMethod ?? 'accessKey',
  };
}
