import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { goJoin } from '@internal/plugin-kratix-common';
import { ApplyResult, StateStoreWriter } from './types';
import { networkErrorCode, StateStoreError } from './errors';
import { Mutex } from './mutex';

export interface BucketWriterOptions {
  /** `BucketStateStore/<name>`, used in every message. */
  name: string;
  bucketName: string;
  /** host[:port] as Kratix, or a full http(s):// URL. */
  endpoint: string;
  insecure: boolean;
  useDualStack: boolean;
  region?: string;
  /** The store's `spec.path`. */
  path: string;
  /** Static keys; absent means the AWS default credential chain (authMethod IAM). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Requests in flight at once. */
  concurrency?: number;
  /** Batch deletes with DeleteObjects; set false for servers without it (GCS). */
  batchDelete?: boolean;
}

/** Below this many writes a HEAD per key is cheaper than listing the common prefix. */
const HEAD_THRESHOLD = 64;

/**
 * Writes a BucketStateStore through the S3 API. A PUT is skipped when the
 * object's ETag already is the content's md5; deletes are batched.
 */
export class BucketWriter implements StateStoreWriter {
  readonly description: string;
  private readonly client: S3Client;
  private readonly root: string;
  private readonly limit: ReturnType<typeof pLimit>;
  private batchDelete: boolean;
  private readonly lock = new Mutex();

  constructor(private readonly options: BucketWriterOptions) {
    const scheme = options.insecure ? 'http' : 'https';
    const endpoint = /^https?:\/\//i.test(options.endpoint)
      ? options.endpoint
      : `${scheme}://${options.endpoint}`;
    const isAws = /(^|\.)amazonaws\.com(:\d+)?(\/|$)/i.test(new URL(endpoint).host);
    this.description = `${options.name} (bucket ${options.bucketName} at ${endpoint})`;
    this.client = new S3Client({
      endpoint,
      region: options.region ?? 'us-east-1',
      // Path-style for every non-AWS endpoint, as Kratix's minio client does.
      forcePathStyle: !isAws,
      useDualstackEndpoint: options.useDualStack,
      credentials: options.credentials,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    });
    // Kratix keeps a leading "/" in keys; "/" means the bucket root, so we drop it.
    const root = goJoin(options.path, '').replace(/^\/+/, '');
    this.root = root === '.' ? '' : root;
    this.limit = pLimit(options.concurrency ?? 16);
    this.batchDelete = options.batchDelete ?? true;
  }

  private key(p: string): string {
    return goJoin(this.root, p).replace(/^\/+/, '');
  }

  private explain(e: any, doing: string): StateStoreError {
    if (e instanceof StateStoreError) return e;
    const status = e?.$metadata?.httpStatusCode;
    const name = e?.name ?? e?.Code;
    if (
      status === 403 ||
      ['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied'].includes(name)
    ) {
      const why = name && name !== 'Unknown' ? `HTTP 403 ${name}` : 'HTTP 403';
      return new StateStoreError(
        `${this.options.name}: access denied while ${doing} bucket ${this.options.bucketName} (${why}); check accessKeyID and secretAccessKey of its secretRef in kratix.secrets`,
        'auth',
      );
    }
    if (name === 'NoSuchBucket') {
      return new StateStoreError(
        `${this.options.name}: bucket ${this.options.bucketName} does not exist; create it or fix spec.bucketName`,
      );
    }
    const code = networkErrorCode(e);
    if (code) {
      return new StateStoreError(
        `${this.options.name}: cannot reach ${this.options.endpoint} (${code})`,
        'unreachable',
      );
    }
    const secret = this.options.credentials?.secretAccessKey || '\u0000';
    const msg = String(e?.message ?? e)
      .split(secret)
      .join('***');
    return new StateStoreError(
      `${this.options.name}: ${doing} bucket ${this.options.bucketName} failed: ${name ?? ''} ${msg}`.trim(),
    );
  }

  async refresh(): Promise<void> {}

  async readFile(p: string): Promise<Buffer | undefined> {
    try {
      const res = await this.client.send(
        new GetObjectCommand({ Bucket: this.options.bucketName, Key: this.key(p) }),
      );
      return Buffer.from(await res.Body!.transformToByteArray());
    } catch (e: any) {
      if (e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404) return undefined;
      throw this.explain(e, 'reading');
    }
  }

  /** key (full) -> ETag (unquoted) below a prefix. */
  private async listEtags(prefix: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    let token: string | undefined;
    do {
      let res;
      try {
        res = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.options.bucketName,
            Prefix: prefix || undefined,
            ContinuationToken: token,
          }),
        );
      } catch (e) {
        throw this.explain(e, 'listing');
      }
      for (const o of res.Contents ?? []) out.set(o.Key!, (o.ETag ?? '').replace(/"/g, ''));
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  async list(dir: string): Promise<string[]> {
    const base = this.key(dir);
    const prefix = base === '' || base === '.' ? (this.root ? `${this.root}/` : '') : `${base}/`;
    const strip = this.root ? this.root.length + 1 : 0;
    return [...(await this.listEtags(prefix)).keys()].map(k => k.slice(strip));
  }

  private async headEtag(key: string): Promise<string | undefined> {
    try {
      const res = await this.client.send(
        new HeadObjectCommand({ Bucket: this.options.bucketName, Key: key }),
      );
      return (res.ETag ?? '').replace(/"/g, '');
    } catch (e: any) {
      if (e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404) return undefined;
      throw this.explain(e, 'reading');
    }
  }

  /** Current ETags of the given keys: a HEAD each for a few, one listing of their common prefix for many. */
  private async currentEtags(keys: string[]): Promise<Map<string, string>> {
    if (keys.length <= HEAD_THRESHOLD) {
      const out = new Map<string, string>();
      await Promise.all(
        keys.map(k =>
          this.limit(async () => {
            const etag = await this.headEtag(k);
            if (etag !== undefined) out.set(k, etag);
          }),
        ),
      );
      return out;
    }
    return this.listEtags(commonDirPrefix(keys));
  }

  async apply(changes: Map<string, Buffer | null>, _message: string): Promise<ApplyResult> {
    return this.lock.run(async () => {
      const writes: [string, Buffer][] = [];
      const deletes: string[] = [];
      for (const [p, c] of changes) {
        if (c === null) deletes.push(this.key(p));
        else writes.push([this.key(p), c]);
      }
      const etags = await this.currentEtags([...writes.map(w => w[0]), ...deletes]);
      const toPut = writes.filter(
        ([k, c]) => etags.get(k) !== createHash('md5').update(c).digest('hex'),
      );
      const toDelete = deletes.filter(k => etags.has(k));
      const versions: (string | undefined)[] = new Array(toPut.length);
      await Promise.all(
        toPut.map(([Key, Body], i) =>
          this.limit(async () => {
            try {
              const res = await this.client.send(
                new PutObjectCommand({ Bucket: this.options.bucketName, Key, Body }),
              );
              versions[i] = res.VersionId ?? '';
            } catch (e) {
              throw this.explain(e, 'writing to');
            }
          }),
        ),
      );
      await this.deleteKeys(toDelete);
      // Kratix's version: sha256(prev + versionID), chained over every PUT.
      let version = '';
      for (const v of versions)
        version = createHash('sha256')
          .update(version + (v ?? ''))
          .digest('hex');
      return {
        version: toPut.length > 0 ? version : undefined,
        written: toPut.length,
        deleted: toDelete.length,
        commits: 0,
        puts: toPut.length,
      };
    });
  }

  private async deleteKeys(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    if (this.batchDelete) {
      try {
        for (let i = 0; i < keys.length; i += 1000) {
          const batch = keys.slice(i, i + 1000);
          const res = await this.client.send(
            new DeleteObjectsCommand({
              Bucket: this.options.bucketName,
              Delete: { Objects: batch.map(Key => ({ Key })), Quiet: true },
            }),
          );
          if (res.Errors?.length) {
            throw new StateStoreError(
              `${this.options.name}: failed to delete ${res.Errors.length} objects (first: ${res.Errors[0].Key}: ${res.Errors[0].Code})`,
            );
          }
        }
        return;
      } catch (e: any) {
        if (
          !['NotImplemented', 'MethodNotAllowed'].includes(e?.name) &&
          e?.$metadata?.httpStatusCode !== 501
        )
          throw this.explain(e, 'deleting from');
        this.batchDelete = false; // e.g. GCS: fall back to single deletes from now on
      }
    }
    await Promise.all(
      keys.map(Key =>
        this.limit(async () => {
          try {
            await this.client.send(
              new DeleteObjectCommand({ Bucket: this.options.bucketName, Key }),
            );
          } catch (e) {
            throw this.explain(e, 'deleting from');
          }
        }),
      ),
    );
  }

  async validatePermissions(): Promise<void> {
    const Key = this.key('.kratix-write-permission-check');
    const Bucket = this.options.bucketName;
    try {
      // As Kratix: start and abort a multipart upload, so no object is left behind.
      const { UploadId } = await this.client.send(
        new CreateMultipartUploadCommand({ Bucket, Key }),
      );
      await this.client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
    } catch (e: any) {
      if (e?.name !== 'MethodNotAllowed' && e?.name !== 'NotImplemented')
        throw this.explain(e, 'checking write access to');
      // Servers without multipart uploads: write and remove a marker instead.
      try {
        await this.client.send(
          new PutObjectCommand({ Bucket, Key, Body: Buffer.alloc(0), ContentLength: 0 }),
        );
        await this.client.send(new DeleteObjectCommand({ Bucket, Key }));
      } catch (e2) {
        throw this.explain(e2, 'checking write access to');
      }
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

/** The longest directory prefix (ending in "/") shared by all keys. */
export function commonDirPrefix(keys: string[]): string {
  if (keys.length === 0) return '';
  let prefix = keys[0].slice(0, keys[0].lastIndexOf('/') + 1);
  for (const k of keys) {
    while (prefix && !k.startsWith(prefix)) {
      prefix = prefix.slice(0, prefix.slice(0, -1).lastIndexOf('/') + 1);
    }
  }
  return prefix;
}
