/** Encodes one pkt-line (4 hex digits of length, then the payload). */
export function pktLine(payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, '0')), body]);
}

export const FLUSH = Buffer.from('0000');

/** Splits a pkt-line stream into payloads; flush, delimiter and response-end packets are skipped. */
export function splitPktLines(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let pos = 0;
  while (pos + 4 <= data.length) {
    const len = parseInt(data.subarray(pos, pos + 4).toString('ascii'), 16);
    if (Number.isNaN(len)) break;
    if (len < 4) {
      pos += 4;
      continue;
    }
    out.push(data.subarray(pos + 4, pos + len));
    pos += len;
  }
  return out;
}

/** Splits a pkt-line stream into payload strings. */
export function parsePktLines(data: Buffer): string[] {
  return splitPktLines(data).map(b => b.toString('utf8'));
}
