import { goJoin } from '@kratix-destinations/plugin-kratix-common';
import { StoreError } from './errors';

/** A store's prefix from its `spec.path`: cleaned, without the leading `/` Kratix trims; `''` is the root. */
export function storePrefix(specPath: string): string {
  const root = goJoin(specPath, '').replace(/^\/+/, '');
  return root === '.' ? '' : root;
}

/**
 * A store-relative path as a repository path or object key under the
 * store's prefix; undefined when it could leave the prefix. `goJoin` alone
 * resolves `..` against the prefix (`../other/x` under `a` is `other/x`), so
 * a path that is absolute or has a `..` segment is refused outright, and the
 * joined result is checked to be the prefix or below it as well.
 */
export function underPrefix(prefix: string, p: string): string | undefined {
  if (p.startsWith('/') || p.split('/').includes('..')) return undefined;
  const joined = goJoin(prefix, p).replace(/^\/+/, '');
  const key = joined === '.' ? '' : joined;
  if (prefix && key !== prefix && !key.startsWith(`${prefix}/`)) return undefined;
  return key;
}

/** Why a write or delete outside the prefix was refused (bucket: only its placement fails; Git: the commit). */
export function outsidePrefix(store: string, prefix: string, p: string): StoreError {
  const where = prefix ? `spec.path "${prefix}"` : 'the store root';
  return new StoreError(
    `${store}: refused to change "${p}": it is absolute or has a ".." segment, so it could leave ${where}; store paths are relative and stay below spec.path`,
    'refused',
  );
}
