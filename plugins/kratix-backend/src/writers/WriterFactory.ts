import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { Config } from '@backstage/config';
import { LoggerService } from '@backstage/backend-plugin-api';
import { BucketStateStoreSpec, GitStateStoreSpec } from '@internal/plugin-kratix-common';
import { GitWriter } from './GitWriter';
import { BucketWriter } from './BucketWriter';
import { StateStoreWriter } from './types';
import { StateStoreError } from './errors';

export interface StoreDescriptor {
  /** `<kind>:<namespace>/<name>` */
  ref: string;
  kind: 'GitStateStore' | 'BucketStateStore';
  name: string;
  spec: GitStateStoreSpec | BucketStateStoreSpec;
}

/** Creates writers from State Store specs and `kratix.secrets`, one per store, reused while nothing changes. */
export class WriterFactory {
  private readonly writers = new Map<string, { key: string; writer: StateStoreWriter }>();

  constructor(
    private readonly config: Config,
    private readonly logger: LoggerService,
    private readonly workDir = config.getOptionalString('kratix.workDir') ??
      path.join(os.tmpdir(), 'kratix-backstage'),
  ) {}

  private secret(store: StoreDescriptor, keys: string[]): Record<string, string> | undefined {
    const name = store.spec.secretRef?.name;
    if (!name) return undefined;
    const entry = this.config.getOptionalConfig(`kratix.secrets.${name}`);
    if (!entry) {
      throw new StateStoreError(
        `${store.kind}/${store.name}: secret "${name}" not found; add kratix.secrets.${name} (with ${keys.join(' and ')}) to app-config`,
        'auth',
      );
    }
    const out: Record<string, string> = {};
    for (const k of entry.keys()) {
      const raw = entry.getOptionalString(k);
      if (raw === undefined) continue;
      const trimmed = raw.trim();
      if (trimmed !== raw)
        this.logger.warn(
          `${store.kind}/${store.name}: kratix.secrets.${name}.${k} has surrounding whitespace; it was trimmed`,
        );
      out[k] = trimmed;
    }
    return out;
  }

  get(store: StoreDescriptor): StateStoreWriter {
    const secret =
      store.kind === 'GitStateStore'
        ? this.secret(store, ['username', 'password'])
        : (store.spec as BucketStateStoreSpec).authMethod === 'IAM'
          ? undefined
          : this.secret(store, ['accessKeyID', 'secretAccessKey']);
    const key = createHash('sha256')
      .update(JSON.stringify([store.spec, secret ?? null]))
      .digest('hex');
    const cached = this.writers.get(store.ref);
    if (cached && cached.key === key) return cached.writer;
    if (cached) void cached.writer.close();
    const writer =
      store.kind === 'GitStateStore' ? this.git(store, secret) : this.bucket(store, secret);
    this.writers.set(store.ref, { key, writer });
    return writer;
  }

  private git(store: StoreDescriptor, secret?: Record<string, string>): StateStoreWriter {
    const spec = store.spec as GitStateStoreSpec;
    if (secret && !secret.password) {
      throw new StateStoreError(
        `GitStateStore/${store.name}: kratix.secrets.${spec.secretRef!.name}.password is missing`,
        'auth',
      );
    }
    const dirName = `${store.ref.replace(/[^a-zA-Z0-9._-]+/g, '_')}-${createHash('sha256').update(`${spec.url}#${spec.branch}`).digest('hex').slice(0, 12)}`;
    return new GitWriter({
      name: `GitStateStore/${store.name}`,
      url: spec.url,
      branch: spec.branch,
      path: spec.path,
      author: spec.gitAuthor,
      credentials: secret ? { username: secret.username, password: secret.password } : undefined,
      workDir: path.join(this.workDir, dirName),
    });
  }

  private bucket(store: StoreDescriptor, secret?: Record<string, string>): StateStoreWriter {
    const spec = store.spec as BucketStateStoreSpec;
    let credentials;
    if (spec.authMethod !== 'IAM') {
      const name = spec.secretRef?.name;
      if (!secret?.accessKeyID)
        throw new StateStoreError(
          `BucketStateStore/${store.name}: secret is missing key: accessKeyID (kratix.secrets.${name}.accessKeyID)`,
          'auth',
        );
      if (!secret?.secretAccessKey)
        throw new StateStoreError(
          `BucketStateStore/${store.name}: secret is missing key: secretAccessKey (kratix.secrets.${name}.secretAccessKey)`,
          'auth',
        );
      credentials = { accessKeyId: secret.accessKeyID, secretAccessKey: secret.secretAccessKey };
    }
    return new BucketWriter({
      name: `BucketStateStore/${store.name}`,
      bucketName: spec.bucketName,
      endpoint: spec.endpoint,
      insecure: spec.insecure,
      useDualStack: spec.useDualStack,
      region: spec.region,
      path: spec.path,
      credentials,
      concurrency: this.config.getOptionalNumber('kratix.bucket.concurrency'),
      batchDelete: this.config.getOptionalBoolean('kratix.bucket.batchDelete'),
    });
  }

  async closeAll(): Promise<void> {
    for (const { writer } of this.writers.values()) await writer.close();
    this.writers.clear();
  }
}
