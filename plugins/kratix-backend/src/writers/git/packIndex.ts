/** A version 2 pack index (`.idx`): where each object of a pack starts. */
export class PackIndex {
  private constructor(
    private readonly idx: Buffer,
    private readonly count: number,
  ) {}

  static parse(idx: Buffer): PackIndex {
    if (idx.readUInt32BE(0) !== 0xff744f63 || idx.readUInt32BE(4) !== 2)
      throw new Error('git pack index: only version 2 is read');
    return new PackIndex(idx, idx.readUInt32BE(8 + 255 * 4));
  }

  get size(): number {
    return this.count;
  }

  /** The pack offset of an object (binary oid), or undefined if the pack lacks it. */
  offsetOf(oid: Buffer): number | undefined {
    const fanout = 8;
    const first = oid[0];
    let lo = first === 0 ? 0 : this.idx.readUInt32BE(fanout + (first - 1) * 4);
    let hi = this.idx.readUInt32BE(fanout + first * 4);
    const names = fanout + 256 * 4;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const at = names + mid * 20;
      const c = this.idx.compare(oid, 0, 20, at, at + 20);
      if (c === 0) return this.offsetAt(mid);
      if (c > 0) hi = mid;
      else lo = mid + 1;
    }
    return undefined;
  }

  private offsetAt(i: number): number {
    const offsets = 8 + 256 * 4 + this.count * 24;
    const small = this.idx.readUInt32BE(offsets + i * 4);
    if (small < 0x80000000) return small;
    const large = offsets + this.count * 4 + (small & 0x7fffffff) * 8;
    return Number(this.idx.readBigUInt64BE(large));
  }
}
