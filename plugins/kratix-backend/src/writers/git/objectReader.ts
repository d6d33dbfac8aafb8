import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { applyDelta } from './delta';
import { PackIndex } from './packIndex';

export type ObjectType = 'commit' | 'tree' | 'blob' | 'tag';

/** An object read back from the local copy. */

export interface StoredObject {
  type: ObjectType;
  content: Buffer;
}

const TYPES: Record<number, ObjectType> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };
const OFS_DELTA = 6;
const REF_DELTA = 7;

/** Delta bases kept resolved, by pack and offset: a chain is inflated once. */
const BASE_CACHE_BYTES = 16 * 1024 * 1024;

interface OpenPack {
  name: string;
  index: PackIndex;
  data: Buffer;
}

/**
 * Reads objects of a local bare repository: its packs through their `.idx`,
 * inflated with node's zlib, and loose objects. isomorphic-git's reader
 * inflates in JavaScript and hashes every object again on each read; a first
 * full sync reads every tree of the store, which made it most of the time.
 * Packs are checked by their checksum when they are written (fetched or
 * built), so objects are not hashed again here.
 */
const OID = /^[0-9a-f]{40}$/;
/** Node reads no file over 2 GiB into one buffer. */
const MAX_PACK_BYTES = 2 ** 31 - 1;

export class ObjectReader {
  private packs?: Promise<OpenPack[]>;
  /** Packs read so far, by file name: the name is the pack's checksum, so it never changes. */
  private readonly loaded = new Map<string, OpenPack>();
  private readonly bases = new Map<string, StoredObject>();
  private basesBytes = 0;

  constructor(private readonly gitdir: string) {}

  /** Packs or loose objects were added or removed: the pack directory is listed again. */
  invalidate(): void {
    this.packs = undefined;
  }

  async read(oid: string): Promise<StoredObject | undefined> {
    if (!OID.test(oid)) return undefined;
    const packed = await this.locate(oid);
    return packed ? this.readPacked(packed.pack, packed.offset) : this.readLoose(oid);
  }

  async has(oid: string): Promise<boolean> {
    if (!OID.test(oid)) return false;
    if (await this.locate(oid)) return true;
    return fs.promises.access(this.loosePath(oid)).then(
      () => true,
      () => false,
    );
  }

  /** The pack holding an object, and where in it. */
  private async locate(oid: string): Promise<{ pack: OpenPack; offset: number } | undefined> {
    const key = Buffer.from(oid, 'hex');
    for (const pack of await this.openPacks()) {
      const offset = pack.index.offsetOf(key);
      if (offset !== undefined) return { pack, offset };
    }
    return undefined;
  }

  private openPacks(): Promise<OpenPack[]> {
    if (!this.packs) {
      const listing = this.listPacks();
      // A failed listing is not kept: the next read tries again.
      listing.catch(() => {
        if (this.packs === listing) this.packs = undefined;
      });
      this.packs = listing;
    }
    return this.packs;
  }

  private async listPacks(): Promise<OpenPack[]> {
    const dir = path.join(this.gitdir, 'objects/pack');
    const names = (await fs.promises.readdir(dir).catch(() => [] as string[]))
      .filter(n => n.endsWith('.idx'))
      .sort();
    for (const name of this.loaded.keys()) if (!names.includes(name)) this.forget(name);
    const out: OpenPack[] = [];
    for (const name of names) {
      const pack = this.loaded.get(name) ?? (await this.loadPack(dir, name));
      if (!pack) continue;
      this.loaded.set(name, pack);
      out.push(pack);
    }
    return out;
  }

  private async loadPack(dir: string, name: string): Promise<OpenPack | undefined> {
    const base = path.join(dir, name.slice(0, -4));
    const stat = await fs.promises.stat(`${base}.pack`).catch(() => undefined);
    if (!stat) return undefined;
    if (stat.size > MAX_PACK_BYTES)
      throw new Error(
        `git pack ${name.slice(0, -4)} of the local copy is ${stat.size} bytes; packs over 2 GiB cannot be read`,
      );
    const [idx, data] = await Promise.all([
      fs.promises.readFile(`${base}.idx`),
      fs.promises.readFile(`${base}.pack`),
    ]);
    return { name, index: PackIndex.parse(idx), data };
  }

  private forget(name: string): void {
    this.loaded.delete(name);
    for (const [k, v] of this.bases) {
      if (!k.startsWith(`${name}:`)) continue;
      this.bases.delete(k);
      this.basesBytes -= v.content.length;
    }
  }

  private async readPacked(pack: OpenPack, offset: number): Promise<StoredObject> {
    const key = `${pack.name}:${offset}`;
    const cached = this.bases.get(key);
    if (cached) return cached;
    const { type, size, at } = objectHeader(pack.data, offset);
    if (TYPES[type]) return { type: TYPES[type], content: inflateAt(pack.data, at, size) };
    let base: StoredObject | undefined;
    let start = at;
    if (type === OFS_DELTA) {
      const { distance, next } = ofsDistance(pack.data, at);
      base = await this.readPacked(pack, offset - distance);
      start = next;
    } else if (type === REF_DELTA) {
      base = await this.read(pack.data.subarray(at, at + 20).toString('hex'));
      start = at + 20;
    }
    if (!base)
      throw new Error(`git object at ${offset}: type ${type} or its delta base is missing`);
    const object = {
      type: base.type,
      content: applyDelta(inflateAt(pack.data, start, size), base.content),
    };
    this.remember(key, object);
    return object;
  }

  private remember(key: string, object: StoredObject): void {
    const size = object.content.length;
    if (size > BASE_CACHE_BYTES / 4) return;
    this.bases.set(key, object);
    this.basesBytes += size;
    for (const [k, v] of this.bases) {
      if (this.basesBytes <= BASE_CACHE_BYTES) break;
      this.bases.delete(k);
      this.basesBytes -= v.content.length;
    }
  }

  private loosePath(oid: string): string {
    return path.join(this.gitdir, 'objects', oid.slice(0, 2), oid.slice(2));
  }

  private async readLoose(oid: string): Promise<StoredObject | undefined> {
    const raw = await fs.promises.readFile(this.loosePath(oid)).catch(() => undefined);
    if (!raw) return undefined;
    const wrapped = zlib.inflateSync(raw);
    const space = wrapped.indexOf(0x20);
    const nul = wrapped.indexOf(0, space);
    const type = wrapped.subarray(0, space).toString() as ObjectType;
    return { type, content: wrapped.subarray(nul + 1) };
  }
}

/** A packed object's type, inflated size, and where its data starts. */
function objectHeader(data: Buffer, offset: number) {
  let at = offset;
  let c = data[at++];
  const type = (c >> 4) & 7;
  let size = c & 15;
  let shift = 4;
  while (c & 0x80) {
    c = data[at++];
    size += (c & 0x7f) * 2 ** shift;
    shift += 7;
  }
  return { type, size, at };
}

/** The distance back to an ofs-delta's base. */
function ofsDistance(data: Buffer, start: number): { distance: number; next: number } {
  let at = start;
  let c = data[at++];
  let distance = c & 0x7f;
  while (c & 0x80) {
    c = data[at++];
    distance = (distance + 1) * 128 + (c & 0x7f);
  }
  return { distance, next: at };
}

/** Inflates the zlib stream at `at`; node's zlib stops at the stream's end. */
function inflateAt(data: Buffer, at: number, size: number): Buffer {
  const out = zlib.inflateSync(data.subarray(at), { maxOutputLength: Math.max(size, 1) });
  if (out.length !== size)
    throw new Error(`git object: ${out.length} bytes inflated, ${size} expected`);
  return out;
}
