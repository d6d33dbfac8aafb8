import { InputError, NotFoundError } from '@backstage/errors';
import {
  BucketStateStoreSpec,
  GitStateStoreSpec,
  goHostname,
  goJoin,
  isAmazonEndpoint,
  stateStoreLabel,
} from '@kratix-destinations/plugin-kratix-common';
import type { KratixStore, OwnedFile, StoredDestination, StoredStateStore } from '../database';
import { destinationRoot, effectiveLayout, storePath } from '../layout';
import type { WriterFactory } from '../writers';

/** Files listed per Destination at most; the view says when it was cut. */
const MAX_FILES = 2000;

export interface BrowsedFile {
  path: string;
  relativePath: string;
  owned?: OwnedFile;
}

/** `p` (cleaned, store-relative) is `root` or below it; `''` is the store's root. */
function within(root: string, p: string): boolean {
  return root === '' || p === root || p.startsWith(`${root}/`);
}

/** `p` is one of `roots` or below one of them. */
function underAny(p: string, roots: Set<string>): boolean {
  if (roots.has('') || roots.has(p)) return true;
  for (let i = p.indexOf('/'); i !== -1; i = p.indexOf('/', i + 1))
    if (roots.has(p.slice(0, i))) return true;
  return false;
}

/** A path as the repository or bucket holds it: the store's prefix joined with a store-relative path. */
function fullPath(store: StoredStateStore, p: string): string {
  return storePath(goJoin(storePath(store.spec.path ?? ''), p));
}

/**
 * A repository as its URLs name it: host and path, without scheme, user, port or `.git`, in
 * lower case. Two stores that may be one repository compare equal (comparing too much as one
 * only hides more).
 */
function repositoryOf(url: string): string {
  let host = '';
  let p = url;
  if (url.includes('://')) {
    try {
      const u = new URL(url);
      host = u.hostname;
      p = u.pathname;
    } catch {
      // Validated at intake; compared as written otherwise.
    }
  } else {
    // scp-like `git@host:path`.
    const at = url.indexOf('@');
    const colon = url.indexOf(':', at + 1);
    host = url.slice(at + 1, colon);
    p = url.slice(colon + 1);
  }
  p = p
    .replace(/\/+/g, '/')
    .replace(/^\/|\/$/g, '')
    .replace(/\.git$/, '');
  return `${host}/${p}`.toLowerCase();
}

/** An S3 endpoint's host and port; Amazon's bucket names are global, so every Amazon endpoint is one. */
function endpointOf(endpoint: string): string {
  const host = endpoint
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
  return isAmazonEndpoint(goHostname(host)) ? 'amazonaws' : host;
}

/** Where a store's files physically are: stores on one repository and branch, or one bucket, share it. */
function locationOf(store: StoredStateStore): string {
  if (store.kind === 'GitStateStore') {
    const spec = store.spec as GitStateStoreSpec;
    return `git ${repositoryOf(spec.url)} ${spec.branch}`;
  }
  const spec = store.spec as BucketStateStoreSpec;
  return `s3 ${endpointOf(spec.endpoint)} ${spec.bucketName}`;
}

/** The store and path of each place a Destination's files may be: its own, and where it last wrote. */
function placesOf(d: StoredDestination): { store: string; path: string }[] {
  const places = [{ store: d.stateStore, path: d.spec.path }];
  if (d.written) places.push({ store: d.written.store, path: d.written.spec.path });
  return places;
}

/**
 * The requested path, cleaned and store-relative. Only paths as the listing gives them are
 * taken: no `..` segment (it could leave the Destination, and past the store's own prefix, into
 * another store's area of a shared repository or bucket), nothing absolute, no backslash, no NUL.
 */
function requestedPath(raw: string, destination: string): string {
  const shown = JSON.stringify(raw);
  const hint = `as the files listing of Destination ${destination} names it`;
  if (raw.includes('\0'))
    throw new InputError(`path: ${shown} contains a NUL character; remove it`);
  if (raw.includes('\\'))
    throw new InputError(`path: ${shown} contains a backslash; use "/" between directories`);
  if (raw.startsWith('/'))
    throw new InputError(
      `path: ${shown} is absolute; give it relative to the State Store, ${hint}`,
    );
  if (raw.split('/').includes('..'))
    throw new InputError(`path: ${shown} contains a ".." segment; give a file's path ${hint}`);
  return storePath(raw);
}

/**
 * Read-only access to what a store holds under a Destination: the Files
 * view. Git answers from the local copy as of the last run; a bucket lists
 * the Destination's prefix. A Destination sees only its own area: never past
 * its root, and never into another Destination's area inside it (one nested
 * on its store before nesting was refused, or one of another store on the
 * same repository or bucket), whoever owns that one.
 */
export class StoreBrowser {
  constructor(
    private readonly db: KratixStore,
    private readonly writers: WriterFactory,
  ) {}

  private async writerOf(d: StoredDestination) {
    const store = await this.db.stateStores.get(d.stateStore);
    if (!store || store.deletedAt)
      throw new NotFoundError(
        `${stateStoreLabel(d.stateStore)} of Destination ${d.name} not found`,
      );
    return { store, writer: this.writers.get(store) };
  }

  /**
   * The roots (relative to `store`, the store of `d`, whose root is `root`) of other live
   * Destinations' areas that lie in `d`'s, or are it. Compared where the files physically are,
   * so a store at another prefix of the same repository or bucket counts too.
   */
  private async hidden(d: StoredDestination, store: StoredStateStore, root: string) {
    const [destinations, stores] = await Promise.all([
      this.db.destinations.list(),
      this.db.stateStores.list({ includeDeleted: true }),
    ]);
    const byRef = new Map(stores.map(s => [s.ref, s]));
    const location = locationOf(store);
    const prefix = fullPath(store, '');
    const own = fullPath(store, root);
    const hidden = new Set<string>();
    for (const other of destinations) {
      if (other.name === d.name) continue;
      for (const place of placesOf(other)) {
        const otherStore = byRef.get(place.store);
        if (!otherStore || locationOf(otherStore) !== location) continue;
        const full = fullPath(otherStore, storePath(destinationRoot(place)));
        if (!within(own, full)) continue;
        // Inside `own`, so inside this store's prefix: relative to it, as the writer reads.
        hidden.add(full === prefix ? '' : full.slice(prefix === '' ? 0 : prefix.length + 1));
      }
    }
    return hidden;
  }

  async files(
    d: StoredDestination,
  ): Promise<{ root: string; version?: string; files: BrowsedFile[]; truncated: boolean }> {
    const { store, writer } = await this.writerOf(d);
    const root = storePath(destinationRoot(effectiveLayout(d)));
    const hidden = await this.hidden(d, store, root);
    const snapshot = await writer.observe({
      full: root === '',
      dirs: root === '' ? [] : [root],
      paths: [],
      known: new Map(),
      verify: [],
    });
    const owned = new Map(
      (await this.db.ownedFiles.listOfDestination(d.name)).map(f => [f.path, f]),
    );
    const all = snapshot
      .list(root)
      .filter(p => !underAny(p, hidden))
      .sort();
    const files = all.slice(0, MAX_FILES).map(path => ({
      path,
      relativePath: root ? path.slice(root.length + 1) : path,
      owned: owned.get(path),
    }));
    return { root, version: writer.currentVersion?.(), files, truncated: all.length > MAX_FILES };
  }

  async content(d: StoredDestination, path: string): Promise<Buffer> {
    const p = requestedPath(path, d.name);
    const { store, writer } = await this.writerOf(d);
    const root = storePath(destinationRoot(effectiveLayout(d)));
    // Resolved where the writer reads it, and held to the Destination's own place there.
    if (!within(fullPath(store, root), fullPath(store, p)))
      throw new NotFoundError(`${JSON.stringify(path)} is not under Destination ${d.name}`);
    // Another Destination's file and a missing one get the same answer: neither is this one's.
    const notFound = new NotFoundError(
      `${JSON.stringify(path)} not found under Destination ${d.name}`,
    );
    if (underAny(p, await this.hidden(d, store, root))) throw notFound;
    const content = await writer.readFile(p);
    if (!content) throw notFound;
    return content;
  }
}
