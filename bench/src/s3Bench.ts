import path from 'node:path';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { startS3Server } from '@internal/state-store-servers';
import { line, median, nestedFiles, spread, time } from './util';
import { benchBucketWriter } from './writers';

type Server = Awaited<ReturnType<typeof startS3Server>>;

function plainClient(server: Server) {
  return new S3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

async function plainPuts(
  client: S3Client,
  bucket: string,
  files: Map<string, Buffer>,
  concurrency: number,
) {
  const limit = pLimit(concurrency);
  const puts = [...files].map(([Key, Body]) =>
    limit(() => client.send(new PutObjectCommand({ Bucket: bucket, Key, Body }))),
  );
  await Promise.all(puts);
}

async function plainListing(client: S3Client, bucket: string): Promise<number> {
  let token: string | undefined;
  let n = 0;
  do {
    const res = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }),
    );
    n += res.KeyCount ?? 0;
    token = res.IsTruncated ? res.NextContinuationToken : undefined;
  } while (token);
  return n;
}

/**
 * (d) new files into a bucket: our writer against a plain SDK PutObject loop
 * at the same concurrency, the two sides alternating which goes first.
 * (c) the no-op: our full observation (one listing) against a plain listing.
 */
export async function s3Bench(tmp: string, n: number, rounds: number, concurrency = 16) {
  const buckets = Array.from({ length: rounds * 2 }, (_, i) => `bench-${i}`);
  const server = await startS3Server({ directory: path.join(tmp, 's3'), buckets });
  const client = plainClient(server);
  try {
    const ours: number[] = [];
    const plain: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const files = nestedFiles(n, r);
      const writer = benchBucketWriter(server, buckets[2 * r], concurrency);
      const runOurs = async () => {
        const o = await time(() => writer.apply(files, 'bench'));
        if (o.value.written !== n) throw new Error(`expected ${n} PUTs, got ${o.value.written}`);
        ours.push(o.ms);
      };
      // Each side starts with a new client (no open connections), as our writer does each round.
      const runPlain = async () => {
        const fresh = plainClient(server);
        try {
          plain.push(
            (await time(() => plainPuts(fresh, buckets[2 * r + 1], files, concurrency))).ms,
          );
        } finally {
          fresh.destroy();
        }
      };
      if (r % 2) {
        await runPlain();
        await runOurs();
      } else {
        await runOurs();
        await runPlain();
      }
      await writer.close();
    }
    line(
      `d-s3-${n}`,
      median(ours),
      median(plain),
      `median of ${rounds}, concurrency ${concurrency}, sides alternating; ours ${spread(ours)}, plain SDK ${spread(plain)}`,
    );
    const last = buckets[2 * (rounds - 1)];
    const writer = benchBucketWriter(server, last, concurrency);
    const observe = () =>
      writer.observe({ full: true, dirs: [], paths: [], known: new Map(), verify: [] });
    // Both sides warm (a connection open), as in a running backend; medians of 5.
    await observe();
    await plainListing(client, last);
    const oursNoop: number[] = [];
    const plainNoop: number[] = [];
    let seen = 0;
    let listed = 0;
    for (let k = 0; k < 5; k++) {
      const o = await time(observe);
      seen = o.value.all().size;
      oursNoop.push(o.ms);
      const l = await time(() => plainListing(client, last));
      listed = l.value;
      plainNoop.push(l.ms);
    }
    const noop = { ms: median(oursNoop), value: { all: () => ({ size: seen }) } };
    const listing = { ms: median(plainNoop), value: listed };
    line(
      `c-noop-${n}-s3`,
      noop.ms,
      listing.ms,
      `objects seen ${noop.value.all().size} (baseline ${listing.value}), PUTs 0: a run whose plan is empty calls no write; baseline: listing the bucket`,
    );
    await writer.close();
  } finally {
    client.destroy();
    await server.stop();
  }
}
