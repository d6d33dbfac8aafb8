import { InputError } from '@backstage/errors';
import { controlCharacterError } from '@kratix-destinations/plugin-kratix-common';

const MAX_ECHO = 100;

/** The cursor as the message shows it: JSON-quoted (control characters escaped) and shortened. */
function shown(cursor: string): string {
  return JSON.stringify(cursor.length <= MAX_ECHO ? cursor : `${cursor.slice(0, MAX_ECHO)}…`);
}

/**
 * The sort key a page cursor carries (as rows.ts's encodeCursor writes it:
 * base64url of a JSON list of strings), checked strictly: exactly `size`
 * non-empty strings, and the very bytes encodeCursor gives for them, so a
 * cursor that was not a previous page's `nextCursor` (garbage, a number, an
 * object, a list of another length, another table's) is a 400 rather than
 * page 1, an empty page or a database error. Undefined (and `''`) is the
 * first page.
 */
export function cursorKey(cursor: string | undefined, size: number): string[] | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const refuse = () =>
    new InputError(
      `cursor: ${shown(cursor)} is not a cursor from a previous page; leave it out for the first page`,
    );
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw refuse();
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  if (
    !Array.isArray(key) ||
    key.length !== size ||
    !key.every(k => typeof k === 'string' && k !== '') ||
    Buffer.from(JSON.stringify(key)).toString('base64url') !== cursor
  ) {
    throw refuse();
  }
  return key as string[];
}

/**
 * A search text with a control character is refused (PostgreSQL cannot
 * even take a NUL as a parameter); the HTTP layer refuses it first, this
 * guards every other caller, such as the actions.
 */
export function refuseControlCharacters(search: string): void {
  const error = controlCharacterError('search', search);
  if (error) throw new InputError(error);
}
