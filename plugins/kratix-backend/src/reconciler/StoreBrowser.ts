import { NotFoundError } from '@backstage/errors';
import { stateStoreLabel } from '@internal/plugin-kratix-common';
import type { KratixStore, OwnedFile, StoredDestination } from '../database';
import { destinationRoot, effectiveLayout, storePath } from '../layout';
import type { WriterFactory } from '../writers';

/** Files listed per Destination at most; the view says when it was cut. */
const MAX_FILES = 2000;

export interface BrowsedFile {
  path: string;
  relativePath: string;
  owned?: OwnedFile;
}

/**
 * Read-only access to what a store holds under a Destination: the Files
 * view. Git answers from the local copy as of the last run; a bucket lists
 * the Destination's prefix.
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

  async files(
    d: StoredDestination,
  ): Promise<{ root: string; version?: string; files: BrowsedFile[]; truncated: boolean }> {
    const { writer } = await this.writerOf(d);
    const root = storePath(destinationRoot(effectiveLayout(d)));
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
    const all = snapshot.list(root).sort();
    const files = all.slice(0, MAX_FILES).map(path => ({
      path,
      relativePath: root ? path.slice(root.length + 1) : path,
      owned: owned.get(path),
    }));
    return { root, version: writer.currentVersion?.(), files, truncated: all.length > MAX_FILES };
  }

  async content(d: StoredDestination, path: string): Promise<Buffer> {
    const { writer } = await this.writerOf(d);
    const root = storePath(destinationRoot(effectiveLayout(d)));
    const p = storePath(path);
    if (root && p !== root && !p.startsWith(`${root}/`))
      throw new NotFoundError(`${path} is not under Destination ${d.name}`);
    const content = await writer.readFile(p);
    if (!content) throw new NotFoundError(`${path} not found in ${stateStoreLabel(d.stateStore)}`);
    return content;
  }
}
