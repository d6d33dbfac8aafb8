import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '@backstage/errors';
import type { WorkFile } from '@internal/plugin-kratix-common';

/**
 * Resolves `sourcePath` inside the workspace; refuses paths that leave it
 * (also through symlinks) and paths that do not exist or are not directories.
 */
export async function resolveSourceDir(workspacePath: string, sourcePath: string): Promise<string> {
  const root = await fs.promises.realpath(workspacePath);
  const candidate = path.resolve(root, sourcePath);
  if (candidate !== root && !candidate.startsWith(`${root}${path.sep}`)) {
    throw new InputError(
      `sourcePath: "${sourcePath}" is outside the workspace; use a path relative to the workspace, e.g. "./manifests"`,
    );
  }
  let real: string;
  try {
    real = await fs.promises.realpath(candidate);
  } catch {
    throw new InputError(
      `sourcePath: "${sourcePath}" does not exist in the workspace; render files there first (e.g. with fetch:template)`,
    );
  }
  if (real !== root && !real.startsWith(`${root}${path.sep}`)) {
    throw new InputError(
      `sourcePath: "${sourcePath}" is outside the workspace (through a symlink)`,
    );
  }
  if (!(await fs.promises.stat(real)).isDirectory()) {
    throw new InputError(
      `sourcePath: "${sourcePath}" is a file; give the directory holding the documents`,
    );
  }
  return real;
}

/** Every file below `dir`, recursively (hidden ones too, as Kratix reads its output), sorted by path. */
export async function readWorkFiles(dir: string, maxFileBytes: number): Promise<WorkFile[]> {
  const out: WorkFile[] = [];
  const walk = async (abs: string, rel: string) => {
    const entries = await fs.promises.readdir(abs, { withFileTypes: true });
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const childAbs = path.join(abs, e.name);
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(childAbs, childRel);
      else if (e.isFile()) {
        const { size } = await fs.promises.stat(childAbs);
        if (size > maxFileBytes) {
          throw new InputError(
            `sourcePath: file "${childRel}" is ${size} bytes, more than the limit of ${maxFileBytes} (kratix.works.maxFileBytes)`,
          );
        }
        const content = await fs.promises.readFile(childAbs);
        const text = content.toString('utf8');
        out.push(
          Buffer.from(text, 'utf8').equals(content)
            ? { path: childRel, content: text }
            : { path: childRel, content: content.toString('base64'), encoding: 'base64' },
        );
      }
    }
  };
  await walk(dir, '');
  return out;
}
