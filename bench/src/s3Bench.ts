import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { BucketWriter } from '@internal/plugin-kratix-backend';
import { startS3Server } from '@internal/state-store-servers';
import { line, median, nestedFiles, time } from './util';

export async function s3Bench(tmp: string, n: number, rounds: number, concurrency = 16) {
  const buckets = Array.from({ length: rounds * 2 }, (_, i) => `bench-${i}`);
  const server = await startS3Server({ directory: path.join(tmp, 's3'), buckets });
  const client = new S3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  try {
    const ours: number[] = [];
    const plain: number[] = [];
    let lastWriter: BucketWriter | undefined;
    let files = nestedFiles(n);
    for (let r = 0; r < rounds; r++) {
      files = nestedFiles(n, r);
      const writer = new BucketWriter({
        name: 'BucketStateStore/bench',
        bucketName: buckets[2 * r],
        endpoint: server.endpoint,
        insecure: true,
        useDualStack: false,
        path: '',
        credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
        concurrency,
      });
      const o = await time(() => writer.apply(files, 'bench'));
      if (o.value.puts !== n) throw new Error(`expected ${n} PUTs, got ${o.value.puts}`);
      ours.push(o.ms);
      const limit = pLimit(concurrency);
      const bucket = buckets[2 * r + 1];
      plain.push(
        (
          await time(() =>
            Promise.all(
              [...files].map(([Key, Body]) =>
                limit(() => client.send(new PutObjectCommand({ Bucket: bucket, Key, Body }))),
              ),
            ),
          )
        ).ms,
      );
      lastWriter = writer;
    }
    line(
      `d-s3-${n}`,
      median(ours),
      median(plain),
      `median of ${rounds}, concurrency ${concurrency}; ours ${ours.map(Math.round).join('/')} ms, plain SDK ${plain.map(Math.round).join('/')} ms`,
    );
    const noop = await time(() => lastWriter!.apply(files, 'bench'));
    const plainList = await time(async () => {
      // Baseline for a no-op: the listing any ETag comparison needs.
      const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
      let token: string | undefined;
      do {
        const res = await client.send(
          new ListObjectsV2Command({ Bucket: buckets[2 * (rounds - 1)], ContinuationToken: token }),
        );
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (token);
    });
    line(
      `c-noop-${n}-s3`,
      noop.ms,
      plainList.ms,
      `PUTs made ${noop.value.puts}; baseline: listing the bucket`,
    );
    await lastWriter!.close();
  } finally {
    client.destroy();
    await server.stop();
  }
}
