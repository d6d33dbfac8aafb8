import { goClean } from '@kratix-destinations/plugin-kratix-common';

/**
 * A path as every store compares it: cleaned, no leading slash, `''` for the
 * root. Kratix keeps a leading `/` of `/`-rooted Destination paths in S3
 * keys; listings return keys without it, so both sides are compared in this
 * one form (D1).
 */
export function storePath(p: string): string {
  const clean = goClean(p).replace(/^\/+/, '');
  return clean === '.' ? '' : clean;
}
