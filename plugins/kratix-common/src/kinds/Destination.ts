import type { Entity } from '@backstage/catalog-model';
import { KRATIX_API_VERSION, pathSchema } from './common';

export const FILEPATH_MODES = ['nestedByMetadata', 'aggregatedYAML', 'none'] as const;
export type FilepathMode = (typeof FILEPATH_MODES)[number];
export const CLEANUP_POLICIES = ['none', 'all'] as const;
export type CleanupPolicy = (typeof CLEANUP_POLICIES)[number];
export const STATE_STORE_KINDS = ['GitStateStore', 'BucketStateStore'] as const;
export type StateStoreKind = (typeof STATE_STORE_KINDS)[number];
export const DEFAULT_FILEPATH_MODE: FilepathMode = 'nestedByMetadata';
export const DEFAULT_AGGREGATED_FILENAME = 'aggregated.yaml';

/** A Destination spec after defaults (as Kratix's CRD and webhook apply them). */
export interface DestinationSpec {
  path: string;
  stateStoreRef: { kind: StateStoreKind; name: string };
  strictMatchLabels: boolean;
  filepath: { mode: FilepathMode; filename?: string };
  cleanup: CleanupPolicy;
  initWorkloads: { enabled: boolean };
  /** Backstage addition: the owning group or user. */
  owner?: string;
}

export interface DestinationEntity extends Omit<Entity, 'spec'> {
  apiVersion: typeof KRATIX_API_VERSION;
  kind: 'Destination';
  spec: DestinationSpec;
}

export const destinationSpecSchema = {
  type: 'object',
  required: ['path', 'stateStoreRef'],
  additionalProperties: false,
  properties: {
    path: pathSchema,
    stateStoreRef: {
      type: 'object',
      required: ['kind', 'name'],
      additionalProperties: false,
      properties: {
        kind: { type: 'string', enum: [...STATE_STORE_KINDS] },
        name: { type: 'string', minLength: 1 },
      },
    },
    strictMatchLabels: { type: 'boolean' },
    filepath: {
      type: 'object',
      additionalProperties: false,
      properties: {
        mode: { type: 'string', enum: [...FILEPATH_MODES] },
        filename: { type: 'string' },
      },
    },
    cleanup: { type: 'string', enum: [...CLEANUP_POLICIES] },
    initWorkloads: {
      type: 'object',
      additionalProperties: false,
      properties: { enabled: { type: 'boolean' } },
    },
    owner: { type: 'string', minLength: 1 },
  },
} as const;

/** Kratix's CRD defaults and its mutating webhook's filename default. */
export function destinationDefaults(spec: any): DestinationSpec {
  const mode: FilepathMode = spec.filepath?.mode || DEFAULT_FILEPATH_MODE;
  const filepath: DestinationSpec['filepath'] = { mode };
  if (mode === 'aggregatedYAML')
    filepath.filename = spec.filepath?.filename || DEFAULT_AGGREGATED_FILENAME;
  else if (spec.filepath?.filename) filepath.filename = spec.filepath.filename;
  return {
    ...spec,
    strictMatchLabels: spec.strictMatchLabels ?? false,
    filepath,
    cleanup: spec.cleanup || 'none',
    initWorkloads: { enabled: spec.initWorkloads?.enabled ?? true },
  };
}
