import express from 'express';
import { InputError } from '@backstage/errors';

/** The charset a Content-Type names, lower case, or undefined. */
export function charsetOf(contentType: string | undefined): string | undefined {
  const m = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType ?? '');
  return m ? (m[1] ?? m[2]).toLowerCase() : undefined;
}

/** The offset of the first byte that is not well-formed UTF-8 (RFC 3629), or -1. */
export function invalidUtf8Offset(buf: Buffer): number {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf);
    return -1;
  } catch {
    // Found below, byte by byte.
  }
  for (let i = 0; i < buf.length; ) {
    const b = buf[i];
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/**
 * JSON bodies: only UTF-8 (a byte that is not would be read as U+FFFD and
 * stored), and a body that is not JSON is a 400 that says so without the
 * body echoed back. Not strict: a body of `null` or a string reaches the
 * request parser, which names it.
 */
export function jsonBody(limit: number): express.RequestHandler {
  const parse = express.json({
    limit,
    strict: false,
    verify: (_req, _res, buf) => {
      const at = invalidUtf8Offset(buf);
      if (at === -1) return;
      const byte = `0x${buf[at].toString(16).toUpperCase().padStart(2, '0')}`;
      throw Object.assign(
        new InputError(
          `body: the byte at offset ${at} (${byte}) is not valid UTF-8; send the JSON as UTF-8 text, and binary file content as base64 with encoding: base64`,
        ),
        { status: 400 },
      );
    },
  });
  return (req, res, next) =>
    parse(req, res, (err?: any) => {
      if (!err) next();
      else if (err.type === 'entity.verify.failed') next(new InputError(err.message));
      else if (err.type === 'entity.parse.failed') {
        next(new InputError(`body: is not valid JSON (${err.message}); send a JSON object`));
      } else next(err);
    });
}
