/**
 * The two-way gate against Kratix's own CRDs (kratix-crds/*.json, copied
 * from syntasso/kratix at the commit in the describe name):
 *
 * (a) every entity the product accepts (the shipped examples, the unit
 *     tests' valid entities, Kratix's documentation examples) is valid for
 *     Kratix once Backstage's additions are taken off: Kubernetes' handling
 *     of nulls and defaults, then the schema, with no field Kubernetes would
 *     prune;
 * (b) every document valid for Kratix (generated from its schema: each field
 *     absent, null and present, each enum and boolean value, each default,
 *     and Kratix's admission webhooks passed) is accepted by
 *     validateKratixEntity, or refused only with errors that an entry of
 *     REFUSALS explains, each naming the README difference it is; and each
 *     Kratix `default:` is the product's default.
 *
 * A field Kratix adds to a CRD makes (b) fail until the product accepts it
 * (or the README lists why not), once its schema here is refreshed
 * (kratix-crds/README.md says how).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Entity } from '@backstage/catalog-model';
import { KratixKind, KRATIX_KINDS, validateKratixEntity } from '../validation';
import { pruneNulls } from '../kinds/common';
import { destinationDefaults } from '../kinds/Destination';
import { gitStateStoreDefaults } from '../kinds/GitStateStore';
import { bucketStateStoreDefaults } from '../kinds/BucketStateStore';
import { labelErrors } from '../labels';
import destinationCrd from './kratix-crds/destination.json';
import gitStateStoreCrd from './kratix-crds/gitstatestore.json';
import bucketStateStoreCrd from './kratix-crds/bucketstatestore.json';
import { ACCEPTED_ENTITIES } from './acceptedEntities';
import {
  CrdSchema,
  defaultPaths,
  getPath,
  goValue,
  isObject,
  Json,
  JsonObject,
  kratixReads,
  KubernetesCrd,
  schemaAt,
  StoredCrd,
} from './kubernetes';

const API = 'platform.kratix.io/v1alpha1';
const CRDS: Record<KratixKind, KubernetesCrd> = {
  Destination: new KubernetesCrd(destinationCrd as unknown as StoredCrd),
  GitStateStore: new KubernetesCrd(gitStateStoreCrd as unknown as StoredCrd),
  BucketStateStore: new KubernetesCrd(bucketStateStoreCrd as unknown as StoredCrd),
};
const COMMIT = CRDS.Destination.crd.source.commit;
const PRODUCT_DEFAULTS: Record<KratixKind, (spec: any) => unknown> = {
  Destination: destinationDefaults,
  GitStateStore: gitStateStoreDefaults,
  BucketStateStore: bucketStateStoreDefaults,
};

/** The repository's root (this file is plugins/kratix-common/src/conformance/). */
const REPO = path.resolve(__dirname, '../../../..');
const README = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8').replace(/\s+/g, ' ');

// ---------------------------------------------------------------------------
// Backstage's additions: taken off an entity before Kratix's schema judges it.

const BACKSTAGE_ADDITIONS: { kind?: KratixKind; field: string; readme: string }[] = [
  { field: 'metadata.namespace', readme: 'Backstage adds `metadata.namespace`' },
  { field: 'metadata.annotations', readme: 'Backstage additions taken off first:' },
  { field: 'metadata.description', readme: 'Backstage additions taken off first:' },
  { field: 'metadata.title', readme: 'Backstage additions taken off first:' },
  { field: 'metadata.tags', readme: 'Backstage additions taken off first:' },
  { field: 'metadata.links', readme: 'Backstage additions taken off first:' },
  { field: 'spec.owner', readme: 'and an optional `spec.owner`' },
  { kind: 'BucketStateStore', field: 'spec.region', readme: 'Backstage addition: overrides' },
];

function withoutBackstageAdditions(kind: KratixKind, entity: JsonObject): JsonObject {
  const copy = JSON.parse(JSON.stringify(entity)) as JsonObject;
  for (const addition of BACKSTAGE_ADDITIONS) {
    if (addition.kind && addition.kind !== kind) continue;
    const [top, key] = addition.field.split('.');
    if (isObject(copy[top])) delete (copy[top] as JsonObject)[key];
  }
  return copy;
}

// ---------------------------------------------------------------------------
// The allow-list of (b): why a document Kratix admits is refused.

interface Refusal {
  kind: KratixKind;
  /** The product's error message this entry explains. */
  error: RegExp;
  /** The difference, in a few words. */
  what: string;
  /** Words of README.md that list it (checked to be there); absent only while `pending`. */
  readme?: string;
  /**
   * A fix on its way, for `field` (e.g. spec.insecure): until then the field
   * need not be accepted in any document; the entry must go when it is.
   */
  pending?: { field: string; why: string };
  /**
   * The product rule this entry explains is being committed by another
   * change: until it is, the entry may go unused. Drop the mark once it is.
   */
  landing?: string;
}

/** One difference on several kinds. */
const onKinds = (kinds: KratixKind[], entry: Omit<Refusal, 'kind'>): Refusal[] =>
  kinds.map(kind => ({ kind, ...entry }));
const STORES: KratixKind[] = ['GitStateStore', 'BucketStateStore'];
const NAME_RULES = 'object-name rules for stateStoreRef and secretRef names (storeRules.ts)';

const REFUSALS: Refusal[] = [
  {
    kind: 'Destination',
    error: /^spec\.path: ".*" contains a "\.\." segment/,
    what: 'spec.path with a ".." segment',
    readme: '`..` is refused',
  },
  {
    kind: 'Destination',
    error: /^spec\.filepath\.filename: ".*" contains a "\.\." segment/,
    what: 'spec.filepath.filename with a ".." segment',
    readme: "a `..` segment in a State Store's `spec.path` or in `spec.filepath.filename`",
  },
  {
    kind: 'Destination',
    error: /^spec\.stateStoreRef\.name: ".*" is not a Kubernetes object name/,
    what: 'a stateStoreRef.name no State Store can have',
    landing: NAME_RULES,
    readme: 'a State Store or Secret name that no Kubernetes object can have',
  },
  ...onKinds(STORES, {
    error: /^spec\.path: ".*" contains a "\.\." segment/,
    what: 'spec.path with a ".." segment',
    readme: "a `..` segment in a State Store's `spec.path` or in `spec.filepath.filename`",
  }),
  ...onKinds(STORES, {
    error: /^spec: is required for a (Git|Bucket)StateStore$/,
    what: 'no spec',
    readme: 'a State Store without `spec`',
  }),
  ...onKinds(STORES, {
    error: /^spec\.secretRef\.name: (is required|must be a string|must not be empty)/,
    what: 'a secretRef without a name',
    readme: 'a `secretRef` without a name',
  }),
  ...onKinds(STORES, {
    error:
      /^spec\.secretRef\.name: ".*" is not a valid secret name: it must be a Kubernetes object name/,
    what: 'a secretRef.name no Secret can have',
    landing: NAME_RULES,
    readme: 'a State Store or Secret name that no Kubernetes object can have',
  }),
  ...onKinds(STORES, {
    error: /^spec\.secretRef\.name: "[^"]*\.[^"]*" .*\bkey under kratix\.secrets\b/,
    what: 'a secretRef.name with a "." (a Secret may have it; an app-config key may not)',
    readme: 'so a Secret name with a `.`',
  }),
  {
    kind: 'GitStateStore',
    error: /^spec\.url: (is required|must be a string|must not be empty)/,
    what: 'no spec.url, or an empty one',
    readme: 'a GitStateStore without `spec.url`',
  },
  {
    kind: 'GitStateStore',
    // Named on spec.authMethod or on spec.url, by the wording of the rules as they were and are.
    error:
      /^spec\.(authMethod|url): .*(is (not )?an SSH URL|needs (an ssh:\/\/|the repository's http))/,
    what: 'an authMethod that does not fit spec.url',
    readme: 'an auth method that does not fit the URL',
  },
  {
    kind: 'GitStateStore',
    error: /^spec\.secretRef: must be set when using authentication method ssh/,
    what: 'authMethod ssh without a secretRef',
    readme: '`ssh` needs an `ssh://` or `git@host:path` URL and a `secretRef`',
  },
  {
    kind: 'GitStateStore',
    error: /^spec\.branch: must not be empty/,
    what: "an empty spec.branch (Kratix: the repository's default branch)",
    readme: 'An empty `spec.branch` is refused',
  },
  {
    kind: 'GitStateStore',
    error: /^spec\.gitAuthor\.name: must not be empty/,
    what: 'an empty spec.gitAuthor.name',
    readme: 'an empty `spec.url`, `spec.bucketName`, `spec.endpoint` or `spec.gitAuthor.name`',
  },
  {
    kind: 'BucketStateStore',
    error: /^spec\.(bucketName|endpoint): must not be empty/,
    what: 'an empty spec.bucketName or spec.endpoint',
    readme: 'an empty `spec.url`, `spec.bucketName`, `spec.endpoint` or `spec.gitAuthor.name`',
  },
  {
    kind: 'BucketStateStore',
    error: /^spec\.bucketName: ".*" is not a valid S3 bucket name/,
    what: 'a bucket name S3 refuses',
    readme: 'a bucket name S3 refuses',
  },
];

/** Where the product reads a defaulted field of a document Kratix admits otherwise than Kratix. */
interface DefaultDifference {
  kind: KratixKind;
  /** A top-level spec field. */
  field: string;
  /** True for the pair of readings this entry explains: Kratix's (Go's view, after defaulting and Kratix's getters) and the product's. */
  matches(kratix: Json, product: Json): boolean;
  what: string;
  readme: string;
}

const DEFAULT_DIFFERENCES: DefaultDifference[] = [
  {
    kind: 'GitStateStore',
    field: 'gitAuthor',
    matches: (kratix, product) =>
      isObject(kratix) &&
      isObject(product) &&
      kratix.name === '' &&
      product.name === 'kratix' &&
      kratix.email === product.email,
    what: 'a gitAuthor without a name: Kratix commits with an empty name (git refuses it), the product as kratix',
    readme: 'A `gitAuthor` without a `name` commits as `kratix`',
  },
];

// ---------------------------------------------------------------------------
// (b) The generated corpus.

/** String values per field; a field not listed (a new one) gets "x" and "". */
const STRING_SAMPLES: Record<string, string[]> = {
  'Destination.path': ['dev', '/', '.', 'dev/', './dev', 'a/b/c', '', '../other'],
  'Destination.stateStoreRef.name': ['default', 'demo-git', 'git.prod', '', 'Default_Store'],
  'Destination.filepath.filename': ['aggregated.yaml', 'catalog-info.yaml', '', '../x.yaml'],
  'GitStateStore.url': [
    'https://github.com/org/repo.git',
    'http://127.0.0.1:8470/state.git',
    'ssh://git@github.com/org/repo.git',
    'git@github.com:org/repo.git',
    '',
  ],
  'GitStateStore.path': ['', 'clusters', 'clusters/', '/clusters', '../x'],
  'GitStateStore.branch': ['main', 'release/v1', ''],
  'GitStateStore.secretRef.name': ['git-creds', 'git.creds', '', 'Git_Creds'],
  'GitStateStore.secretRef.namespace': ['default', ''],
  'GitStateStore.gitAuthor.name': ['kratix', 'Platform Team', ''],
  'GitStateStore.gitAuthor.email': ['', 'platform@example.com'],
  'BucketStateStore.bucketName': ['kratix', 'my.bucket', '', 'UPPER'],
  'BucketStateStore.endpoint': ['s3.amazonaws.com', '127.0.0.1:9000', 'minio.example.com:9000', ''],
  'BucketStateStore.path': ['', 'destinations', '/destinations', '../x'],
  'BucketStateStore.secretRef.name': ['aws-credentials', 'aws.credentials', '', 'AWS_Credentials'],
  'BucketStateStore.secretRef.namespace': ['default', ''],
};

/** Per kind: the smallest document Kratix's docs would write, one with every field set, and others. */
const BASES: Record<KratixKind, Record<string, JsonObject>> = {
  Destination: {
    minimal: { path: 'dev', stateStoreRef: { kind: 'GitStateStore', name: 'default' } },
    full: {
      path: 'dev',
      stateStoreRef: { kind: 'BucketStateStore', name: 'default' },
      strictMatchLabels: true,
      filepath: { mode: 'aggregatedYAML', filename: 'catalog-info.yaml' },
      cleanup: 'all',
      initWorkloads: { enabled: false },
    },
  },
  GitStateStore: {
    minimal: {
      url: 'https://github.com/org/repo.git',
      secretRef: { name: 'git-creds', namespace: 'default' },
    },
    ssh: {
      url: 'ssh://git@github.com/org/repo.git',
      authMethod: 'ssh',
      secretRef: { name: 'git-ssh', namespace: 'default' },
    },
    full: {
      url: 'https://github.com/org/repo.git',
      path: 'clusters',
      branch: 'main',
      authMethod: 'basicAuth',
      secretRef: { name: 'git-creds', namespace: 'default' },
      gitAuthor: { name: 'kratix', email: 'kratix@example.com' },
      insecure: false,
    },
  },
  BucketStateStore: {
    minimal: {
      bucketName: 'kratix',
      endpoint: 's3.amazonaws.com',
      secretRef: { name: 'aws-credentials', namespace: 'default' },
    },
    iam: { bucketName: 'kratix', endpoint: 's3.amazonaws.com', authMethod: 'IAM' },
    full: {
      bucketName: 'kratix',
      endpoint: 's3.amazonaws.com',
      path: 'destinations',
      insecure: true,
      useDualStack: true,
      authMethod: 'accessKey',
      secretRef: { name: 'aws-credentials', namespace: 'default' },
    },
  },
};

/** Documents whose fields go together (an enum value with what it needs), on the minimal base. */
const COMBINATIONS: Record<KratixKind, JsonObject[]> = {
  Destination: [
    { filepath: { mode: 'aggregatedYAML' } },
    { filepath: { mode: 'none' }, stateStoreRef: { kind: 'BucketStateStore', name: 'default' } },
  ],
  GitStateStore: [
    { authMethod: 'ssh', url: 'git@github.com:org/repo.git' },
    { authMethod: 'githubApp' },
  ],
  BucketStateStore: [],
};

interface Field {
  path: string[];
  schema: CrdSchema;
}

/** Every field under spec, parents first (spec itself is the empty path). */
function fields(schema: CrdSchema, at: string[] = []): Field[] {
  return [
    { path: at, schema },
    ...Object.entries(schema.properties ?? {}).flatMap(([k, s]) => fields(s, [...at, k])),
  ];
}

function samples(kind: KratixKind, field: Field): Json[] {
  const { schema } = field;
  if (schema.enum) return schema.enum as Json[];
  switch (schema.type) {
    case 'boolean':
      return [true, false];
    case 'object':
      return [{}];
    case 'string':
      return STRING_SAMPLES[`${kind}.${field.path.join('.')}`] ?? ['x', ''];
    case 'integer':
    case 'number':
      return [0, 1];
    case 'array':
      return [[]];
    default:
      return [];
  }
}

const ABSENT = Symbol('absent');

/** A document with spec field `fieldPath` set to `value` (or removed), parents made as needed. */
function withField(
  spec: JsonObject | typeof ABSENT,
  fieldPath: string[],
  value: Json | typeof ABSENT,
) {
  if (fieldPath.length === 0) return value;
  const copy: JsonObject = spec === ABSENT ? {} : JSON.parse(JSON.stringify(spec));
  let parent = copy;
  for (const key of fieldPath.slice(0, -1)) {
    if (!isObject(parent[key])) parent[key] = {};
    parent = parent[key] as JsonObject;
  }
  const last = fieldPath[fieldPath.length - 1];
  if (value === ABSENT) delete parent[last];
  else parent[last] = value;
  return copy;
}

interface Generated {
  label: string;
  spec: Json | typeof ABSENT;
}

function generate(kind: KratixKind): Generated[] {
  const out = new Map<string, Generated>();
  const add = (label: string, spec: Json | typeof ABSENT) => {
    const key = spec === ABSENT ? 'ABSENT' : JSON.stringify(spec);
    if (!out.has(key)) out.set(key, { label, spec });
  };
  const show = (v: Json | typeof ABSENT) => (v === ABSENT ? 'absent' : JSON.stringify(v));
  for (const [baseName, base] of Object.entries(BASES[kind])) {
    add(baseName, base);
    for (const field of fields(CRDS[kind].spec)) {
      const at = ['spec', ...field.path].join('.');
      for (const value of [ABSENT, null, ...samples(kind, field)] as (Json | typeof ABSENT)[]) {
        add(`${baseName}, ${at} ${show(value)}`, withField(base, field.path, value));
      }
    }
  }
  for (const combination of COMBINATIONS[kind]) {
    add(`minimal + ${JSON.stringify(combination)}`, {
      ...BASES[kind].minimal,
      ...combination,
    } as JsonObject);
  }
  return [...out.values()];
}

const entityOf = (kind: KratixKind, spec: Json | typeof ABSENT): JsonObject => ({
  apiVersion: API,
  kind,
  metadata: { name: 'generated' },
  ...(spec === ABSENT ? {} : { spec }),
});

/** The top-level spec fields with a `default:` in them: where Kratix's and the product's readings must agree. */
const defaultedFields = (kind: KratixKind) => [
  ...new Set(defaultPaths(CRDS[kind].spec).map(p => p[0])),
];

interface KindResult {
  generated: number;
  kratixValid: number;
  accepted: JsonObject[];
  /** Refusals no REFUSALS entry explains. */
  unexplained: string[];
  /** Accepted documents whose defaulted fields the product reads otherwise than Kratix, unlisted. */
  misread: string[];
  /** The product's defaulted spec is not valid for Kratix. */
  invalidOutput: string[];
}

const used = new Set<Refusal | DefaultDifference>();

function runCorpus(kind: KratixKind): KindResult {
  const crd = CRDS[kind];
  const result: KindResult = {
    generated: 0,
    kratixValid: 0,
    accepted: [],
    unexplained: [],
    misread: [],
    invalidOutput: [],
  };
  for (const { label, spec } of generate(kind)) {
    result.generated++;
    const document = entityOf(kind, spec);
    const admission = crd.admit(document);
    if (admission.errors.length > 0) continue;
    result.kratixValid++;
    const verdict = validateKratixEntity(document as unknown as Entity);
    if (!verdict.ok) {
      const unexplained = verdict.errors.filter(error => {
        const entry = REFUSALS.find(r => r.kind === kind && r.error.test(error));
        if (entry) used.add(entry);
        return !entry;
      });
      if (unexplained.length > 0) {
        result.unexplained.push(`${kind} (${label}): ${unexplained.join(' | ')}`);
      }
      continue;
    }
    result.accepted.push(document);
    const productSpec = verdict.entity.spec as unknown as JsonObject;
    const output = crd.prepare(withoutBackstageAdditions(kind, { ...document, spec: productSpec }));
    const outputErrors = crd.schemaErrors(output);
    if (outputErrors.length > 0) {
      result.invalidOutput.push(`${kind} (${label}): ${outputErrors.join(' | ')}`);
    }
    const kratixView = kratixReads(kind, goValue(admission.object.spec, crd.spec) as JsonObject);
    const productView = goValue(productSpec, crd.spec) as JsonObject;
    for (const field of defaultedFields(kind)) {
      const [k, p] = [kratixView[field], productView[field]];
      if (JSON.stringify(k) === JSON.stringify(p)) continue;
      const entry = DEFAULT_DIFFERENCES.find(
        d => d.kind === kind && d.field === field && d.matches(k, p),
      );
      if (entry) used.add(entry);
      else {
        result.misread.push(
          `${kind} (${label}): spec.${field} is ${JSON.stringify(k)} for Kratix, ${JSON.stringify(p)} for the product`,
        );
      }
    }
  }
  return result;
}

const RESULTS = Object.fromEntries(KRATIX_KINDS.map(kind => [kind, runCorpus(kind)])) as Record<
  KratixKind,
  KindResult
>;

// ---------------------------------------------------------------------------
// (a) What the product accepts.

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(file);
    return /\.ya?ml$/.test(entry.name) ? [file] : [];
  });
}

function kratixDocuments(file: string): JsonObject[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8'))
    .map(d => d.toJS() as Json)
    .filter(
      (d): d is JsonObject =>
        isObject(d) && d.apiVersion === API && KRATIX_KINDS.includes(d.kind as KratixKind),
    );
}

const ACCEPTED: [string, JsonObject][] = [
  ...yamlFiles(path.join(REPO, 'examples')).flatMap(file =>
    kratixDocuments(file).map((d): [string, JsonObject] => [
      `${path.relative(REPO, file)} ${d.kind}/${(d.metadata as JsonObject).name}`,
      d,
    ]),
  ),
  ...kratixDocuments(path.join(__dirname, 'kratix-docs-examples.yaml')).map(
    (d, i): [string, JsonObject] => [
      `Kratix docs example ${i + 1}: ${d.kind}/${(d.metadata as JsonObject).name}`,
      d,
    ],
  ),
  ...ACCEPTED_ENTITIES.map(({ source, entity }, i): [string, JsonObject] => [
    `${source} #${i + 1}: ${entity.kind} ${JSON.stringify(entity.spec)}`,
    entity as unknown as JsonObject,
  ]),
];

describe(`Kratix's CRDs, from syntasso/kratix at ${COMMIT}`, () => {
  it('all three come from one commit', () => {
    expect(KRATIX_KINDS.map(kind => CRDS[kind].crd.source.commit)).toEqual([
      COMMIT,
      COMMIT,
      COMMIT,
    ]);
    expect(KRATIX_KINDS.map(kind => CRDS[kind].crd.source.kind)).toEqual(KRATIX_KINDS);
  });

  describe('(a) every entity the product accepts is valid for Kratix', () => {
    it('finds the examples, the docs examples and the fixtures', () => {
      const kinds = new Set(ACCEPTED.map(([, d]) => d.kind));
      expect([...kinds].sort()).toEqual([...KRATIX_KINDS].sort());
      expect(ACCEPTED.filter(([n]) => n.startsWith('examples/')).length).toBeGreaterThanOrEqual(10);
      expect(ACCEPTED.filter(([n]) => n.startsWith('Kratix docs')).length).toBe(5);
    });

    it.each(ACCEPTED)('%s', (_name, document) => {
      const kind = document.kind as KratixKind;
      const verdict = validateKratixEntity(document as unknown as Entity);
      expect(verdict).toMatchObject({ ok: true });
      const crd = CRDS[kind];
      const kratixSide = withoutBackstageAdditions(kind, document);
      // The schema only: Kratix's webhook also wants a BucketStateStore's secretRef.namespace,
      // which the product ignores (its secrets come from app-config).
      const admission = crd.admit(kratixSide, { webhooks: false });
      const labels = labelErrors('metadata.labels', (kratixSide.metadata as JsonObject).labels);
      expect([...admission.errors, ...labels]).toEqual([]);
      // What the product makes of it (its defaults) is valid for Kratix too.
      const productSpec = verdict.ok ? (verdict.entity.spec as unknown as JsonObject) : {};
      const output = withoutBackstageAdditions(kind, { ...kratixSide, spec: productSpec });
      expect(crd.schemaErrors(crd.prepare(output))).toEqual([]);
    });
  });

  describe('(b) every document Kratix admits is accepted, or refused for a listed difference', () => {
    const counts = KRATIX_KINDS.map(kind => {
      const r = RESULTS[kind];
      return [kind, r.generated, r.kratixValid, r.accepted.length] as const;
    });
    it.each(counts)('%s: %i generated, %i admitted by Kratix, %i accepted', kind => {
      const r = RESULTS[kind];
      expect(r.kratixValid).toBeGreaterThan(20);
      expect(r.unexplained).toEqual([]);
      expect(r.invalidOutput).toEqual([]);
      expect(r.misread).toEqual([]);
      expect(r.accepted.length).toBeGreaterThan(0);
    });

    it.each(KRATIX_KINDS)(
      '%s: every field, enum value and boolean value is accepted in some document',
      kind => {
        const missing: string[] = [];
        const specs = RESULTS[kind].accepted.map(d => d.spec);
        const pending = REFUSALS.filter(r => r.kind === kind && r.pending).map(
          r => r.pending!.field,
        );
        for (const field of fields(CRDS[kind].spec).filter(f => f.path.length > 0)) {
          const values = specs.map(s => getPath(s, field.path));
          const at = `spec.${field.path.join('.')}`;
          if (pending.includes(at)) continue;
          if (!values.some(v => v !== undefined && v !== null)) missing.push(`${at} present`);
          const required = [
            ...(field.schema.enum ?? []),
            ...(field.schema.type === 'boolean' ? [true, false] : []),
          ] as Json[];
          for (const value of required) {
            if (!values.includes(value)) missing.push(`${at} ${JSON.stringify(value)}`);
          }
        }
        expect(missing).toEqual([]);
      },
    );

    const defaults = KRATIX_KINDS.flatMap(kind =>
      defaultPaths(CRDS[kind].spec).map(
        p => [kind, `spec.${p.join('.')}`, schemaAt(CRDS[kind].spec, p).default, p] as const,
      ),
    );

    it.each(defaults)("%s %s: Kratix's default %j is the product's", (kind, _at, _v, fieldPath) => {
      const crd = CRDS[kind];
      const schema = schemaAt(crd.spec, fieldPath);
      for (const unset of [undefined, null]) {
        // The minimal document, with the field's parents present and the field absent or null.
        let spec = BASES[kind].minimal;
        for (let i = 1; i < fieldPath.length; i++) {
          if (getPath(spec, fieldPath.slice(0, i)) === undefined) {
            spec = withField(spec, fieldPath.slice(0, i), {}) as JsonObject;
          }
        }
        spec = withField(spec, fieldPath, unset === undefined ? ABSENT : null) as JsonObject;
        const admitted = crd.admit(entityOf(kind, spec));
        expect(admitted.errors).toEqual([]);
        const kratix = goValue(getPath(admitted.object.spec, fieldPath), schema);
        const product = goValue(
          getPath(PRODUCT_DEFAULTS[kind](pruneNulls(spec)) as Json, fieldPath),
          schema,
        );
        expect(product).toEqual(kratix);
      }
    });
  });

  describe('the allow-lists', () => {
    it('every entry is still needed (a pending one goes when its fix lands)', () => {
      const stale = [...REFUSALS, ...DEFAULT_DIFFERENCES]
        .filter(entry => !used.has(entry) && !('landing' in entry && entry.landing))
        .map(entry => `${entry.kind}: ${entry.what}`);
      expect(stale).toEqual([]);
    });

    it('every entry and Backstage addition names words the README has', () => {
      const missing = [...REFUSALS, ...DEFAULT_DIFFERENCES, ...BACKSTAGE_ADDITIONS]
        .filter(entry => !('pending' in entry && entry.pending))
        .filter(entry => !entry.readme || !README.includes(entry.readme))
        .map(entry => JSON.stringify(entry.readme));
      expect(missing).toEqual([]);
    });
  });
});
