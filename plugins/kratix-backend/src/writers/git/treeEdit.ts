import { GitObject, TreeEntry, encodeTree, objectId } from './objects';

/** Reads a tree's entries (from the local store) by oid. */
export type ReadTree = (oid: string) => Promise<TreeEntry[]>;

interface Node {
  files: Map<string, Buffer | null>;
  dirs: Map<string, Node>;
}

function buildChangeTree(changes: Map<string, Buffer | null>): Node {
  const root: Node = { files: new Map(), dirs: new Map() };
  for (const [path, content] of changes) {
    const parts = path.split('/');
    let node = root;
    for (const dir of parts.slice(0, -1)) {
      let next = node.dirs.get(dir);
      if (!next) {
        next = { files: new Map(), dirs: new Map() };
        node.dirs.set(dir, next);
      }
      node = next;
    }
    node.files.set(parts[parts.length - 1], content);
  }
  return root;
}

export interface TreeEditResult {
  /** The new root tree, or undefined when everything was deleted. */
  tree: string | undefined;
  written: number;
  deleted: number;
}

/**
 * Applies path changes to a tree, rewriting only the trees along changed
 * paths; untouched subtrees are reused by oid. New objects go to `out`.
 * Directories left empty disappear (git has no empty trees).
 */
export async function editTree(
  base: string | undefined,
  changes: Map<string, Buffer | null>,
  readTree: ReadTree,
  out: Map<string, GitObject>,
): Promise<TreeEditResult> {
  const counts = { written: 0, deleted: 0 };
  const tree = await editNode(base, buildChangeTree(changes), readTree, out, counts);
  return { tree, ...counts };
}

async function editNode(
  base: string | undefined,
  node: Node,
  readTree: ReadTree,
  out: Map<string, GitObject>,
  counts: { written: number; deleted: number },
): Promise<string | undefined> {
  const entries = new Map<string, TreeEntry>();
  if (base) for (const e of await readTree(base)) entries.set(e.path, e);
  let changed = false;

  for (const [name, child] of node.dirs) {
    const existing = entries.get(name);
    const childBase = existing?.type === 'tree' ? existing.oid : undefined;
    if (existing && existing.type !== 'tree' && hasWrites(child)) {
      entries.delete(name); // a file is replaced by a directory
      counts.deleted++;
      changed = true;
    }
    if (!childBase && !hasWrites(child)) continue;
    const oid = await editNode(childBase, child, readTree, out, counts);
    if (oid === childBase) continue;
    changed = true;
    if (oid) entries.set(name, { mode: '040000', path: name, oid, type: 'tree' });
    else entries.delete(name);
  }

  for (const [name, content] of node.files) {
    const existing = entries.get(name);
    if (content === null) {
      if (existing && existing.type === 'blob') {
        entries.delete(name);
        counts.deleted++;
        changed = true;
      }
      continue;
    }
    const oid = objectId('blob', content);
    if (existing && existing.type === 'blob' && existing.oid === oid && existing.mode === '100644')
      continue;
    out.set(oid, { type: 'blob', content });
    // Always a regular file, as Kratix writes: a symlink entry is replaced, never followed.
    entries.set(name, { mode: '100644', path: name, oid, type: 'blob' });
    counts.written++;
    changed = true;
  }

  if (!changed) return base;
  if (entries.size === 0) return undefined;
  const content = encodeTree([...entries.values()]);
  const oid = objectId('tree', content);
  out.set(oid, { type: 'tree', content });
  return oid;
}

function hasWrites(node: Node): boolean {
  for (const c of node.files.values()) if (c !== null) return true;
  for (const d of node.dirs.values()) if (hasWrites(d)) return true;
  return false;
}
