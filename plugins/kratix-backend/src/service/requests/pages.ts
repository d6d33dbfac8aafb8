import { InputError } from '@backstage/errors';
import { controlCharacterError } from '@kratix-destinations/plugin-kratix-common';
import type { Request } from 'express';
import type { PageRequest } from '../../database';

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 500;

/** `?limit=&cursor=`; the cursor's content is checked by the table that made it. */
export function pageOf(req: Request): PageRequest {
  const raw = req.query.limit;
  const limit = raw === undefined ? DEFAULT_PAGE : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw new InputError(`limit: "${raw}" must be a whole number from 1 to ${MAX_PAGE}`);
  }
  const cursor = req.query.cursor;
  if (cursor !== undefined && typeof cursor !== 'string') {
    throw new InputError(
      `cursor: ${JSON.stringify(cursor)} is not a cursor from a previous page (give it once, as the previous page's nextCursor); leave it out for the first page`,
    );
  }
  return { limit, cursor };
}

export function queryString(req: Request, key: string): string | undefined {
  const v = req.query[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new InputError(`${key}: must be given once, as text`);
  const control = controlCharacterError(key, v);
  if (control) throw new InputError(control);
  return v;
}

/** Each query parameter's text, as `[field, value]` (a repeated one or `a[b]=` gives several). */
function queryValues(field: string, value: unknown): [string, string][] {
  if (typeof value === 'string') return [[field, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => queryValues(`${field}[${i}]`, v));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => queryValues(`${field}.${k}`, v));
  }
  return [];
}

/**
 * Messages for control characters (NUL, newlines, escapes…) in any query
 * parameter's name or value: nothing the API reads may hold one, and
 * PostgreSQL refuses a NUL outright.
 */
export function queryErrors(query: Request['query']): string[] {
  const errors: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    const name = controlCharacterError('query parameter name', key);
    if (name) errors.push(name);
    else
      for (const [field, text] of queryValues(key, value)) {
        const error = controlCharacterError(field, text);
        if (error) errors.push(error);
      }
  }
  return errors;
}
