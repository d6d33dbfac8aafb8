import { FLUSH, parsePktLines, pktLine } from './pktLine';

export const ZERO_OID = '0'.repeat(40);

export type PushOutcome = { ok: true } | { ok: false; reason: string };

/**
 * Updates one branch with a compare-and-swap on its old tip, sending only
 * our pack (isomorphic-git's push walks the whole tree twice to decide what
 * to send). A lost compare-and-swap is `{ ok: false }`: fetch and rebuild.
 */
export async function receivePack(options: {
  url: string;
  branch: string;
  oldOid: string | undefined;
  newOid: string;
  pack: Buffer;
  headers: Record<string, string>;
  signal?: AbortSignal;
}): Promise<PushOutcome> {
  const ref = `refs/heads/${options.branch}`;
  const command = `${options.oldOid ?? ZERO_OID} ${options.newOid} ${ref}\0report-status agent=kratix-backstage\n`;
  const body = Buffer.concat([pktLine(command), FLUSH, options.pack]);
  const res = await fetch(`${options.url.replace(/\/+$/, '')}/git-receive-pack`, {
    method: 'POST',
    headers: {
      ...options.headers,
      'content-type': 'application/x-git-receive-pack-request',
      accept: 'application/x-git-receive-pack-result',
    },
    body,
    signal: options.signal,
  });
  const reply = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) {
    throw Object.assign(new Error(`push rejected with HTTP ${res.status}`), {
      statusCode: res.status,
    });
  }
  const lines = parsePktLines(reply).map(l => l.replace(/\n$/, ''));
  const unpack = lines.find(l => l.startsWith('unpack '));
  if (unpack && unpack !== 'unpack ok') {
    throw new Error(`the server could not unpack the push: ${unpack.slice(7)}`);
  }
  if (lines.includes(`ok ${ref}`)) return { ok: true };
  const ng = lines.find(l => l.startsWith(`ng ${ref}`));
  return { ok: false, reason: ng ? ng.slice(`ng ${ref} `.length) : `no status for ${ref}` };
}
