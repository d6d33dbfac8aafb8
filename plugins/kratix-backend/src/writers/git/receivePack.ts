import { FLUSH, parsePktLines, pktLine, splitPktLines } from './pktLine';

export const ZERO_OID = '0'.repeat(40);

/** What receive-pack answered for our one ref update. */
export type ReceivePackReport =
  | { ok: true }
  | { ok: false; reason: string; race: boolean; remote: string[] };

/** `ng` reasons that mean another writer moved the branch first (a lost compare-and-swap). */
const RACE_REASONS =
  /fetch first|non-fast-forward|stale info|failed to update ref|failed to lock|cannot lock ref|reference already exists/i;

/** The request body: one ref update with report-status and side-band, then our pack. */
export function receivePackRequest(args: {
  branch: string;
  oldOid?: string;
  newOid: string;
  pack: Buffer;
}): Buffer {
  const ref = `refs/heads/${args.branch}`;
  const command = `${args.oldOid ?? ZERO_OID} ${args.newOid} ${ref}\0report-status side-band-64k agent=kratix-backstage\n`;
  return Buffer.concat([pktLine(command), FLUSH, args.pack]);
}

/**
 * Reads receive-pack's answer (side-band multiplexed): the report on band 1,
 * the server's "remote:" messages on band 2, fatal errors on band 3.
 */
export function parseReceivePackReply(reply: Buffer, branch: string): ReceivePackReport {
  const ref = `refs/heads/${branch}`;
  const report: Buffer[] = [];
  const remote: string[] = [];
  const packets = splitPktLines(reply);
  const multiplexed =
    packets.length > 0 && packets.every(p => p.length > 0 && p[0] >= 1 && p[0] <= 3);
  if (!multiplexed) report.push(reply);
  else {
    for (const p of packets) {
      if (p[0] === 1) report.push(p.subarray(1));
      else
        remote.push(
          ...p
            .subarray(1)
            .toString('utf8')
            .split(/\r?\n|\r/)
            .map(l => l.trim())
            .filter(Boolean),
        );
    }
  }
  const lines = parsePktLines(Buffer.concat(report)).map(l => l.replace(/\n$/, ''));
  const unpack = lines.find(l => l.startsWith('unpack '));
  if (unpack && unpack !== 'unpack ok') {
    return {
      ok: false,
      reason: `the server could not unpack the push: ${unpack.slice(7)}`,
      race: false,
      remote,
    };
  }
  if (lines.includes(`ok ${ref}`)) return { ok: true };
  const ng = lines.find(l => l.startsWith(`ng ${ref}`));
  const reason = ng ? ng.slice(`ng ${ref} `.length) : `no status for ${ref}`;
  return { ok: false, reason, race: Boolean(ng) && RACE_REASONS.test(reason), remote };
}
