/**
 * What a Kubernetes API server does with a Kratix custom resource before
 * Kratix sees it, for the conformance gate (kratixCrds.test.ts). Test code
 * only; nothing in the product imports it.
 *
 * For a CRD with a structural schema (apiextensions.k8s.io/v1), on create:
 * 1. `status` is dropped (the three CRDs have the status subresource);
 * 2. a field set to null is dropped, unless its schema says `nullable: true`
 *    (apiextensions-apiserver: PruneNonNullableNullsWithoutDefaults, and
 *    Default, which treats a non-nullable null as absent);
 * 3. `default:` values are applied to absent fields, parents first, so a
 *    defaulted object gets its own fields' defaults (Default);
 * 4. fields the schema does not name are pruned, silently, or refused when
 *    the client asks for strict field validation (kubectl's default since
 *    1.27): here they are errors (`additionalProperties: false`); `metadata`
 *    is ObjectMeta, validated on its own (here only its name);
 * 5. the object is validated against the schema (OpenAPI v3, here through
 *    Ajv after `toAjvSchema`).
 * Then Kratix's own admission webhooks run (`kratixAdmissionErrors`).
 */
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';

/** The OpenAPI v3 subset a structural CRD schema may use (the keywords below are all the converter knows). */
export interface CrdSchema {
  type?: 'object' | 'array' | 'string' | 'boolean' | 'integer' | 'number';
  description?: string;
  properties?: Record<string, CrdSchema>;
  required?: string[];
  items?: CrdSchema;
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-validations'?: { rule: string; message?: string }[];
}

/** One stored CRD schema (kratix-crds/*.json): where it comes from, and Kratix's openAPIV3Schema. */
export interface StoredCrd {
  source: {
    repository: string;
    path: string;
    commit: string;
    commitDate: string;
    blob: string;
    kind: string;
    scope: string;
    version: string;
    changes: string[];
  };
  openAPIV3Schema: CrdSchema;
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const clone = <T>(v: T): T => (v === undefined ? v : JSON.parse(JSON.stringify(v)));

// ------------------------------------------------------------ 2. null pruning

/** A copy without nulls in fields whose schema is not `nullable: true` (unknown fields' nulls go too). */
export function pruneNonNullableNulls(value: Json, schema: CrdSchema): Json {
  if (Array.isArray(value)) {
    return value
      .filter(v => v !== null || schema.items?.nullable)
      .map(v => (schema.items ? pruneNonNullableNulls(v, schema.items) : v));
  }
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value)) {
    const property = schema.properties?.[key];
    if (v === null && !property?.nullable) continue;
    out[key] = property ? pruneNonNullableNulls(v, property) : v;
  }
  return out;
}

// -------------------------------------------------------------- 3. defaulting

/** A copy with `default:` applied to absent fields, then to the fields of each (defaulted or given) object. */
export function applyDefaults(value: Json, schema: CrdSchema): Json {
  if (Array.isArray(value)) {
    return schema.items ? value.map(v => applyDefaults(v, schema.items!)) : value;
  }
  if (!isObject(value) || !schema.properties) return value;
  const out: JsonObject = { ...value };
  for (const [key, property] of Object.entries(schema.properties)) {
    if (!(key in out) && property.default !== undefined) out[key] = clone(property.default as Json);
    if (key in out) out[key] = applyDefaults(out[key], property);
  }
  return out;
}

// ----------------------------------------------------- 5. schema to Ajv schema

const SCALAR_KEYWORDS = ['pattern', 'minLength', 'maxLength', 'minimum', 'maximum'] as const;
/** Keywords that describe or annotate, and change nothing a create is checked against. */
const IGNORED_KEYWORDS = ['description', 'x-kubernetes-map-type'];

/**
 * Kratix's OpenAPI v3 schema as a JSON Schema Ajv validates the way the API
 * server does: `nullable: true` becomes a `null` type (and enum value);
 * objects with `properties` refuse other fields (what pruning would drop);
 * `default` is left out (applyDefaults applies it before); CEL transition
 * rules (`oldSelf`) only judge updates and are left out. Any other keyword,
 * or a CEL rule that judges a create, throws: a Kratix schema that starts
 * using one needs this converter extended, not silently ignored.
 */
export function toAjvSchema(schema: CrdSchema, at = ''): object {
  const out: Record<string, unknown> = {};
  for (const [keyword, value] of Object.entries(schema)) {
    switch (keyword) {
      case 'type':
        out.type = schema.nullable ? [value, 'null'] : value;
        break;
      case 'enum':
        out.enum = schema.nullable ? [...(value as unknown[]), null] : value;
        break;
      case 'required':
        out.required = value;
        break;
      case 'properties':
        out.properties = Object.fromEntries(
          Object.entries(value as Record<string, CrdSchema>).map(([k, v]) => [
            k,
            toAjvSchema(v, `${at}.${k}`),
          ]),
        );
        out.additionalProperties = false;
        break;
      case 'items':
        out.items = toAjvSchema(value as CrdSchema, `${at}[]`);
        break;
      case 'nullable':
      case 'default':
        break;
      case 'format':
        // Only status fields carry formats (int64, date-time), and status is never validated here.
        if (!at.startsWith('.status')) throw new Error(`${at}: format ${value} is not converted`);
        break;
      case 'x-kubernetes-validations':
        for (const rule of value as { rule: string }[]) {
          if (!/\boldSelf\b/.test(rule.rule)) {
            throw new Error(`${at}: the CEL rule ${JSON.stringify(rule.rule)} is not converted`);
          }
        }
        break;
      default:
        if ((SCALAR_KEYWORDS as readonly string[]).includes(keyword)) out[keyword] = value;
        else if (!IGNORED_KEYWORDS.includes(keyword)) {
          throw new Error(`${at || 'the schema'}: the keyword ${keyword} is not converted`);
        }
    }
  }
  return out;
}

// ----------------------------------------------------------- 5b. ObjectMeta

const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** What the API server checks of metadata.name for a cluster-scoped object (ValidateObjectMeta). */
export function objectNameErrors(name: unknown): string[] {
  return typeof name === 'string' && name.length <= 253 && DNS_1123_SUBDOMAIN.test(name)
    ? []
    : [`metadata.name: ${JSON.stringify(name)} is not a DNS-1123 subdomain`];
}

// ------------------------------------------------------ Kratix's admission

/**
 * Kratix's validating webhooks at the stored commit, for what a single object
 * can fail (cross-object checks, such as two Destinations on one path, are
 * left to their own tests). `spec` is after defaulting, read as Go reads it.
 * - internal/webhook/v1alpha1/destination_webhook.go ValidateCreate:
 *   `path field is required` when spec.path is ""; `stateStoreRef field is
 *   required` when it is nil; and the referenced store is fetched with
 *   client.Get, which fails (not NotFound) for an empty name.
 * - api/v1alpha1/bucketstatestore_types.go ValidateSecretRef, from
 *   internal/webhook/v1alpha1/bucketstatestore_webhook.go: with authMethod
 *   accessKey, spec.secretRef, its name and its namespace must be set.
 * GitStateStore has no webhook.
 */
export function kratixAdmissionErrors(kind: string, spec: JsonObject): string[] {
  const str = (v: Json | undefined) => (typeof v === 'string' ? v : '');
  if (kind === 'Destination') {
    const errors: string[] = [];
    if (str(spec.path) === '') errors.push('path field is required');
    if (!isObject(spec.stateStoreRef)) errors.push('stateStoreRef field is required');
    else if (str(spec.stateStoreRef.name) === '') errors.push('resource name may not be empty');
    return errors;
  }
  if (kind === 'BucketStateStore' && str(spec.authMethod) === 'accessKey') {
    const ref = spec.secretRef;
    if (!isObject(ref))
      return ['spec.secretRef must be set when using authentication method accessKey'];
    if (str(ref.name) === '') return ['spec.secretRef must contain secret name'];
    if (str(ref.namespace) === '') return ['spec.secretRef must contain secret namespace'];
  }
  return [];
}

// ------------------------------------------------------------ the whole path

export interface Admission {
  /** The object as stored: nulls pruned, defaults applied (before Kratix's mutating webhook). */
  object: JsonObject;
  /** Schema errors, unknown fields and Kratix's webhook refusals; empty when Kratix admits it. */
  errors: string[];
}

function ajvMessage(e: ErrorObject): string {
  const at = e.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(root)';
  const extra =
    e.keyword === 'additionalProperties' ? ` (${(e.params as any).additionalProperty})` : '';
  return `${at}: ${e.message}${extra}`;
}

/** One CRD's schema as the API server applies it. */
export class KubernetesCrd {
  private readonly validator: ValidateFunction;

  constructor(readonly crd: StoredCrd) {
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    this.validator = ajv.compile(toAjvSchema(crd.openAPIV3Schema));
  }

  get schema(): CrdSchema {
    return this.crd.openAPIV3Schema;
  }

  get spec(): CrdSchema {
    return this.schema.properties!.spec;
  }

  /** Null pruning and defaulting of a whole object, `status` dropped. */
  prepare(document: JsonObject): JsonObject {
    const { status: _status, ...rest } = document;
    return applyDefaults(pruneNonNullableNulls(rest, this.schema), this.schema) as JsonObject;
  }

  /** Schema errors of an object after `prepare` (unknown fields included: additionalProperties). */
  schemaErrors(prepared: JsonObject): string[] {
    return this.validator(prepared) ? [] : (this.validator.errors ?? []).map(ajvMessage);
  }

  /**
   * What creating `document` would do: the stored object, or why it is
   * refused; with `webhooks: false`, by the API server alone.
   */
  admit(document: JsonObject, { webhooks = true } = {}): Admission {
    const object = this.prepare(document);
    const errors = [...objectNameErrors((object.metadata as JsonObject)?.name)];
    errors.push(...this.schemaErrors(object));
    if (errors.length === 0 && webhooks) {
      const spec = isObject(object.spec) ? object.spec : {};
      errors.push(...kratixAdmissionErrors(this.crd.source.kind, spec));
    }
    return { object, errors };
  }
}

// ------------------------------------------------------- Go's view of a spec

/**
 * A value as Kratix's Go types read it: an absent string is "", an absent
 * boolean false, an absent struct a struct of zero values; a `nullable`
 * field is a pointer and stays null. For the defaulted fields, which are
 * all non-pointer in Kratix's types.
 */
export function goValue(value: Json | undefined, schema: CrdSchema): Json {
  if (schema.nullable && (value === undefined || value === null)) return null;
  switch (schema.type) {
    case 'string':
      return typeof value === 'string' ? value : '';
    case 'boolean':
      return typeof value === 'boolean' ? value : false;
    case 'integer':
    case 'number':
      return typeof value === 'number' ? value : 0;
    case 'object': {
      const given = isObject(value) ? value : {};
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([k, p]) => [k, goValue(given[k], p)]),
      );
    }
    default:
      return value ?? null;
  }
}

/** The dotted paths under `spec` that carry a `default:`, parents first. */
export function defaultPaths(schema: CrdSchema, at: string[] = []): string[][] {
  return Object.entries(schema.properties ?? {}).flatMap(([key, property]) => [
    ...(property.default !== undefined ? [[...at, key]] : []),
    ...defaultPaths(property, [...at, key]),
  ]);
}

export function getPath(value: Json | undefined, path: string[]): Json | undefined {
  return path.reduce<Json | undefined>((v, k) => (isObject(v) ? v[k] : undefined), value);
}

export function schemaAt(schema: CrdSchema, path: string[]): CrdSchema {
  return path.reduce((s, k) => s.properties![k], schema);
}

/**
 * How Kratix reads its defaulted Destination fields beyond Go's zero values
 * (on a `goValue` spec): api/v1alpha1/destination_types.go GetFilepathMode
 * ("" is nestedByMetadata) and GetCleanup ("" is none); the mutating webhook
 * (destination_webhook.go Default) names an aggregatedYAML file
 * "aggregated.yaml" when filename is "".
 */
export function kratixReads(kind: string, spec: JsonObject): JsonObject {
  if (kind !== 'Destination') return spec;
  const out = clone(spec);
  if (isObject(out.filepath)) {
    if (out.filepath.mode === '') out.filepath.mode = 'nestedByMetadata';
    if (out.filepath.mode === 'aggregatedYAML' && out.filepath.filename === '') {
      out.filepath.filename = 'aggregated.yaml';
    }
  }
  if (out.cleanup === '') out.cleanup = 'none';
  return out;
}
