import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '@backstage/errors';
import type { WorkFile } from '@kratix-destinations/plugin-kratix-common';

function inside(root: string, p: string): boolean {
  return p === root || p.startsWith(`${root}${path.sep}`);
}

/**
 * Resolves `sourcePath` inside the workspace; refuses paths that leave it
 * (also through symlinks) and paths that do not exist or are not directories.
 */
export async function resolveSourceDir(workspacePath: string, sourcePath: string): Promise<string> {
  const root = await fs.promises.realpath(workspacePath);
  const candidate = path.resolve(root, sourcePath);
  if (!inside(root, candidate)) {
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
  if (!inside(root, real))
    throw new InputError(
      `sourcePath: "${sourcePath}" is outside the workspace (through a symlink)`,
    );
  if (!(await fs.promises.stat(real)).isDirectory()) {
    throw new InputError(
      `sourcePath: "${sourcePath}" is a file; give the directory holding the documents`,
    );
  }
  return real;
}

function asWorkFile(rel: string, content: Buffer): WorkFile {
  const text = content.toString('utf8');
  return Buffer.from(text, 'utf8').equals(content)
    ? { path: rel, content: text }
    : { path: rel, content: content.toString('base64'), encoding: 'base64' };
}

/**
 * Every file below `dir`, recursively (hidden ones too, as Kratix reads its
 * output), sorted by path. A symbolic link is read as the file or directory
 * it points to when that is inside the workspace; one that leaves the
 * workspace is refused, never followed.
 */
export async function readWorkFiles(dir: string, workspacePath: string): Promise<WorkFile[]> {
  const root = await fs.promises.realpath(workspacePath);
  const out: WorkFile[] = [];
  const visited = new Set<string>();
  const walk = async (abs: string, rel: string) => {
    const real = await fs.promises.realpath(abs);
    if (visited.has(real)) return; // a link loop
    visited.add(real);
    const entries = await fs.promises.readdir(abs, { withFileTypes: true });
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const childAbs = path.join(abs, e.name);
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      let target = childAbs;
      if (e.isSymbolicLink()) {
        const resolved = await fs.promises.realpath(childAbs).catch(() => undefined);
        if (!resolved || !inside(root, resolved)) {
          throw new InputError(
            `sourcePath: "${childRel}" is a symbolic link that leaves the workspace (or points nowhere); replace it with the file itself`,
          );
        }
        target = resolved;
      }
      const stat = await fs.promises.stat(target);
      if (stat.isDirectory()) await walk(target, childRel);
      else if (stat.isFile()) out.push(asWorkFile(childRel, await fs.promises.readFile(target)));
    }
  };
  await walk(dir, '');
  return out;
}
