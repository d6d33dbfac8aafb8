import { TreeEntry } from './objects';

/**
 * Parses a tree object's bytes. We parse trees ourselves rather than with
 * isomorphic-git's readTree, which refuses entries such as `.git` or `..`:
 * a foreign commit holding one must not stop every later run of the store.
 */
export function parseTree(buf: Uint8Array): TreeEntry[] {
  const entries: TreeEntry[] = [];
  const data = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    const nul = data.indexOf(0, space);
    if (space < 0 || nul < 0 || nul + 21 > data.length) throw new Error('corrupt tree object');
    const mode = data.subarray(pos, space).toString('ascii').padStart(6, '0');
    const path = data.subarray(space + 1, nul).toString('utf8');
    const oid = data.subarray(nul + 1, nul + 21).toString('hex');
    entries.push({ mode, path, oid, type: treeEntryType(mode) });
    pos = nul + 21;
  }
  return entries;
}

function treeEntryType(mode: string): TreeEntry['type'] {
  if (mode === '040000') return 'tree';
  if (mode === '160000') return 'commit';
  return 'blob';
}
