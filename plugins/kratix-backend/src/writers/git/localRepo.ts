import fs from 'node:fs';
import path from 'node:path';
import git from 'isomorphic-git';
import { TreeEntry } from './objects';
import { ObjectReader, StoredObject } from './objectReader';
import { BuiltPack } from './pack';
import { RepoFs } from './repoFs';
import { parseTree } from './treeRead';

/** Parsed trees kept per store (about 100 bytes an entry). */
const MAX_CACHED_TREES = 100_000;

/**
 * The long-lived bare copy of a store's repository: no working tree, no
 * index. isomorphic-git fetches into it (with one shared cache); we read its
 * objects with ObjectReader, and keep parsed trees by oid (a tree never
 * changes for an oid).
 */
export class LocalRepo {
  private cache: object = {};
  private readonly trees = new Map<string, TreeEntry[]>();
  private readonly byName = new Map<string, Map<string, TreeEntry>>();

  /** What isomorphic-git reads this repository through (see RepoFs). */
  readonly fs: RepoFs;
  /** What we read objects through (see ObjectReader). */
  private readonly objects: ObjectReader;

  constructor(readonly gitdir: string) {
    this.objects = new ObjectReader(gitdir);
    this.fs = new RepoFs(gitdir, () => this.objects.invalidate());
  }

  async recreate(branch: string, url: string): Promise<void> {
    await fs.promises.rm(this.gitdir, { recursive: true, force: true });
    await fs.promises.mkdir(this.gitdir, { recursive: true });
    this.fs.invalidate();
    await git.init({ fs: this.fs, gitdir: this.gitdir, bare: true, defaultBranch: branch });
    await git.addRemote({ fs: this.fs, gitdir: this.gitdir, remote: 'origin', url });
    this.cache = {};
    this.trees.clear();
    this.byName.clear();
  }

  /** isomorphic-git's cache (pack indexes); shared by every call on this repository. */
  get isoCache(): object {
    return this.cache;
  }

  async packCount(): Promise<number> {
    try {
      const files = await fs.promises.readdir(path.join(this.gitdir, 'objects/pack'));
      return files.filter(f => f.endsWith('.pack')).length;
    } catch {
      return 0;
    }
  }

  async hasObject(oid: string): Promise<boolean> {
    return this.objects.has(oid);
  }

  private async object(oid: string, type: StoredObject['type']): Promise<Buffer> {
    const o = await this.objects.read(oid);
    if (!o) throw Object.assign(new Error(`Could not find ${oid}.`), { code: 'NotFoundError' });
    if (o.type !== type) throw new Error(`git object ${oid} is a ${o.type}, not a ${type}`);
    return o.content;
  }

  async readTree(oid: string): Promise<TreeEntry[]> {
    const cached = this.trees.get(oid);
    if (cached) return cached;
    const tree = parseTree(await this.object(oid, 'tree'));
    if (this.trees.size >= MAX_CACHED_TREES) {
      this.trees.clear();
      this.byName.clear();
    }
    this.trees.set(oid, tree);
    return tree;
  }

  /** A tree's entries by name: lookups in large directories stay cheap. */
  private async entries(oid: string): Promise<Map<string, TreeEntry>> {
    let m = this.byName.get(oid);
    if (!m) {
      m = new Map((await this.readTree(oid)).map(e => [e.path, e]));
      this.byName.set(oid, m);
    }
    return m;
  }

  async commitTree(commit: string): Promise<string> {
    const content = await this.object(commit, 'commit');
    const tree = /^tree ([0-9a-f]{40})\n/.exec(content.toString('latin1'));
    if (!tree) throw new Error(`git commit ${commit} names no tree`);
    return tree[1];
  }

  async readBlob(oid: string): Promise<Buffer> {
    return this.object(oid, 'blob');
  }

  /** The entry at `p` (relative to the repository root) under `tree`. */
  async lookup(tree: string | undefined, p: string): Promise<TreeEntry | undefined> {
    if (!tree) return undefined;
    if (p === '') return { mode: '040000', path: '', oid: tree, type: 'tree' };
    let current = tree;
    const parts = p.split('/');
    for (let i = 0; i < parts.length; i++) {
      const entry = (await this.entries(current)).get(parts[i]);
      if (!entry || i === parts.length - 1) return entry;
      if (entry.type !== 'tree') return undefined;
      current = entry.oid;
    }
    return undefined;
  }

  /** Every blob below a tree: path (with `prefix`) -> oid. */
  async walk(tree: string, prefix: string, out: Map<string, string>): Promise<void> {
    for (const e of await this.readTree(tree)) {
      const p = prefix ? `${prefix}/${e.path}` : e.path;
      if (e.type === 'tree') await this.walk(e.oid, p, out);
      else if (e.type === 'blob') out.set(p, e.oid);
    }
  }

  /** Blob paths that differ between two trees (added, changed or removed), under `prefix`. */
  async diff(
    a: string | undefined,
    b: string | undefined,
    prefix: string,
    out: string[],
  ): Promise<void> {
    if (a === b) return;
    const left = new Map((a ? await this.readTree(a) : []).map(e => [e.path, e]));
    const right = new Map((b ? await this.readTree(b) : []).map(e => [e.path, e]));
    for (const name of new Set([...left.keys(), ...right.keys()])) {
      const l = left.get(name);
      const r = right.get(name);
      if (l?.oid === r?.oid && l?.mode === r?.mode) continue;
      const p = prefix ? `${prefix}/${name}` : name;
      const lt = l?.type === 'tree' ? l.oid : undefined;
      const rt = r?.type === 'tree' ? r.oid : undefined;
      if (lt || rt) await this.diff(lt, rt, p, out);
      if ((l && l.type !== 'tree') || (r && r.type !== 'tree')) out.push(p);
    }
  }

  async writeBranch(branch: string, oid: string): Promise<void> {
    await git.writeRef({
      fs: this.fs,
      gitdir: this.gitdir,
      ref: `refs/heads/${branch}`,
      value: oid,
      force: true,
    });
  }

  /** Keeps a pack we pushed, so the objects can be read back without a fetch. */
  async keepPack(built: BuiltPack): Promise<void> {
    const dir = path.join(this.gitdir, 'objects/pack');
    await fs.promises.mkdir(dir, { recursive: true });
    await fs.promises.writeFile(path.join(dir, `pack-${built.checksum}.pack`), built.pack);
    await fs.promises.writeFile(path.join(dir, `pack-${built.checksum}.idx`), built.idx);
    this.fs.invalidate();
  }
}
