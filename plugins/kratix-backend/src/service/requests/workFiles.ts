import {
  filePathErrors,
  goClean,
  hasDotDotSegment,
} from '@kratix-destinations/plugin-kratix-common';
import type { WorkLimits } from '../../config';
import type { WorkFileContent } from '../../database';

export interface RawFile {
  path: string;
  content: string;
  encoding?: 'utf-8' | 'base64';
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A file path inside a work: relative, clean, no `..`, and nothing git or S3 cannot hold. */
export function pathError(field: string, p: string): string | undefined {
  if (p.startsWith('/'))
    return `${field}: "${p}" must be relative to the work's root, not absolute`;
  if (hasDotDotSegment(p))
    return `${field}: "${p}" contains a ".." segment; files must stay inside the work`;
  if (goClean(p) === '.' || p.endsWith('/')) return `${field}: "${p}" is a directory, not a file`;
  return filePathErrors(field, p)[0];
}

function decode(field: string, f: RawFile): Buffer | string {
  if (f.encoding === 'base64') {
    if (!BASE64.test(f.content)) {
      return `${field}.content: is not valid base64; encode the bytes with standard base64 (A-Z, a-z, 0-9, +, /, = padding) or send UTF-8 text without encoding`;
    }
    return Buffer.from(f.content, 'base64');
  }
  if (LONE_SURROGATE.test(f.content)) {
    return `${field}.content: is not valid UTF-8 text (it holds a lone surrogate); send binary content with encoding: base64`;
  }
  return Buffer.from(f.content, 'utf8');
}

/** Checks and decodes a work's files; each message names the field and the fix. */
export function decodeFiles(
  files: RawFile[],
  limits: WorkLimits,
): { files: WorkFileContent[]; errors: string[] } {
  const errors: string[] = [];
  const out: WorkFileContent[] = [];
  if (files.length > limits.maxFiles) {
    return {
      files: [],
      errors: [
        `files: ${files.length} files is more than the limit of ${limits.maxFiles} (kratix.works.maxFiles)`,
      ],
    };
  }
  const seen = new Set<string>();
  const indexes: number[] = [];
  let total = 0;
  files.forEach((f, i) => {
    const pe = pathError(`files[${i}].path`, f.path);
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
    const content = decode(`files[${i}]`, f);
    if (typeof content === 'string') {
      errors.push(content);
      return;
    }
    if (content.length > limits.maxFileBytes) {
      errors.push(
        `files[${i}]: "${path}" is ${content.length} bytes, more than the limit of ${limits.maxFileBytes} (kratix.works.maxFileBytes)`,
      );
      return;
    }
    total += content.length;
    out.push({ path, content });
    indexes.push(i);
  });
  if (total > limits.maxWorkBytes)
    errors.push(
      `files: ${total} bytes in all, more than the limit of ${limits.maxWorkBytes} (kratix.works.maxWorkBytes)`,
    );
  errors.push(...fileDirClashes(out.map((f, k) => ({ path: f.path, index: indexes[k] }))));
  return { files: out, errors };
}

/** A file that is also another file's directory: no store can hold both; the later one is named. */
function fileDirClashes(files: { path: string; index: number }[]): string[] {
  const byPath = new Map(files.map(f => [f.path, f.index]));
  const errors: string[] = [];
  for (const f of files) {
    for (let s = f.path.indexOf('/'); s !== -1; s = f.path.indexOf('/', s + 1)) {
      const dir = f.path.slice(0, s);
      const other = byPath.get(dir);
      if (other === undefined) continue;
      errors.push(
        `files[${Math.max(other, f.index)}].path: ${JSON.stringify(dir)} is a file and also the directory of ${JSON.stringify(f.path)}; rename one of them`,
      );
      break;
    }
  }
  return errors;
}
