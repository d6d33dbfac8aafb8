import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { S3Server, startS3Server } from '@internal/state-store-servers';
import { BucketWriter } from './BucketWriter';

const EMPTY = {
  full: false,
  dirs: [] as string[],
  paths: [] as string[],
  known: new Map<string, string>(),
  verify: [] as string[],
};

jest.setTimeout(60_000);

describe('BucketWriter against a real S3 API server (s3rver)', () => {
  let server: S3Server;
  let s3: S3Client;
  const buckets = [
    'bucket-one',
    'bucket-two',
    'bucket-three',
    'bucket-four',
    'bucket-five',
    'bucket-six',
  ];

  beforeAll(async () => {
    server = await startS3Server({ buckets });
    s3 = new S3Client({
      endpoint: server.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  });
  afterAll(async () => {
    s3.destroy();
    await server.stop();
    await fs.promises.rm(server.directory, { recursive: true, force: true });
  });

  function writer(
    bucketName: string,
    path = '',
    endpoint = server.endpoint.replace('http://', ''),
  ) {
    return new BucketWriter({
      name: `BucketStateStore/${bucketName}`,
      bucketName,
      endpoint,
      insecure: true,
      useDualStack: false,
      path,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
      concurrency: 16,
      batchDelete: true,
      authHint: 'check accessKeyID and secretAccessKey of kratix.secrets.s3',
    });
  }

  async function objects(bucket: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const res = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    for (const o of res.Contents ?? []) {
      const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key }));
      out.set(o.Key!, await body.Body!.transformToString());
    }
    return out;
  }

  it('writes under the store path and deletes, chaining Kratix versions', async () => {
    const w = writer('bucket-one', '/clusters/');
    const first = await w.apply(
      new Map([
        ['prod/a.yaml', Buffer.from('a: 1\n')],
        ['prod/sub/b.yaml', Buffer.from('b: 2\n')],
      ]),
      'Update from: t',
    );
    expect(first).toMatchObject({ written: 2, deleted: 0, puts: 2, commits: 0 });
    // Kratix's chained version: sha256(sha256("" + "") + "") for two PUTs into an unversioned bucket.
    expect(first.version).toBe('cd372fb85148700fa88095e3492d3f9f5beb43e555e5ff26d95f5a6adc36f8e6');
    expect(await objects('bucket-one')).toEqual(
      new Map([
        ['clusters/prod/a.yaml', 'a: 1\n'],
        ['clusters/prod/sub/b.yaml', 'b: 2\n'],
      ]),
    );
    const third = await w.apply(
      new Map<string, Buffer | null>([
        ['prod/a.yaml', Buffer.from('a: 2\n')],
        ['prod/sub/b.yaml', null],
      ]),
      'Update from: t',
    );
    expect(third).toMatchObject({ written: 1, deleted: 1, puts: 1 });
    expect(third.version).toBe(createHash('sha256').update('').digest('hex'));
    expect(await objects('bucket-one')).toEqual(new Map([['clusters/prod/a.yaml', 'a: 2\n']]));
  });

  it('reads and observes relative to the store path, digests as md5 ETags', async () => {
    const w = writer('bucket-two', 'root');
    await w.apply(
      new Map([
        ['d/one.yaml', Buffer.from('1')],
        ['d/e/two.yaml', Buffer.from('2')],
        ['dx/other.yaml', Buffer.from('3')],
      ]),
      'x',
    );
    expect(await w.readFile('d/e/two.yaml')).toEqual(Buffer.from('2'));
    expect(await w.readFile('d/missing.yaml')).toBeUndefined();
    // "d" lists d/ only, never the sibling dx/ (Kratix's prefix has no trailing slash).
    const snapshot = await w.observe({ ...EMPTY, dirs: ['d'] });
    expect(snapshot.list('d').sort()).toEqual(['d/e/two.yaml', 'd/one.yaml']);
    expect(snapshot.digest('d/one.yaml')).toBe(createHash('md5').update('1').digest('hex'));
    const full = await w.observe({ ...EMPTY, full: true });
    expect([...full.all().keys()].sort()).toEqual(['d/e/two.yaml', 'd/one.yaml', 'dx/other.yaml']);
    // Paths it does not list come from what the plugin recorded, or a HEAD when they must be verified.
    const hinted = await w.observe({
      ...EMPTY,
      paths: ['dx/other.yaml'],
      known: new Map([['dx/other.yaml', 'recorded']]),
      verify: ['d/one.yaml', 'nope.yaml'],
    });
    expect(hinted.digest('dx/other.yaml')).toBe('recorded');
    expect(hinted.digest('d/one.yaml')).toBe(createHash('md5').update('1').digest('hex'));
    expect(hinted.digest('nope.yaml')).toBeUndefined();
  });

  it('never reads, lists or changes a key outside its spec.path', async () => {
    const Bucket = 'bucket-six';
    for (const Key of ['team-b/secret.yaml', 'top.yaml'])
      await s3.send(new PutObjectCommand({ Bucket, Key, Body: `${Key}\n` }));
    const before = await objects(Bucket);
    const w = writer(Bucket, 'team-a');
    const escapes = ['../team-b/secret.yaml', '/team-b/secret.yaml', 'x/../../top.yaml', '..'];
    for (const p of escapes) expect(await w.readFile(p)).toBeUndefined();
    const seen = await w.observe({
      ...EMPTY,
      dirs: ['../team-b', '/'],
      verify: ['../team-b/secret.yaml', '/top.yaml'],
    });
    expect(seen.all()).toEqual(new Map());
    const result = await w.apply(
      new Map([
        ['../team-b/secret.yaml', Buffer.from('pwned')],
        ['/top.yaml', null],
        ['fine.yaml', Buffer.from('f')],
      ]),
      'x',
    );
    expect(result.puts).toBe(1);
    expect(result.deleted).toBe(0);
    expect(result.failed?.get('../team-b/secret.yaml')?.message).toBe(
      'BucketStateStore/bucket-six: refused to change "../team-b/secret.yaml": it is absolute or has a ".." segment, so it could leave spec.path "team-a"; store paths are relative and stay below spec.path',
    );
    expect(result.failed?.get('/top.yaml')?.message).toContain('refused to change "/top.yaml"');
    expect(await objects(Bucket)).toEqual(new Map([...before, ['team-a/fine.yaml', 'f']]));
    await w.close();
  });

  it('lists past 1,000 keys and deletes in batches', async () => {
    const w = writer('bucket-three');
    const many = new Map<string, Buffer>();
    for (let i = 0; i < 1100; i++) many.set(`many/f${i}.yaml`, Buffer.from(`i: ${i}\n`));
    expect((await w.apply(many, 'x')).puts).toBe(1100);
    expect((await w.observe({ ...EMPTY, dirs: ['many'] })).list('many').length).toBe(1100);
    const deleted = await w.apply(new Map([...many.keys()].map(k => [k, null])), 'x');
    expect(deleted.deleted).toBe(1100);
    expect(await objects('bucket-three')).toEqual(new Map());
  });

  it('keeps objects written by others', async () => {
    const w = writer('bucket-four', 'dest');
    await s3.send(
      new PutObjectCommand({ Bucket: 'bucket-four', Key: 'dest/foreign.yaml', Body: 'f' }),
    );
    await w.apply(new Map([['mine.yaml', Buffer.from('m')]]), 'x');
    expect(await objects('bucket-four')).toEqual(
      new Map([
        ['dest/foreign.yaml', 'f'],
        ['dest/mine.yaml', 'm'],
      ]),
    );
  });

  it('checks write permission without leaving an object', async () => {
    const w = writer('bucket-five', 'clusters');
    await w.validatePermissions();
    expect(await objects('bucket-five')).toEqual(new Map());
  });

  it('names the store and the bucket when the bucket is missing', async () => {
    const w = writer('no-such-bucket');
    await expect(w.apply(new Map([['a', Buffer.from('a')]]), 'x')).rejects.toThrow(
      'BucketStateStore/no-such-bucket: bucket no-such-bucket does not exist; create it or fix spec.bucketName',
    );
  });

  it('rejects an unknown access key without showing the secret', async () => {
    const w = new BucketWriter({
      name: 'BucketStateStore/bad',
      bucketName: 'bucket-one',
      endpoint: server.endpoint,
      insecure: true,
      useDualStack: false,
      path: '',
      credentials: { accessKeyId: 'WRONG', secretAccessKey: 'very-secret-key-value' },
      concurrency: 4,
      batchDelete: true,
      authHint: 'check accessKeyID and secretAccessKey of kratix.secrets.s3',
    });
    const error = await w.apply(new Map([['a', Buffer.from('a')]]), 'x').catch((e: any) => e);
    expect(error.message).toBe(
      'BucketStateStore/bad: access denied while writing to bucket bucket-one (HTTP 403 InvalidAccessKeyId); check accessKeyID and secretAccessKey of kratix.secrets.s3',
    );
    const read = await w.readFile('a').catch((e: any) => e);
    expect(read.message).toBe(
      'BucketStateStore/bad: access denied while reading bucket bucket-one (HTTP 403 InvalidAccessKeyId); check accessKeyID and secretAccessKey of kratix.secrets.s3',
    );
    expect(error.message).not.toContain('very-secret-key-value');
  });

  it('says when the endpoint cannot be reached', async () => {
    const w = writer('bucket-one', '', '127.0.0.1:9');
    await expect(w.readFile('a')).rejects.toThrow(
      'BucketStateStore/bucket-one: cannot reach 127.0.0.1:9 (ECONNREFUSED)',
    );
  });

  it('falls back to single deletes when the server has no DeleteObjects (as GCS)', async () => {
    // A proxy in front of s3rver that answers the batch delete as GCS does.
    const target = new URL(server.endpoint);
    let batchCalls = 0;
    const proxy = http.createServer((req, res) => {
      if (req.method === 'POST' && /[?&]delete(=|&|$)/.test(req.url ?? '')) {
        batchCalls++;
        req.resume();
        res.writeHead(501, { 'content-type': 'application/xml' });
        res.end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NotImplemented</Code><Message>A header you provided implies functionality that is not implemented</Message></Error>',
        );
        return;
      }
      const upstream = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        up => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    await new Promise<void>(r => proxy.listen(0, '127.0.0.1', () => r()));
    try {
      const w = writer('bucket-four', 'gcs', `127.0.0.1:${(proxy.address() as any).port}`);
      const files = new Map(
        [...Array(70).keys()].map(i => [`f${i}.yaml`, Buffer.from(`${i}`)] as [string, Buffer]),
      );
      await w.apply(files, 'x');
      const result = await w.apply(new Map([...files.keys()].map(k => [k, null])), 'x');
      expect(result.deleted).toBe(70);
      expect(batchCalls).toBe(1);
      expect([...(await objects('bucket-four')).keys()].filter(k => k.startsWith('gcs/'))).toEqual(
        [],
      );
    } finally {
      proxy.closeAllConnections();
      await new Promise(r => proxy.close(r));
    }
  });

  it('reports a key the server refuses on its own, and writes the rest', async () => {
    const target = new URL(server.endpoint);
    const proxy = http.createServer((req, res) => {
      if (req.method === 'PUT' && (req.url ?? '').includes('refuse-me')) {
        req.resume();
        res.writeHead(400, { 'content-type': 'application/xml' });
        res.end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidArgument</Code><Message>this key is refused</Message></Error>',
        );
        return;
      }
      const upstream = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        up => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    await new Promise<void>(r => proxy.listen(0, '127.0.0.1', () => r()));
    try {
      const w = writer('bucket-two', 'refusals', `127.0.0.1:${(proxy.address() as any).port}`);
      const result = await w.apply(
        new Map([
          ['fine.yaml', Buffer.from('f')],
          ['refuse-me.yaml', Buffer.from('x')],
        ]),
        'x',
      );
      expect(result.puts).toBe(1);
      expect([...(result.failed?.keys() ?? [])]).toEqual(['refuse-me.yaml']);
      expect(result.failed!.get('refuse-me.yaml')!.message).toBe(
        'BucketStateStore/bucket-two: writing to refusals/refuse-me.yaml refused: InvalidArgument this key is refused',
      );
      expect((await objects('bucket-two')).get('refusals/fine.yaml')).toBe('f');
    } finally {
      proxy.closeAllConnections();
      await new Promise(r => proxy.close(r));
    }
  });
});
