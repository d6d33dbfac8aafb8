import { createHash } from 'node:crypto';

export type GitObjectType = 'blob' | 'tree' | 'commit';

/** A loose git object held in memory until it is packed and pushed. */
export interface GitObject {
  type: GitObjectType;
  content: Buffer;
}

export function objectId(type: GitObjectType, content: Buffer): string {
  return createHash('sha1').update(`${type} ${content.length}\0`).update(content).digest('hex');
}

export interface TreeEntry {
  mode: string;
  path: string;
  oid: string;
  type: 'blob' | 'tree' | 'commit';
}

// Git orders entries by name, comparing a tree's name as if it ended with '/'.
function sortKey(e: TreeEntry): Buffer {
  return Buffer.from(e.type === 'tree' ? `${e.path}/` : e.path);
}

/** A tree object's bytes, entries in git's order. */
export function encodeTree(entries: TreeEntry[]): Buffer {
  const sorted = entries
    .map(e => ({ e, key: sortKey(e) }))
    .sort((a, b) => Buffer.compare(a.key, b.key));
  const parts: Buffer[] = [];
  for (const { e } of sorted) {
    const mode = e.type === 'tree' ? '40000' : e.mode.replace(/^0+/, '');
    parts.push(Buffer.from(`${mode} ${e.path}\0`), Buffer.from(e.oid, 'hex'));
  }
  return Buffer.concat(parts);
}

export interface Signature {
  name: string;
  email: string;
  timestamp: number;
}

function formatSignature(s: Signature): string {
  return `${s.name} <${s.email}> ${s.timestamp} +0000`;
}

/** A commit object's bytes; author and committer are the same, as Kratix. */
export function encodeCommit(
  tree: string,
  parent: string | undefined,
  who: Signature,
  message: string,
): Buffer {
  const lines = [`tree ${tree}`];
  if (parent) lines.push(`parent ${parent}`);
  lines.push(
    `author ${formatSignature(who)}`,
    `committer ${formatSignature(who)}`,
    '',
    message.endsWith('\n') ? message : `${message}\n`,
  );
  return Buffer.from(lines.join('\n'));
}
