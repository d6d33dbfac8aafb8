import { z } from 'zod';
import { InputError } from '@backstage/errors';
import {
  annotationErrors,
  goClean,
  labelErrors,
  Labels,
  nameErrors,
  processName,
  workloadGroupClash,
  workName,
} from '@kratix-destinations/plugin-kratix-common';
import type { WorkLimits } from '../../config';
import type { NewWork, WorkFileContent } from '../../database';
import { DEFAULT_GROUP_DIRECTORY, workloadGroupId } from '../../layout';
import { resolveSelectors, squashSelectors } from '../../scheduling';
import { decodeFiles, pathError } from './workFiles';

const labelMap = z.record(z.string(), z.unknown(), {
  error: 'must be a map of label keys to values, e.g. {environment: dev}',
});

/** The shape of `POST /works`; rules that need the whole body follow in parseWorkRequest. */
const workRequestSchema = z.object(
  {
    promise: z.unknown(),
    resource: z.unknown().optional(),
    namespace: z.unknown().optional(),
    pipeline: z.unknown().optional(),
    static: z.boolean({ error: 'must be true or false' }).optional(),
    // Checked on the raw body (annotationErrors): a map parser would drop `__proto__`.
    annotations: z.unknown().optional(),
    destinationSelectors: labelMap.optional(),
    promiseSelectors: z.array(labelMap, { error: 'must be a list of label maps' }).optional(),
    promiseWorkflowSelectors: z
      .array(labelMap, { error: 'must be a list of label maps' })
      .optional(),
    workloadGroups: z
      .array(
        z.object({
          directory: z.string({ error: 'must be a directory of the work' }),
          destinationSelectors: labelMap.optional(),
        }),
        { error: 'must be a list of {directory, destinationSelectors}' },
      )
      .optional(),
    files: z
      .array(
        z.object({
          path: z
            .string({ error: 'must be a non-empty relative path' })
            .min(1, { error: 'must be a non-empty relative path' }),
          content: z.string({ error: 'must be a string' }),
          encoding: z
            .enum(['utf-8', 'base64'], {
              error: iss => `${JSON.stringify(iss.input)} is not one of utf-8, base64`,
            })
            .optional(),
        }),
        { error: 'at least one file is required, as [{path, content}]' },
      )
      .min(1, { error: 'at least one file is required, as [{path, content}]' }),
  },
  { error: 'must be a JSON object describing a work' },
);

type ParsedBody = z.infer<typeof workRequestSchema>;

function fieldOf(path: PropertyKey[]): string {
  if (path.length === 0) return 'body';
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

function shapeErrors(body: unknown): { parsed?: ParsedBody; errors: string[] } {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    return { errors: ['body: must be a JSON object describing a work'] };
  const result = workRequestSchema.safeParse(body);
  if (result.success) return { parsed: result.data, errors: [] };
  return { errors: [...new Set(result.error.issues.map(i => `${fieldOf(i.path)}: ${i.message}`))] };
}

/** Keys that name a property of every JavaScript object: a map parser drops or misreads them. */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * One selector map of the raw body, before zod: its record parser drops a
 * `__proto__` key, which would leave a selector that matches every
 * Destination. Every key must be a label key and every value a label value.
 */
function selectorErrors(field: string, selectors: unknown): string[] {
  if (!selectors || typeof selectors !== 'object' || Array.isArray(selectors)) {
    return labelErrors(field, selectors);
  }
  return Object.entries(selectors).flatMap(([key, value]) =>
    RESERVED_KEYS.has(key)
      ? [
          `${field}: key ${JSON.stringify(key)} is reserved (every JavaScript object has it) and cannot be a selector; use a label key such as environment`,
        ]
      : labelErrors(field, { [key]: value }),
  );
}

/** Every selector of the raw body: the work's, the Promise's, the workflow's and each workload group's. */
function rawSelectorErrors(b: Record<string, unknown>): string[] {
  const errors = selectorErrors('destinationSelectors', b.destinationSelectors);
  for (const field of ['promiseSelectors', 'promiseWorkflowSelectors']) {
    const list = b[field];
    if (list === undefined) continue;
    if (!Array.isArray(list)) errors.push(`${field}: must be a list of label maps`);
    else
      list.forEach((s: unknown, i: number) => errors.push(...selectorErrors(`${field}[${i}]`, s)));
  }
  if (Array.isArray(b.workloadGroups)) {
    b.workloadGroups.forEach((g: unknown, i: number) => {
      if (g && typeof g === 'object' && !Array.isArray(g)) {
        const selectors = (g as Record<string, unknown>).destinationSelectors;
        errors.push(...selectorErrors(`workloadGroups[${i}].destinationSelectors`, selectors));
      }
    });
  }
  return errors;
}

function identityErrors(b: any): string[] {
  const errors = [
    ...nameErrors('promise', b.promise),
    ...(b.resource === ''
      ? ['resource: must not be empty; leave it out for a dependency work']
      : nameErrors('resource', b.resource, false)),
    ...(b.namespace === ''
      ? [
          'namespace: must not be empty; leave it out for the default (default for a resource, kratix-platform-system for a dependency)',
        ]
      : nameErrors('namespace', b.namespace, false)),
  ];
  if (b.static) {
    if (b.pipeline)
      errors.push('pipeline: static dependencies have no pipeline; remove it or set static: false');
    if (b.resource)
      errors.push('resource: static dependencies belong to the promise; remove the resource');
  } else errors.push(...nameErrors('pipeline', b.pipeline));
  return errors;
}

function groupErrors(groups: { directory: string; destinationSelectors?: unknown }[]): {
  dirs: { directory: string; selectors: Labels }[];
  errors: string[];
} {
  const errors: string[] = [];
  const dirs: { directory: string; selectors: Labels }[] = [];
  groups.forEach((g, i) => {
    const f = `workloadGroups[${i}]`;
    if (goClean(g.directory) === '.') {
      errors.push(
        `${f}.directory: "${g.directory}" is the work's root; use destinationSelectors for the default group`,
      );
      return;
    }
    const pe = pathError(`${f}.directory`, g.directory.replace(/\/+$/, '') || g.directory);
    if (pe) {
      errors.push(pe);
      return;
    }
    const dir = goClean(g.directory);
    const clash = workloadGroupClash(
      i,
      dir,
      dirs.map(d => d.directory),
    );
    if (clash) errors.push(clash);
    dirs.push({ directory: dir, selectors: { ...((g.destinationSelectors as Labels) ?? {}) } });
  });
  return { dirs, errors };
}

/** Kratix's selector sources for the default group: promise beats promise-workflow beats resource-workflow. */
function defaultSelectors(b: ParsedBody): Labels {
  return resolveSelectors({
    resourceWorkflow: (b.destinationSelectors as Labels) ?? {},
    promiseWorkflow: squashSelectors((b.promiseWorkflowSelectors as Labels[]) ?? []),
    promise: squashSelectors((b.promiseSelectors as Labels[]) ?? []),
  });
}

function splitGroups(
  b: ParsedBody,
  files: WorkFileContent[],
  dirs: { directory: string; selectors: Labels }[],
): NewWork['groups'] {
  const inDir = (f: WorkFileContent, d: string) => f.path.startsWith(`${d}/`);
  const groups: NewWork['groups'] = [];
  const rest = files.filter(f => !dirs.some(d => inDir(f, d.directory)));
  if (rest.length > 0) {
    groups.push({
      id: workloadGroupId(DEFAULT_GROUP_DIRECTORY),
      directory: DEFAULT_GROUP_DIRECTORY,
      selectors: defaultSelectors(b),
      files: rest,
    });
  }
  for (const d of dirs)
    groups.push({
      id: workloadGroupId(d.directory),
      directory: d.directory,
      selectors: d.selectors,
      files: files.filter(f => inDir(f, d.directory)),
    });
  return groups;
}

/**
 * Validates a `POST /works` body and splits its files into workload groups:
 * files under a `workloadGroups[].directory` form that group (with only its
 * own selectors, as Kratix), the rest the default group. Throws InputError
 * naming every bad field.
 */
export function parseWorkRequest(body: unknown, limits: WorkLimits): NewWork {
  // Names and selectors are checked on the raw body: zod's output has lost what it dropped.
  const early =
    body && typeof body === 'object' && !Array.isArray(body)
      ? [
          ...identityErrors(body),
          ...rawSelectorErrors(body as Record<string, unknown>),
          ...rawAnnotationErrors((body as Record<string, unknown>).annotations),
        ]
      : [];
  const shape = shapeErrors(body);
  if (!shape.parsed) throw new InputError([...new Set([...early, ...shape.errors])].join('; '));
  const b = shape.parsed;
  const groups = groupErrors(b.workloadGroups ?? []);
  const files = decodeFiles(b.files, limits);
  const errors = [...new Set([...early, ...groups.errors, ...files.errors])];
  for (const [i, g] of groups.dirs.entries()) {
    if (files.files.length > 0 && !files.files.some(f => f.path.startsWith(`${g.directory}/`))) {
      errors.push(`workloadGroups[${i}].directory: "${g.directory}" holds no file of the work`);
    }
  }
  if (errors.length > 0) throw new InputError(errors.join('; '));
  const promise = b.promise as string;
  const resource = (b.resource as string) || undefined;
  const pipeline = b.static ? '' : (b.pipeline as string);
  return {
    namespace: (b.namespace as string) || (resource ? 'default' : 'kratix-platform-system'),
    name: b.static ? processName(`${promise}-static-deps`) : workName(promise, resource, pipeline),
    promise,
    resource,
    pipeline,
    annotations: b.annotations ? { ...(b.annotations as Record<string, string>) } : undefined,
    groups: splitGroups(b, files.files, groups.dirs),
  };
}

/** Annotations as sent: no key a map parser would drop, each a one-line text. */
function rawAnnotationErrors(annotations: unknown): string[] {
  if (annotations && typeof annotations === 'object' && !Array.isArray(annotations)) {
    const reserved = Object.keys(annotations).filter(k => RESERVED_KEYS.has(k));
    if (reserved.length > 0) {
      return reserved.map(
        k =>
          `annotations: key ${JSON.stringify(k)} is reserved (every JavaScript object has it); use a key such as ticket`,
      );
    }
  }
  return annotationErrors('annotations', annotations);
}
