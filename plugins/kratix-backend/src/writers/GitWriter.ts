import fs from 'node:fs';
import path from 'node:path';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import { goJoin } from '@internal/plugin-kratix-common';
import { ApplyResult, StateStoreWriter } from './types';
import { networkErrorCode, StateStoreError } from './errors';
import { GitObject, TreeEntry, encodeCommit, objectId } from './git/objects';
import { editTree } from './git/treeEdit';
import { buildPack } from './git/pack';
import { receivePack } from './git/receivePack';
import { Mutex } from './mutex';

export interface GitWriterOptions {
  /** `GitStateStore/<name>`, used in every message. */
  name: string;
  url: string;
  branch: string;
  /** The store's `spec.path`. */
  path: string;
  author: { name: string; email: string };
  credentials?: { username?: string; password: string };
  /** Directory for the long-lived local copy (a bare gitdir). */
  workDir: string;
  /** Attempts when a push loses the race with another writer. */
  maxAttempts?: number;
  /** Start a fresh shallow copy when the local store holds more packs than this. */
  maxPacks?: number;
}

/**
 * Writes a GitStateStore over smart HTTP. No working tree and no index: a
 * bare local copy is fetched incrementally, new trees are built only along
 * changed paths, and only the new objects are pushed, with a compare-and-swap
 * on the branch tip; a lost race fetches and re-applies the same changes.
 */
export class GitWriter implements StateStoreWriter {
  readonly description: string;
  private readonly gitdir: string;
  private readonly root: string;
  private readonly cache = {};
  private readonly trees = new Map<string, TreeEntry[]>();
  private readonly lock = new Mutex();
  private tip: string | undefined;
  private opened = false;

  constructor(private readonly options: GitWriterOptions) {
    this.description = `${options.name} (${options.url}, branch ${options.branch})`;
    this.gitdir = options.workDir;
    // Kratix's Git writer trims the leading slash of the store path.
    this.root = goJoin(options.path, '').replace(/^\/+/, '');
    if (this.root === '.') this.root = '';
  }

  private full(p: string): string {
    return goJoin(this.root, p).replace(/^\/+/, '');
  }

  private get auth() {
    const c = this.options.credentials;
    return {
      onAuth: () =>
        c ? { username: c.username || 'x-access-token', password: c.password } : { cancel: true },
      onAuthFailure: () => ({ cancel: true }),
    };
  }

  private get headers(): Record<string, string> {
    const c = this.options.credentials;
    const h: Record<string, string> = { 'user-agent': 'git/kratix-backstage' };
    if (c)
      h.authorization = `Basic ${Buffer.from(`${c.username || 'x-access-token'}:${c.password}`).toString('base64')}`;
    return h;
  }

  /** Turns a transport error into a message that names the store, never a secret. */
  private explain(e: any, doing: string): StateStoreError {
    if (e instanceof StateStoreError) return e;
    const status = e?.data?.statusCode ?? e?.statusCode;
    if (status === 401 || status === 403 || e?.code === 'UserCanceledError') {
      return new StateStoreError(
        `${this.options.name}: authentication failed while ${doing} ${this.options.url} (HTTP ${status ?? 401}); check the username and password of its secretRef in kratix.secrets`,
        'auth',
      );
    }
    const code = networkErrorCode(e);
    if (code) {
      return new StateStoreError(
        `${this.options.name}: cannot reach ${this.options.url} (${code})`,
        'unreachable',
      );
    }
    if (status === 404) {
      return new StateStoreError(
        `${this.options.name}: no repository at ${this.options.url} (HTTP 404); check spec.url`,
        'other',
      );
    }
    const detail = `${e?.message ?? e}${e?.cause?.message ? `: ${e.cause.message}` : ''}`;
    const msg = detail.split(this.options.credentials?.password || '\u0000').join('***');
    return new StateStoreError(`${this.options.name}: ${doing} ${this.options.url} failed: ${msg}`);
  }

  private async open(): Promise<void> {
    if (this.opened && (await this.packCount()) <= (this.options.maxPacks ?? 50)) return;
    await fs.promises.rm(this.gitdir, { recursive: true, force: true });
    await fs.promises.mkdir(this.gitdir, { recursive: true });
    await git.init({ fs, gitdir: this.gitdir, bare: true, defaultBranch: this.options.branch });
    await git.addRemote({ fs, gitdir: this.gitdir, remote: 'origin', url: this.options.url });
    this.tip = undefined;
    for (const key of Object.keys(this.cache)) delete (this.cache as any)[key];
    this.opened = true;
    await this.fetch(true);
  }

  private async packCount(): Promise<number> {
    try {
      return (await fs.promises.readdir(path.join(this.gitdir, 'objects/pack'))).filter(f =>
        f.endsWith('.pack'),
      ).length;
    } catch {
      return 0;
    }
  }

  private async fetch(first: boolean): Promise<void> {
    const branch = this.options.branch;
    let result;
    try {
      result = await git.fetch({
        fs,
        http,
        gitdir: this.gitdir,
        cache: this.cache,
        remote: 'origin',
        url: this.options.url,
        ref: branch,
        remoteRef: branch,
        singleBranch: true,
        tags: false,
        // Depth only on the first fetch: with it, later fetches re-download the snapshot.
        ...(first ? { depth: 1 } : {}),
        headers: { 'user-agent': 'git/kratix-backstage' },
        ...this.auth,
      });
    } catch (e: any) {
      if (e?.code === 'NotFoundError' && /refs\/heads/.test(String(e.message))) {
        this.tip = undefined; // an empty repository: the branch will be created by our first push
        return;
      }
      throw this.explain(e, 'fetching');
    }
    if (!result.fetchHead) {
      this.tip = undefined;
      return;
    }
    this.tip = result.fetchHead;
    // Keep the local branch at the remote tip: fetch sends it as "have".
    await git.writeRef({
      fs,
      gitdir: this.gitdir,
      ref: `refs/heads/${branch}`,
      value: this.tip,
      force: true,
    });
  }

  async refresh(): Promise<void> {
    await this.lock.run(async () => {
      if (!this.opened) await this.open();
      else if ((await this.packCount()) > (this.options.maxPacks ?? 50)) await this.open();
      else await this.fetch(false);
    });
  }

  private async readTree(oid: string): Promise<TreeEntry[]> {
    // Trees never change for an oid: parsed ones are kept, so a full sync reads each tree once.
    const cached = this.trees.get(oid);
    if (cached) return cached;
    const { tree } = await git.readTree({ fs, gitdir: this.gitdir, oid, cache: this.cache });
    if (this.trees.size >= MAX_CACHED_TREES) this.trees.clear();
    this.trees.set(oid, tree as TreeEntry[]);
    return tree as TreeEntry[];
  }

  private async rootTree(): Promise<string | undefined> {
    if (!this.tip) return undefined;
    const { commit } = await git.readCommit({
      fs,
      gitdir: this.gitdir,
      oid: this.tip,
      cache: this.cache,
    });
    return commit.tree;
  }

  /** The oid of the tree or blob at `p` (relative to the repository root), if any. */
  private async lookup(p: string): Promise<TreeEntry | undefined> {
    let tree: string | undefined = await this.rootTree();
    if (!tree) return undefined;
    if (p === '') return { mode: '040000', path: '', oid: tree, type: 'tree' };
    const parts = p.split('/');
    for (let i = 0; i < parts.length; i++) {
      const entry: TreeEntry | undefined = (await this.readTree(tree)).find(
        e => e.path === parts[i],
      );
      if (!entry) return undefined;
      if (i === parts.length - 1) return entry;
      if (entry.type !== 'tree') return undefined;
      tree = entry.oid;
    }
    return undefined;
  }

  async readFile(p: string): Promise<Buffer | undefined> {
    return this.lock.run(async () => {
      if (!this.opened) await this.open();
      const entry = await this.lookup(this.full(p));
      if (!entry || entry.type !== 'blob') return undefined;
      const { blob } = await git.readBlob({
        fs,
        gitdir: this.gitdir,
        oid: entry.oid,
        cache: this.cache,
      });
      return Buffer.from(blob);
    });
  }

  async list(dir: string): Promise<string[]> {
    return this.lock.run(async () => {
      if (!this.opened) await this.open();
      const base = this.full(dir);
      const entry = await this.lookup(base === '.' ? '' : base);
      if (!entry || entry.type !== 'tree') return [];
      const out: string[] = [];
      const walk = async (oid: string, prefix: string) => {
        for (const e of await this.readTree(oid)) {
          const p = prefix ? `${prefix}/${e.path}` : e.path;
          if (e.type === 'tree') await walk(e.oid, p);
          else if (e.type === 'blob') out.push(p);
        }
      };
      await walk(entry.oid, goJoin(dir) === '.' ? '' : goJoin(dir));
      return out;
    });
  }

  async apply(changes: Map<string, Buffer | null>, message: string): Promise<ApplyResult> {
    return this.lock.run(async () => {
      if (!this.opened) await this.open();
      const rooted = new Map<string, Buffer | null>();
      for (const [p, c] of changes) rooted.set(this.full(p), c);
      const maxAttempts = this.options.maxAttempts ?? 6;
      for (let attempt = 1; ; attempt++) {
        const objects = new Map<string, GitObject>();
        const base = await this.rootTree();
        const edit = await editTree(base, rooted, oid => this.readTree(oid), objects);
        if (edit.tree === base) return { written: 0, deleted: 0, commits: 0, puts: 0 };
        let tree = edit.tree;
        if (!tree) {
          // Everything was deleted: commit an empty tree.
          const empty = Buffer.alloc(0);
          tree = objectId('tree', empty);
          objects.set(tree, { type: 'tree', content: empty });
        }
        const commitContent = encodeCommit(
          tree,
          this.tip,
          { ...this.options.author, timestamp: Math.floor(Date.now() / 1000) },
          message,
        );
        const commit = objectId('commit', commitContent);
        objects.set(commit, { type: 'commit', content: commitContent });
        const built = buildPack(objects);
        let outcome;
        try {
          outcome = await receivePack({
            url: this.options.url,
            branch: this.options.branch,
            oldOid: this.tip,
            newOid: commit,
            pack: built.pack,
            headers: this.headers,
          });
        } catch (e) {
          throw this.explain(e, 'pushing to');
        }
        if (outcome.ok) {
          await this.keepPack(built);
          this.tip = commit;
          await git.writeRef({
            fs,
            gitdir: this.gitdir,
            ref: `refs/heads/${this.options.branch}`,
            value: commit,
            force: true,
          });
          return {
            version: commit,
            written: edit.written,
            deleted: edit.deleted,
            commits: 1,
            puts: 0,
          };
        }
        if (attempt >= maxAttempts) {
          throw new StateStoreError(
            `${this.options.name}: push to ${this.options.url} rejected ${attempt} times (${outcome.reason}); another writer keeps moving branch ${this.options.branch}, will retry on the next run`,
            'conflict',
          );
        }
        // Someone else pushed: take their commits in and re-apply the same changes.
        await sleep(Math.random() * 100 * 2 ** attempt);
        await this.fetch(false);
      }
    });
  }

  private async keepPack(built: ReturnType<typeof buildPack>) {
    const dir = path.join(this.gitdir, 'objects/pack');
    await fs.promises.mkdir(dir, { recursive: true });
    await fs.promises.writeFile(path.join(dir, `pack-${built.checksum}.pack`), built.pack);
    await fs.promises.writeFile(path.join(dir, `pack-${built.checksum}.idx`), built.idx);
  }

  async validatePermissions(): Promise<void> {
    // http-backend (and hosted servers) only advertise receive-pack to a user allowed to push.
    let res: Response;
    try {
      res = await fetch(
        `${this.options.url.replace(/\/+$/, '')}/info/refs?service=git-receive-pack`,
        { headers: this.headers },
      );
      await res.arrayBuffer();
    } catch (e) {
      throw this.explain(e, 'checking write access to');
    }
    if (res.status !== 200)
      throw this.explain(
        { statusCode: res.status, message: `HTTP ${res.status}` },
        'checking write access to',
      );
  }

  async close(): Promise<void> {}
}

/** Parsed trees kept per store (about 100 bytes an entry). */
const MAX_CACHED_TREES = 100_000;

function sleep(ms: number) {
  return new Promise(r => setTimeout(r, ms));
}
