import Ajv, { ErrorObject } from 'ajv';
import type { Entity } from '@backstage/catalog-model';
import { KRATIX_API_VERSION } from './kinds/common';
import {
  DEFAULT_AGGREGATED_FILENAME,
  DestinationEntity,
  destinationSpecSchema,
} from './kinds/Destination';
import { GitStateStoreEntity, gitStateStoreSpecSchema } from './kinds/GitStateStore';
import { BucketStateStoreEntity, bucketStateStoreSpecSchema } from './kinds/BucketStateStore';
import { goClean, hasDotDotSegment } from './paths';

export const KRATIX_KINDS = ['Destination', 'GitStateStore', 'BucketStateStore'] as const;
export type KratixKind = (typeof KRATIX_KINDS)[number];
export type KratixEntity = DestinationEntity | GitStateStoreEntity | BucketStateStoreEntity;

export type ValidationResult<T> = { ok: true; entity: T } | { ok: false; errors: string[] };

const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: false });
const specValidators = {
  Destination: ajv.compile(destinationSpecSchema),
  GitStateStore: ajv.compile(gitStateStoreSpecSchema),
  BucketStateStore: ajv.compile(bucketStateStoreSpecSchema),
};

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

function fieldPath(instancePath: string): string {
  return ['spec', ...instancePath.split('/').filter(Boolean)].join('.');
}

function formatAjvError(kind: KratixKind, e: ErrorObject): string {
  const at = fieldPath(e.instancePath);
  switch (e.keyword) {
    case 'enum':
      return `${at}: ${JSON.stringify(e.data)} is not one of ${(e.params as any).allowedValues.join(', ')}`;
    case 'required': {
      const field = `${at}.${(e.params as any).missingProperty}`;
      const hint = REQUIRED_HINTS[field];
      return `${field}: is required${hint ? `; ${hint}` : ''}`;
    }
    case 'additionalProperties': {
      const known = Object.keys((e.parentSchema as any)?.properties ?? {});
      return `${at}.${(e.params as any).additionalProperty}: is not a field of ${kind}.${at}; remove it or fix its spelling (known fields: ${known.join(', ')})`;
    }
    case 'type':
      return `${at}: must be ${(e.params as any).type === 'object' ? 'an' : 'a'} ${(e.params as any).type}, not ${JSON.stringify(e.data)}`;
    case 'minLength':
      return `${at}: must not be empty${REQUIRED_HINTS[at] ? `; ${REQUIRED_HINTS[at]}` : ''}`;
    default:
      return `${at}: ${e.message}`;
  }
}

function checkPath(field: string, value: string | undefined, errors: string[]) {
  if (value !== undefined && hasDotDotSegment(value)) {
    errors.push(
      `${field}: "${value}" contains a ".." segment; paths must stay inside the State Store, remove the ".."`,
    );
  }
}

function destinationRules(spec: any, errors: string[]) {
  if (typeof spec.path === 'string') {
    if (spec.path === '') {
      errors.push(`spec.path: must not be empty; ${REQUIRED_HINTS['spec.path']}`);
    }
    checkPath('spec.path', spec.path, errors);
  }
  const fp = spec.filepath;
  if (fp && typeof fp === 'object') {
    if (fp.mode === 'aggregatedYAML' && !fp.filename) {
      fp.filename = DEFAULT_AGGREGATED_FILENAME;
    }
    if (typeof fp.filename === 'string' && fp.filename !== '') {
      checkPath('spec.filepath.filename', fp.filename, errors);
      const clean = goClean(fp.filename);
      if (clean === '.' || clean === '/' || fp.filename.endsWith('/')) {
        errors.push(
          `spec.filepath.filename: "${fp.filename}" is not a file name; use a name such as aggregated.yaml`,
        );
      }
    }
  }
}

function gitRules(spec: any, errors: string[]) {
  if (typeof spec.url === 'string' && spec.url !== '') {
    if (!/^https?:\/\//i.test(spec.url)) {
      errors.push(
        `spec.url: "${spec.url}" is not an http:// or https:// URL; State Stores are written with isomorphic-git, which speaks HTTP(S) only (no SSH or git://): use the repository's https:// URL`,
      );
    } else {
      try {
        const u = new URL(spec.url);
        if (u.username || u.password) {
          errors.push(
            'spec.url: must not contain credentials; put them in kratix.secrets in app-config and name the entry in spec.secretRef.name',
          );
        }
      } catch {
        errors.push(`spec.url: "${spec.url}" is not a valid URL`);
      }
    }
  }
  if (spec.authMethod === 'ssh') {
    errors.push(
      'spec.authMethod: "ssh" is not supported: State Stores are written with isomorphic-git, which has no SSH transport; use basicAuth with an https:// url and a token (username/password in kratix.secrets)',
    );
  } else if (spec.authMethod === 'githubApp') {
    errors.push(
      'spec.authMethod: "githubApp" is not supported yet; use basicAuth with an installation or personal access token as the password in kratix.secrets',
    );
  }
  checkPath('spec.path', spec.path, errors);
}

function bucketRules(spec: any, errors: string[]) {
  if (spec.authMethod === 'accessKey' && !spec.secretRef) {
    errors.push(
      'spec.secretRef: must be set when using authentication method accessKey; name an entry under kratix.secrets in app-config holding accessKeyID and secretAccessKey, or use authMethod IAM',
    );
  }
  if (
    typeof spec.endpoint === 'string' &&
    /^[a-z]+:\/\//i.test(spec.endpoint) &&
    !/^https?:\/\//i.test(spec.endpoint)
  ) {
    errors.push(`spec.endpoint: "${spec.endpoint}" must be host[:port] or an http(s):// URL`);
  }
  checkPath('spec.path', spec.path, errors);
}

/** True for the three kinds this product handles (by apiVersion and kind). */
export function isKratixEntity(entity: Entity): boolean {
  return (
    entity.apiVersion === KRATIX_API_VERSION &&
    (KRATIX_KINDS as readonly string[]).includes(entity.kind)
  );
}

/**
 * Validates a Destination, GitStateStore or BucketStateStore and returns a
 * copy with Kratix's defaults applied. Every error names the field and the fix.
 */
export function validateKratixEntity(entity: Entity): ValidationResult<KratixEntity> {
  if (entity.apiVersion !== KRATIX_API_VERSION) {
    return {
      ok: false,
      errors: [`apiVersion: "${entity.apiVersion}" must be ${KRATIX_API_VERSION}`],
    };
  }
  const kind = entity.kind as KratixKind;
  const validate = specValidators[kind];
  if (!validate) {
    return {
      ok: false,
      errors: [`kind: "${entity.kind}" is not one of ${KRATIX_KINDS.join(', ')}`],
    };
  }
  if (!entity.spec || typeof entity.spec !== 'object' || Array.isArray(entity.spec)) {
    return { ok: false, errors: [`spec: is required for a ${kind}`] };
  }
  const spec = JSON.parse(JSON.stringify(entity.spec));
  const errors: string[] = [];
  if (!validate(spec)) {
    for (const e of validate.errors ?? []) errors.push(formatAjvError(kind, e));
  }
  if (kind === 'Destination') destinationRules(spec, errors);
  if (kind === 'GitStateStore') gitRules(spec, errors);
  if (kind === 'BucketStateStore') bucketRules(spec, errors);
  if (errors.length > 0) return { ok: false, errors: [...new Set(errors)] };
  return { ok: true, entity: { ...entity, spec } as KratixEntity };
}

/** Like validateKratixEntity, for callers that only accept a valid entity. */
export function parseKratixEntity<T extends KratixEntity = KratixEntity>(entity: Entity): T {
  const result = validateKratixEntity(entity);
  if (!result.ok) {
    const ref = `${entity.kind}/${entity.metadata?.name}`;
    throw new InvalidKratixEntityError(ref, result.errors);
  }
  return result.entity as T;
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
