import { InputError } from '@backstage/errors';
import {
  goClean,
  hasDotDotSegment,
  labelErrors,
  nameErrors,
  workloadGroupClash,
} from '@internal/plugin-kratix-common';
import { NewWork } from '../database';
import { DEFAULT_GROUP_DIRECTORY, workloadGroupId, workName } from '../layout';

export interface WorkLimits {
  maxFileBytes: number;
  maxWorkBytes: number;
  maxFiles: number;
}

/** A file path inside a work: relative, clean, no `..`. */
function pathError(field: string, p: unknown): string | undefined {
  if (typeof p !== 'string' || p === '') return `${field}: must be a non-empty relative path`;
  if (p.startsWith('/'))
    return `${field}: "${p}" must be relative to the work's root, not absolute`;
  if (hasDotDotSegment(p))
    return `${field}: "${p}" contains a ".." segment; files must stay inside the work`;
  if (goClean(p) === '.' || p.endsWith('/')) return `${field}: "${p}" is a directory, not a file`;
  return undefined;
}

/**
 * Validates a `POST /works` body and splits its files into workload groups:
 * files under a `workloadGroups[].directory` form that group, the rest form
 * the default group (directory `.`). Throws InputError naming every bad field.
 */
export function parseWorkRequest(body: any, limits: WorkLimits, createdBy?: string): NewWork {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new InputError('body: must be a JSON object describing a work');
  const errors: string[] = [];
  errors.push(...nameErrors('promise', body.promise));
  errors.push(...nameErrors('resource', body.resource, false));
  errors.push(...nameErrors('namespace', body.namespace, false));
  errors.push(...nameErrors('pipeline', body.pipeline));
  errors.push(...labelErrors('destinationSelectors', body.destinationSelectors));

  const groupsIn: { directory: string; selectors: Record<string, string> }[] = [];
  if (body.workloadGroups !== undefined) {
    if (!Array.isArray(body.workloadGroups))
      errors.push('workloadGroups: must be a list of {directory, destinationSelectors}');
    else {
      body.workloadGroups.forEach((g: any, i: number) => {
        const f = `workloadGroups[${i}]`;
        const pe =
          typeof g?.directory === 'string' && goClean(g.directory) === '.'
            ? `${f}.directory: "${g.directory}" is the work's root; use destinationSelectors for the default group`
            : pathError(
                `${f}.directory`,
                typeof g?.directory === 'string' ? g.directory.replace(/\/+$/, '') : g?.directory,
              );
        if (pe) {
          errors.push(pe);
          return;
        }
        errors.push(...labelErrors(`${f}.destinationSelectors`, g.destinationSelectors));
        const dir = goClean(g.directory);
        const clash = workloadGroupClash(
          i,
          dir,
          groupsIn.map(o => o.directory),
        );
        if (clash) errors.push(clash);
        groupsIn.push({ directory: dir, selectors: { ...(g.destinationSelectors ?? {}) } });
      });
    }
  }

  const files: { path: string; content: Buffer }[] = [];
  if (!Array.isArray(body.files) || body.files.length === 0) {
    errors.push('files: at least one file is required, as [{path, content}]');
  } else if (body.files.length > limits.maxFiles) {
    errors.push(
      `files: ${body.files.length} files is more than the limit of ${limits.maxFiles} (kratix.works.maxFiles)`,
    );
  } else {
    const seen = new Set<string>();
    let total = 0;
    body.files.forEach((f: any, i: number) => {
      const pe = pathError(`files[${i}].path`, f?.path);
      if (pe) {
        errors.push(pe);
        return;
      }
      const path = goClean(f.path);
      if (seen.has(path)) {
        errors.push(`files[${i}].path: "${path}" is listed twice`);
        return;
      }
      seen.add(path);
      if (typeof f.content !== 'string') {
        errors.push(`files[${i}].content: must be a string`);
        return;
      }
      if (f.encoding !== undefined && f.encoding !== 'utf-8' && f.encoding !== 'base64') {
        errors.push(`files[${i}].encoding: "${f.encoding}" is not one of utf-8, base64`);
        return;
      }
      const content =
        f.encoding === 'base64' ? Buffer.from(f.content, 'base64') : Buffer.from(f.content, 'utf8');
      if (content.length > limits.maxFileBytes) {
        errors.push(
          `files[${i}]: "${path}" is ${content.length} bytes, more than the limit of ${limits.maxFileBytes} (kratix.works.maxFileBytes)`,
        );
        return;
      }
      total += content.length;
      files.push({ path, content });
    });
    if (total > limits.maxWorkBytes)
      errors.push(
        `files: ${total} bytes in all, more than the limit of ${limits.maxWorkBytes} (kratix.works.maxWorkBytes)`,
      );
  }
  for (const [i, g] of groupsIn.entries()) {
    if (files.length > 0 && !files.some(f => f.path.startsWith(`${g.directory}/`))) {
      errors.push(`workloadGroups[${i}].directory: "${g.directory}" holds no file of the work`);
    }
  }
  if (errors.length > 0) throw new InputError(errors.join('; '));

  const groups: NewWork['groups'] = [];
  const rest = files.filter(f => !groupsIn.some(g => f.path.startsWith(`${g.directory}/`)));
  if (rest.length > 0) {
    groups.push({
      id: workloadGroupId(DEFAULT_GROUP_DIRECTORY),
      directory: DEFAULT_GROUP_DIRECTORY,
      selectors: { ...(body.destinationSelectors ?? {}) },
      files: rest,
    });
  }
  for (const g of groupsIn) {
    groups.push({
      id: workloadGroupId(g.directory),
      directory: g.directory,
      selectors: g.selectors,
      files: files.filter(f => f.path.startsWith(`${g.directory}/`)),
    });
  }
  const namespace = body.namespace || 'default';
  return {
    namespace,
    name: workName(body.promise, body.resource || undefined, body.pipeline),
    promise: body.promise,
    resource: body.resource || undefined,
    pipeline: body.pipeline,
    createdBy,
    groups,
  };
}
