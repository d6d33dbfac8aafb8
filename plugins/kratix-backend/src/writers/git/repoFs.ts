import fs from 'node:fs';
import path from 'node:path';

const PROBE = Promise.reject(new Error('isomorphic-git fs probe'));
PROBE.catch(() => undefined);

const LOOSE_OBJECT = /^[0-9a-f]{2}\/[0-9a-f]{38}$/;

function notFound(p: string): Error {
  const e = new Error(`ENOENT: no such file, open '${p}'`) as NodeJS.ErrnoException;
  e.code = 'ENOENT';
  return e;
}

/**
 * The fs isomorphic-git reads one local repository through.
 *
 * isomorphic-git wraps its fs anew on every call and probes it with a
 * `readFile()` without arguments; then it looks for each object as a loose
 * file before listing the pack directory. With node's fs each probe builds an
 * error with a stack trace (twice per call), each packed object costs a failed
 * open, and each read lists a directory: on a cold full sync of 10,000 files
 * that was most of the time spent reading trees. Here the probe is answered at
 * once, and the listings of the object directories are kept until something
 * is written (through this fs, or announced with `invalidate`).
 */
export class RepoFs {
  private readonly listings = new Map<string, Promise<string[]>>();
  private readonly objectsDir: string;

  /** `onObjectsChanged`: told when objects may have been added or removed. */
  constructor(
    gitdir: string,
    private readonly onObjectsChanged: () => void = () => {},
  ) {
    this.objectsDir = path.join(gitdir, 'objects');
  }

  /** Something wrote to the repository behind this fs's back (native git, our own packs). */
  invalidate(): void {
    this.listings.clear();
    this.onObjectsChanged();
  }

  readFile(...args: any[]): Promise<any> {
    if (args.length === 0) return PROBE;
    const [p, options] = args as [string, any];
    const rel = path.relative(this.objectsDir, p);
    if (LOOSE_OBJECT.test(rel)) return this.readLoose(p, rel, options);
    return fs.promises.readFile(p, options);
  }

  async readdir(p: string, options?: any): Promise<any> {
    if (options || !this.isObjectsDir(p)) return fs.promises.readdir(p, options);
    return [...(await this.listing(p))]; // isomorphic-git sorts what it gets in place
  }

  writeFile(...args: Parameters<typeof fs.promises.writeFile>) {
    return this.mutate(args[0], () => fs.promises.writeFile(...args));
  }
  mkdir(...args: Parameters<typeof fs.promises.mkdir>) {
    return this.mutate(args[0], () => fs.promises.mkdir(...args));
  }
  rmdir(...args: Parameters<typeof fs.promises.rmdir>) {
    return this.mutate(args[0], () => fs.promises.rmdir(...args));
  }
  rm(...args: Parameters<typeof fs.promises.rm>) {
    return this.mutate(args[0], () => fs.promises.rm(...args));
  }
  unlink(...args: Parameters<typeof fs.promises.unlink>) {
    return this.mutate(args[0], () => fs.promises.unlink(...args));
  }
  symlink(...args: Parameters<typeof fs.promises.symlink>) {
    return this.mutate(args[0], () => fs.promises.symlink(...args));
  }
  stat(...args: Parameters<typeof fs.promises.stat>) {
    return fs.promises.stat(...args);
  }
  lstat(...args: Parameters<typeof fs.promises.lstat>) {
    return fs.promises.lstat(...args);
  }
  readlink(...args: Parameters<typeof fs.promises.readlink>) {
    return fs.promises.readlink(...args);
  }

  /** A loose object is only looked for when its fan-out directory exists. */
  private async readLoose(p: string, rel: string, options: any): Promise<any> {
    const fanOut = await this.listing(this.objectsDir).catch(() => [] as string[]);
    if (!fanOut.includes(rel.slice(0, 2))) throw notFound(p);
    return fs.promises.readFile(p, options);
  }

  /** The kept listing of an object directory (not a copy: callers only read it). */
  private listing(p: string): Promise<string[]> {
    let listing = this.listings.get(p);
    if (!listing) {
      listing = fs.promises.readdir(p);
      this.listings.set(p, listing);
      listing.catch(() => this.listings.delete(p));
    }
    return listing;
  }

  private isObjectsDir(p: string): boolean {
    const rel = path.relative(this.objectsDir, p);
    return rel === '' || rel === 'pack';
  }

  private async mutate<T>(target: unknown, write: () => Promise<T>): Promise<T> {
    const rel = path.relative(this.objectsDir, String(target));
    const outside = rel === '..' || rel.startsWith(`..${path.sep}`);
    const objects = !outside || this.objectsDir.startsWith(`${String(target)}${path.sep}`);
    if (objects) this.invalidate();
    try {
      return await write();
    } finally {
      if (objects) this.invalidate();
    }
  }
}
