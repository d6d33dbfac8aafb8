import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import type { Entity } from '@backstage/catalog-model';
import { KRATIX_API_VERSION, pruneNulls } from './kinds/common';
import { DestinationEntity, destinationDefaults, destinationSpecSchema } from './kinds/Destination';
import {
  GitStateStoreEntity,
  gitStateStoreDefaults,
  gitStateStoreSpecSchema,
} from './kinds/GitStateStore';
import {
  BucketStateStoreEntity,
  bucketStateStoreDefaults,
  bucketStateStoreSpecSchema,
} from './kinds/BucketStateStore';
import { bucketRules, destinationRules, gitRules } from './kindRules';
import { entityRefErrors, objectNameErrors } from './storeRules';

export const KRATIX_KINDS = ['Destination', 'GitStateStore', 'BucketStateStore'] as const;
export type KratixKind = (typeof KRATIX_KINDS)[number];
export type KratixEntity = DestinationEntity | GitStateStoreEntity | BucketStateStoreEntity;

export type ValidationResult<T> = { ok: true; entity: T } | { ok: false; errors: string[] };

/** One declaration per kind: its structure, its semantic rules and its defaults. */
interface KindDeclaration {
  schema: object;
  /** Messages for a structurally valid spec (before defaults). */
  rules(spec: any): string[];
  defaults(spec: any): unknown;
}

const KINDS: Record<KratixKind, KindDeclaration> = {
  Destination: {
    schema: destinationSpecSchema,
    rules: spec => [...destinationRules(spec), ...stateStoreRefErrors(spec)],
    defaults: destinationDefaults,
  },
  GitStateStore: {
    schema: gitStateStoreSpecSchema,
    rules: gitRules,
    defaults: gitStateStoreDefaults,
  },
  BucketStateStore: {
    schema: bucketStateStoreSpecSchema,
    rules: bucketRules,
    defaults: bucketStateStoreDefaults,
  },
};

const ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
const validators = new Map<KratixKind, ValidateFunction>(
  KRATIX_KINDS.map(kind => [kind, ajv.compile(KINDS[kind].schema)]),
);

/** Extra words for a missing field: what it is and how to fill it. */
const REQUIRED_HINTS: Record<string, string> = {
  'spec.path':
    'set it to the directory in the State Store to write to (usually the Destination name), or "/" for the root',
  'spec.stateStoreRef':
    'name the State Store to write to, e.g. {kind: GitStateStore, name: default}',
  'spec.stateStoreRef.kind': 'use GitStateStore or BucketStateStore',
  'spec.stateStoreRef.name': 'use the metadata.name of the State Store entity',
  'spec.url': 'set the https:// URL of the repository',
  'spec.bucketName': 'set the name of the bucket to write to',
  'spec.endpoint': 'set the S3 endpoint, e.g. s3.amazonaws.com or minio.example.com:9000',
  'spec.secretRef.name': 'name an entry under kratix.secrets in app-config',
};

export function requiredHint(field: string): string {
  return REQUIRED_HINTS[field] ? `; ${REQUIRED_HINTS[field]}` : '';
}

function fieldPath(instancePath: string): string {
  return ['spec', ...instancePath.split('/').filter(Boolean)].join('.');
}

function formatAjvError(kind: KratixKind, e: ErrorObject): string {
  const at = fieldPath(e.instancePath);
  const params = e.params as any;
  switch (e.keyword) {
    case 'enum':
      return `${at}: ${JSON.stringify(e.data)} is not one of ${params.allowedValues.join(', ')}`;
    case 'required': {
      const field = `${at}.${params.missingProperty}`;
      return `${field}: is required${requiredHint(field)}`;
    }
    case 'additionalProperties': {
      const known = Object.keys((e.parentSchema as any)?.properties ?? {});
      return `${at}.${params.additionalProperty}: is not a field of ${kind}.${at}; remove it or fix its spelling (known fields: ${known.join(', ')})`;
    }
    case 'type':
      return `${at}: must be ${params.type === 'object' ? 'an' : 'a'} ${params.type}, not ${JSON.stringify(e.data)}`;
    case 'minLength':
      return `${at}: must not be empty${requiredHint(at)}`;
    default:
      return `${at}: ${e.message}`;
  }
}

/** True for the three kinds this product handles (by apiVersion and kind). */
export function isKratixEntity(entity: Entity): boolean {
  return (
    entity.apiVersion === KRATIX_API_VERSION &&
    (KRATIX_KINDS as readonly string[]).includes(entity.kind)
  );
}

/** Kratix's State Stores are Kubernetes objects: the name a Destination refers to is an object name. */
function stateStoreRefErrors(spec: any): string[] {
  const name = spec.stateStoreRef?.name;
  if (typeof name !== 'string' || name === '') return [];
  return objectNameErrors(
    'spec.stateStoreRef.name',
    name,
    'the name of a Kratix State Store',
    'demo-git',
  );
}

/**
 * The Backstage addition of all three kinds: `spec.owner` becomes the
 * `ownedBy` relation and is matched by permission rules, so it must be an
 * entity reference (a user or group).
 */
function ownerErrors(spec: any): string[] {
  const owner = spec.owner;
  if (typeof owner !== 'string' || owner === '') return [];
  return entityRefErrors('spec.owner', owner, 'group:default/team-a or team-a');
}

/** Every problem at once: the structure, then the rules (which never throw on odd shapes). */
function specErrors(kind: KratixKind, spec: unknown): string[] {
  const validate = validators.get(kind)!;
  const errors = validate(spec) ? [] : (validate.errors ?? []).map(e => formatAjvError(kind, e));
  try {
    errors.push(...ownerErrors(spec));
    errors.push(...KINDS[kind].rules(spec));
  } catch {
    // A rule met a field of the wrong type: the structural error above already names it.
  }
  return errors;
}

/**
 * Validates a Destination, GitStateStore or BucketStateStore and returns a
 * copy with Kratix's defaults applied. Null fields are dropped first, as
 * Kubernetes does. Every error names the field and the fix.
 */
export function validateKratixEntity(entity: Entity): ValidationResult<KratixEntity> {
  if (entity.apiVersion !== KRATIX_API_VERSION) {
    return {
      ok: false,
      errors: [`apiVersion: "${entity.apiVersion}" must be ${KRATIX_API_VERSION}`],
    };
  }
  const kind = entity.kind as KratixKind;
  if (!KINDS[kind]) {
    return {
      ok: false,
      errors: [`kind: "${entity.kind}" is not one of ${KRATIX_KINDS.join(', ')}`],
    };
  }
  if (!entity.spec || typeof entity.spec !== 'object' || Array.isArray(entity.spec)) {
    return { ok: false, errors: [`spec: is required for a ${kind}`] };
  }
  const spec = pruneNulls(entity.spec);
  const errors = specErrors(kind, spec);
  if (errors.length > 0) return { ok: false, errors: [...new Set(errors)] };
  return { ok: true, entity: { ...entity, spec: KINDS[kind].defaults(spec) } as KratixEntity };
}

export class InvalidKratixEntityError extends Error {
  constructor(
    readonly entityRef: string,
    readonly errors: string[],
  ) {
    super(`${entityRef} is invalid: ${errors.join('; ')}`);
    this.name = 'InvalidKratixEntityError';
  }
}

/** Like validateKratixEntity, for callers that only accept a valid entity. */
export function parseKratixEntity<T extends KratixEntity = KratixEntity>(entity: Entity): T {
  const result = validateKratixEntity(entity);
  if (!result.ok) {
    throw new InvalidKratixEntityError(`${entity.kind}/${entity.metadata?.name}`, result.errors);
  }
  return result.entity as T;
}
