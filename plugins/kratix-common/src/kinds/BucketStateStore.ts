import type { Entity } from '@backstage/catalog-model';
import { KRATIX_API_VERSION, pathSchema, SecretRef, secretRefSchema } from './common';

export const BUCKET_AUTH_METHODS = ['accessKey', 'IAM'] as const;

export interface BucketStateStoreSpec {
  bucketName: string;
  endpoint: string;
  path: string;
  insecure: boolean;
  useDualStack: boolean;
  authMethod: (typeof BUCKET_AUTH_METHODS)[number];
  secretRef?: SecretRef;
  /** Backstage addition, Kratix's client discovers it: the signing region. */
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
    bucketName: { type: 'string', minLength: 3 },
    endpoint: { type: 'string', minLength: 1 },
    path: { ...pathSchema, default: '' },
    insecure: { type: 'boolean', default: false },
    useDualStack: { type: 'boolean', default: false },
    authMethod: { type: 'string', enum: [...BUCKET_AUTH_METHODS], default: 'accessKey' },
    secretRef: secretRefSchema,
    region: { type: 'string', minLength: 1 },
    owner: { type: 'string', minLength: 1 },
  },
} as const;
