import { StoreError } from '../errors';
import { Mutex } from '../mutex';
import { outsidePrefix, storePrefix, underPrefix } from '../storePrefix';
import {
  ApplyResult,
  MapSnapshot,
  ObserveRequest,
  StateStoreWriter,
  StoreSnapshot,
} from '../types';
import { LocalRepo } from './localRepo';
import { encodeCommit, GitObject, objectId } from './objects';
import { buildPack } from './pack';
import { GitTransport } from './transport';
import { editTree } from './treeEdit';

export interface GitWriterOptions {
  /** `GitStateStore/<name>`, used in every message. */
  name: string;
  branch: string;
  /** The store's `spec.path`. */
  path: string;
  author: { name: string; email: string };
  transport: GitTransport;
  /** Directory for the long-lived local copy (a bare gitdir). */
  workDir: string;
  /** Attempts when a push loses the race with another writer. */
  maxAttempts?: number;
  /** Start a fresh shallow copy when the local store holds more packs than this. */
  maxPacks?: number;
}

/**
 * Writes a GitStateStore. No working tree and no index: a bare local copy is
 * fetched incrementally, new trees are built only along changed paths, and
 * only the new objects are pushed, with a compare-and-swap on the branch tip;
 * a lost race fetches and re-applies the same changes.
 */
export class GitWriter implements StateStoreWriter {
  readonly description: string;
  private readonly repo: LocalRepo;
  private readonly root: string;
  private readonly lock = new Mutex();
  private tip: string | undefined;
  private opened = false;

  constructor(private readonly options: GitWriterOptions) {
    this.description = `${options.name} (${options.transport.target}, branch ${options.branch})`;
    this.repo = new LocalRepo(options.workDir);
    // Kratix's Git writer trims the leading slash of the store path.
    this.root = storePrefix(options.path);
  }

  digest(content: Buffer): string {
    return objectId('blob', content);
  }

  /** A store-relative path as a repository path; undefined when it would leave spec.path. */
  private full(p: string): string | undefined {
    return underPrefix(this.root, p);
  }

  private relative(repoPath: string): string {
    return this.root ? repoPath.slice(this.root.length + 1) : repoPath;
  }

  private async open(): Promise<void> {
    const tooMany = this.opened && (await this.repo.packCount()) > (this.options.maxPacks ?? 50);
    if (this.opened && !tooMany) {
      await this.fetch(false);
      return;
    }
    await this.repo.recreate(this.options.branch, this.options.transport.target);
    this.tip = undefined;
    this.opened = true;
    await this.fetch(true);
  }

  private async fetch(first: boolean): Promise<void> {
    this.tip = await this.options.transport.fetch(this.repo, this.options.branch, first);
    // Keep the local branch at the remote tip: fetch sends it as "have".
    if (this.tip) await this.repo.writeBranch(this.options.branch, this.tip);
  }

  async refresh(): Promise<void> {
    await this.lock.run(() => this.open());
  }

  private async rootTree(): Promise<string | undefined> {
    return this.tip ? this.repo.commitTree(this.tip) : undefined;
  }

  async observe(request: ObserveRequest): Promise<StoreSnapshot> {
    return this.lock.run(async () => {
      if (!this.opened) await this.open();
      const tree = await this.rootTree();
      const files = new Map<string, string>();
      const dirs = request.full ? [''] : request.dirs;
      for (const dir of dirs) {
        // A path outside spec.path is never looked at: it reads as absent.
        const full = this.full(dir);
        if (full === undefined) continue;
        const entry = await this.repo.lookup(tree, full);
        if (entry?.type !== 'tree') continue;
        const found = new Map<string, string>();
        await this.repo.walk(entry.oid, full, found);
        for (const [p, oid] of found) files.set(this.relative(p), oid);
      }
      if (!request.full) {
        for (const p of [...request.paths, ...request.verify]) {
          const full = this.full(p);
          if (full === undefined) continue;
          const entry = await this.repo.lookup(tree, full);
          if (entry && entry.type === 'blob') files.set(p, entry.oid);
        }
      }
      return new MapSnapshot(files);
    });
  }

  async readFile(p: string): Promise<Buffer | undefined> {
    const full = this.full(p);
    if (full === undefined) return undefined;
    return this.lock.run(async () => {
      if (!this.opened) await this.open();
      const entry = await this.repo.lookup(await this.rootTree(), full);
      if (!entry || entry.type !== 'blob') return undefined;
      return this.repo.readBlob(entry.oid);
    });
  }

  async changesSince(since: string | undefined): Promise<{ tip?: string; paths: string[] }> {
    return this.lock.run(async () => {
      if (!this.opened) await this.open();
      if (!since || since === this.tip || !(await this.repo.hasObject(since))) {
        return { tip: this.tip, paths: [] };
      }
      const changed: string[] = [];
      const base = await this.repo.lookup(await this.repo.commitTree(since), this.root);
      const now = await this.repo.lookup(await this.rootTree(), this.root);
      await this.repo.diff(
        base?.type === 'tree' ? base.oid : undefined,
        now?.type === 'tree' ? now.oid : undefined,
        '',
        changed,
      );
      return { tip: this.tip, paths: changed };
    });
  }

  currentVersion(): string | undefined {
    return this.tip;
  }

  async apply(changes: Map<string, Buffer | null>, message: string): Promise<ApplyResult> {
    const rooted = new Map<string, Buffer | null>();
    for (const [p, c] of changes) {
      const full = this.full(p);
      // The commit is one unit: a path that would leave spec.path refuses all of it, before any fetch.
      if (full === undefined) throw outsidePrefix(this.options.name, this.root, p);
      rooted.set(full, c);
    }
    return this.lock.run(async () => {
      if (!this.opened) await this.open();
      for (let attempt = 1; ; attempt++) {
        const result = await this.commitAndPush(rooted, message);
        if (result) return result;
        if (attempt >= (this.options.maxAttempts ?? 6)) {
          throw new StoreError(
            `${this.options.name}: push to ${this.options.transport.target} lost the race ${attempt} times; another writer keeps moving branch ${this.options.branch}, will retry on the next run`,
            'conflict',
          );
        }
        // Someone else pushed: take their commits in and re-apply the same changes.
        await sleep(Math.random() * 100 * 2 ** attempt);
        await this.fetch(false);
      }
    });
  }

  /** One attempt; undefined when another writer moved the branch first. */
  private async commitAndPush(
    rooted: Map<string, Buffer | null>,
    message: string,
  ): Promise<ApplyResult | undefined> {
    const objects = new Map<string, GitObject>();
    const base = await this.rootTree();
    const edit = await editTree(base, rooted, oid => this.repo.readTree(oid), objects);
    if (edit.tree === base) return { written: 0, deleted: 0, commits: 0, puts: 0 };
    let tree = edit.tree;
    if (!tree) {
      const empty = Buffer.alloc(0);
      tree = objectId('tree', empty);
      objects.set(tree, { type: 'tree', content: empty });
    }
    const who = { ...this.options.author, timestamp: Math.floor(Date.now() / 1000) };
    const commitContent = encodeCommit(tree, this.tip, who, message);
    const commit = objectId('commit', commitContent);
    objects.set(commit, { type: 'commit', content: commitContent });
    const pack = buildPack(objects);
    const outcome = await this.options.transport.push(this.repo, {
      branch: this.options.branch,
      oldOid: this.tip,
      newOid: commit,
      pack,
    });
    if (!outcome.ok) return undefined;
    await this.repo.keepPack(pack);
    this.tip = commit;
    await this.repo.writeBranch(this.options.branch, commit);
    return { version: commit, written: edit.written, deleted: edit.deleted, commits: 1, puts: 0 };
  }

  async validatePermissions(): Promise<void> {
    await this.options.transport.checkWrite();
  }

  async close(): Promise<void> {
    await this.options.transport.close();
  }
}

function sleep(ms: number) {
  return new Promise(r => setTimeout(r, ms));
}
