function sizeAt(delta: Buffer, start: number): { size: number; next: number } {
  let at = start;
  let size = 0;
  let shift = 0;
  let c: number;
  do {
    c = delta[at++];
    size += (c & 0x7f) * 2 ** shift;
    shift += 7;
  } while (c & 0x80);
  return { size, next: at };
}

/** Applies a git delta (copy and insert instructions) to its base. */
export function applyDelta(delta: Buffer, base: Buffer): Buffer {
  const source = sizeAt(delta, 0);
  if (source.size !== base.length)
    throw new Error(`git delta: base is ${base.length} bytes, ${source.size} expected`);
  const target = sizeAt(delta, source.next);
  const out = Buffer.allocUnsafe(target.size);
  let at = target.next;
  let pos = 0;
  while (at < delta.length) {
    const op = delta[at++];
    if (op & 0x80) {
      let offset = 0;
      let size = 0;
      for (let i = 0; i < 4; i++) if (op & (1 << i)) offset += delta[at++] * 2 ** (8 * i);
      for (let i = 0; i < 3; i++) if (op & (16 << i)) size += delta[at++] << (8 * i);
      if (at > delta.length) throw new Error('git delta: cut short');
      if (size === 0) size = 0x10000;
      if (offset + size > base.length) throw new Error('git delta: copy beyond its base');
      if (pos + size > out.length) throw new Error('git delta: copy beyond its target size');
      pos += base.copy(out, pos, offset, offset + size);
    } else if (op > 0) {
      if (at + op > delta.length) throw new Error('git delta: insert beyond its end');
      if (pos + op > out.length) throw new Error('git delta: insert beyond its target size');
      pos += delta.copy(out, pos, at, at + op);
      at += op;
    } else {
      throw new Error('git delta: reserved instruction 0');
    }
  }
  if (pos !== target.size) throw new Error(`git delta: ${pos} bytes made, ${target.size} expected`);
  return out;
}
