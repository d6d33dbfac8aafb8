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
import { ErrorContext, StoreError, storeError } from '../errors';
import { outsidePrefix, storePrefix, underPrefix } from '../storePrefix';
import {
  ApplyResult,
  MapSnapshot,
  ObserveRequest,
  StateStoreWriter,
  StoreSnapshot,
} from '../types';
import { createS3Client, S3ClientOptions } from './s3Client';

export interface BucketWriterOptions extends S3ClientOptions {
  /** `BucketStateStore/<name>`, used in every message. */
  name: string;
  /** The store's `spec.path`. */
  path: string;
  /** What to check when access is denied. */
  authHint: string;
  /** Batch deletes with DeleteObjects; false for servers without it (GCS). */
  batchDelete: boolean;
  /** Logs what Kratix only warns about (no multipart uploads to check write access with). */
  warn?: (message: string) => void;
}

/** S3 errors that name this content, not the store: only its placement fails. */
const REFUSED = new Set([
  'KeyTooLongError',
  'InvalidArgument',
  'EntityTooLarge',
  'InvalidObjectName',
  'InvalidRequest',
  'MalformedXML',
  'UnexpectedContent',
  'InvalidDigest',
  'BadDigest',
]);

/**
 * Writes a BucketStateStore through the S3 API. Plans arrive already
 * compared with what the bucket holds, so a PUT is a PUT (the SDK's own
 * speed); deletes are batched.
 */
export class BucketWriter implements StateStoreWriter {
  readonly description: string;
  private readonly client: S3Client;
  private readonly root: string;
  private readonly limit: ReturnType<typeof pLimit>;
  private batchDelete: boolean;
  private warned = false;
  private readonly ctx: ErrorContext;

  constructor(private readonly options: BucketWriterOptions) {
    const { client, resolved } = createS3Client(options);
    this.client = client;
    this.description = `${options.name} (bucket ${options.bucketName} at ${resolved.display})`;
    // Kratix keeps a leading "/" in keys; "/" means the bucket root, so we drop it.
    this.root = storePrefix(options.path);
    this.limit = pLimit(options.concurrency);
    this.batchDelete = options.batchDelete;
    const secret =
      typeof options.credentials === 'object' ? options.credentials.secretAccessKey : undefined;
    this.ctx = {
      store: options.name,
      target: `bucket ${options.bucketName}`,
      reach: options.endpoint,
      authHint: options.authHint,
      secrets: [secret],
      caKeys: options.tls?.caKeys,
    };
  }

  digest(content: Buffer): string {
    return createHash('md5').update(content).digest('hex');
  }

  /** A store-relative path as an object key; undefined when it would leave spec.path. */
  private key(p: string): string | undefined {
    return underPrefix(this.root, p);
  }

  /** The key of a path to write or delete: apply sorts out the others first, this is the last guard. */
  private writeKey(p: string): string {
    const k = this.key(p);
    if (k === undefined) throw outsidePrefix(this.options.name, this.root, p);
    return k;
  }

  private explain(e: any, doing: string): StoreError {
    const status = e?.$metadata?.httpStatusCode;
    const name = e?.name ?? e?.Code;
    if (name === 'NoSuchBucket') {
      return new StoreError(
        `${this.options.name}: bucket ${this.options.bucketName} does not exist; create it or fix spec.bucketName`,
        'notFound',
        e,
      );
    }
    const denied = ['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied'].includes(name);
    return storeError(this.ctx, doing, e, denied ? 403 : status);
  }

  async refresh(): Promise<void> {}

  async readFile(p: string): Promise<Buffer | undefined> {
    const Key = this.key(p);
    if (Key === undefined) return undefined;
    try {
      const res = await this.client.send(
        new GetObjectCommand({ Bucket: this.options.bucketName, Key }),
      );
      return Buffer.from(await res.Body!.transformToByteArray());
    } catch (e: any) {
      if (e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404) return undefined;
      throw this.explain(e, 'reading');
    }
  }

  /** store-relative path -> ETag (md5) of everything below a key prefix. */
  private async listPrefix(prefix: string, out: Map<string, string>): Promise<void> {
    let token: string | undefined;
    const strip = this.root ? this.root.length + 1 : 0;
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
      for (const o of res.Contents ?? []) {
        if (o.Key!.startsWith(prefix))
          out.set(o.Key!.slice(strip), (o.ETag ?? '').replace(/"/g, ''));
      }
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
  }

  private async head(p: string): Promise<string | undefined> {
    const Key = this.key(p);
    if (Key === undefined) return undefined;
    try {
      const res = await this.client.send(
        new HeadObjectCommand({ Bucket: this.options.bucketName, Key }),
      );
      return (res.ETag ?? '').replace(/"/g, '');
    } catch (e: any) {
      if (e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404) return undefined;
      throw this.explain(e, 'reading');
    }
  }

  async observe(request: ObserveRequest): Promise<StoreSnapshot> {
    const files = new Map<string, string>();
    const rootPrefix = this.root ? `${this.root}/` : '';
    if (request.full) {
      await this.listPrefix(rootPrefix, files);
      return new MapSnapshot(files);
    }
    // A directory's prefix ends with "/": siblings that share its name are not listed (Kratix's quirk 9).
    for (const dir of request.dirs) {
      // A directory outside spec.path is never listed: it reads as empty.
      const prefix = this.key(dir);
      if (prefix !== undefined) await this.listPrefix(`${prefix}/`, files);
    }
    for (const p of request.paths) {
      const known = request.known.get(p);
      if (known !== undefined && !files.has(p)) files.set(p, known);
    }
    await Promise.all(
      request.verify
        .filter(p => !files.has(p))
        .map(p =>
          this.limit(async () => {
            const etag = await this.head(p);
            if (etag !== undefined) files.set(p, etag);
          }),
        ),
    );
    return new MapSnapshot(files);
  }

  async apply(
    changes: Map<string, Buffer | null>,
    _message: string,
    metadata?: (path: string) => Record<string, string> | undefined,
  ): Promise<ApplyResult> {
    const writes: [string, Buffer][] = [];
    const deletes: string[] = [];
    const failed = new Map<string, Error>();
    for (const [p, c] of changes) {
      // Refused before any request; as any key the store refuses, only its placement fails.
      if (this.key(p) === undefined) failed.set(p, outsidePrefix(this.options.name, this.root, p));
      else if (c === null) deletes.push(p);
      else writes.push([p, c]);
    }
    const versions: (string | undefined)[] = new Array(writes.length);
    await Promise.all(
      writes.map(([p, Body], i) =>
        this.limit(async () => {
          try {
            const res = await this.client.send(
              new PutObjectCommand({
                Bucket: this.options.bucketName,
                Key: this.writeKey(p),
                Body,
                Metadata: metadata?.(p),
              }),
            );
            versions[i] = res.VersionId ?? '';
          } catch (e: any) {
            this.keepOrThrow(p, e, 'writing to', failed);
          }
        }),
      ),
    );
    const deleted = await this.deleteKeys(deletes, failed);
    // Kratix's version: sha256(prev + versionID), chained over every PUT.
    let version = '';
    let puts = 0;
    for (const v of versions) {
      if (v === undefined) continue;
      version = createHash('sha256')
        .update(version + v)
        .digest('hex');
      puts++;
    }
    return {
      version: puts > 0 ? version : undefined,
      written: puts,
      deleted,
      commits: 0,
      puts,
      ...(failed.size ? { failed } : {}),
    };
  }

  /** A key the store refuses fails its placement; anything else fails the run. */
  private keepOrThrow(p: string, e: any, doing: string, failed: Map<string, Error>) {
    const name = e?.name ?? e?.Code;
    const status = e?.$metadata?.httpStatusCode;
    if (REFUSED.has(name) || status === 400 || status === 413) {
      failed.set(
        p,
        new StoreError(
          `${this.options.name}: ${doing} ${this.writeKey(p)} refused: ${name ?? `HTTP ${status}`} ${e?.message ?? ''}`.trim(),
          'refused',
        ),
      );
      return;
    }
    throw this.explain(e, doing);
  }

  private async deleteKeys(paths: string[], failed: Map<string, Error>): Promise<number> {
    if (paths.length === 0) return 0;
    if (this.batchDelete) {
      try {
        for (let i = 0; i < paths.length; i += 1000) {
          const batch = paths.slice(i, i + 1000);
          const res = await this.client.send(
            new DeleteObjectsCommand({
              Bucket: this.options.bucketName,
              Delete: { Objects: batch.map(p => ({ Key: this.writeKey(p) })), Quiet: true },
            }),
          );
          for (const err of res.Errors ?? []) {
            const p = batch.find(b => this.key(b) === err.Key) ?? err.Key!;
            failed.set(
              p,
              new StoreError(
                `${this.options.name}: deleting ${err.Key} failed: ${err.Code}`,
                'refused',
              ),
            );
          }
        }
        return paths.filter(p => !failed.has(p)).length;
      } catch (e: any) {
        if (
          !['NotImplemented', 'MethodNotAllowed'].includes(e?.name) &&
          e?.$metadata?.httpStatusCode !== 501
        ) {
          throw this.explain(e, 'deleting from');
        }
        this.batchDelete = false; // e.g. GCS: fall back to single deletes from now on
      }
    }
    await Promise.all(
      paths.map(p =>
        this.limit(async () => {
          try {
            await this.client.send(
              new DeleteObjectCommand({ Bucket: this.options.bucketName, Key: this.writeKey(p) }),
            );
          } catch (e) {
            this.keepOrThrow(p, e, 'deleting from', failed);
          }
        }),
      ),
    );
    return paths.filter(p => !failed.has(p)).length;
  }

  async validatePermissions(): Promise<void> {
    const Key = this.writeKey('.kratix-write-permission-check');
    const Bucket = this.options.bucketName;
    try {
      // As Kratix: start and abort a multipart upload, so no object is left behind.
      const { UploadId } = await this.client.send(
        new CreateMultipartUploadCommand({ Bucket, Key }),
      );
      await this.client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
    } catch (e: any) {
      if (e?.name !== 'MethodNotAllowed' && e?.name !== 'NotImplemented') {
        throw this.explain(e, 'checking write access to');
      }
      // As Kratix, only a warning: this server has no multipart uploads. Reading proves the credentials.
      if (!this.warned) {
        this.options.warn?.(
          `${this.options.name}: the server cannot start a multipart upload, so write access is checked at the first write`,
        );
        this.warned = true;
      }
      try {
        await this.client.send(
          new ListObjectsV2Command({
            Bucket,
            MaxKeys: 1,
            Prefix: this.root ? `${this.root}/` : undefined,
          }),
        );
      } catch (e2) {
        throw this.explain(e2, 'checking access to');
      }
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
