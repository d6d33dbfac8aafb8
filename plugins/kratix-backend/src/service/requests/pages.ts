import { InputError } from '@backstage/errors';
import type { Request } from 'express';
import type { PageRequest } from '../../database';

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 500;

/** `?limit=&cursor=` */
export function pageOf(req: Request): PageRequest {
  const raw = req.query.limit;
  const limit = raw === undefined ? DEFAULT_PAGE : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw new InputError(`limit: "${raw}" must be a whole number from 1 to ${MAX_PAGE}`);
  }
  const cursor = typeof req.query.cursor === 'string' ? req.query.cursor : undefined;
  return { limit, cursor };
}

export function queryString(req: Request, key: string): string | undefined {
  const v = req.query[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new InputError(`${key}: must be given once, as text`);
  return v;
}
