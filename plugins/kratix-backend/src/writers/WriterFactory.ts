import { createHash } from 'node:crypto';
import path from 'node:path';
import { Config } from '@backstage/config';
import { LoggerService } from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { DefaultAwsCredentialsManager } from '@backstage/integration-aws-node';
import {
  BucketStateStoreSpec,
  CredentialSourceView,
  GitStateStoreSpec,
  stateStoreLabel,
} from '@kratix-destinations/plugin-kratix-common';
import type { KratixConfig } from '../config';
import type { StoredStateStore } from '../database';
import { BucketWriter } from './bucket/BucketWriter';
import {
  assertBucketBound,
  assertIntegrationBucket,
  assertRepositoryBound,
} from './credentials/bindings';
import { GithubAppTokens } from './credentials/githubApp';
import { IntegrationGitCredentials } from './credentials/integrations';
import { assertBound, BoundSecret, readSecret, requireKeys } from './credentials/secrets';
import { StoreError } from './errors';
import { GitWriter } from './git/GitWriter';
import { GitHttpCredentials, HttpGitTransport } from './git/httpTransport';
import { SshGitTransport } from './git/sshTransport';
import { GitTransport } from './git/transport';
import { readTlsSettings, StoreTls, storeTls } from './tls';
import { StateStoreWriter } from './types';
import { resolveEndpoint } from './bucket/s3Client';

type StoreDescriptor = Pick<StoredStateStore, 'ref' | 'kind' | 'name' | 'spec'>;

interface Resolved {
  /** What changes the writer when it changes (spec and secret values). */
  key: string;
  source: CredentialSourceView;
  create(): StateStoreWriter;
}

/** Where a store's credentials come from; errors name the secret, the host and the fix. */
export class WriterFactory {
  private readonly writers = new Map<string, { key: string; writer: StateStoreWriter }>();
  private readonly integrations: IntegrationGitCredentials;
  /** `kratix.integrations.allowedBuckets`: buckets the aws integration's main account may be used for. */
  private readonly integrationBuckets: string[];
  private aws?: DefaultAwsCredentialsManager;
  /** Stores whose unverified certificates were logged: once each, not on every writer. */
  private readonly warnedInsecure = new Set<string>();

  constructor(
    private readonly config: Config,
    private readonly settings: Pick<KratixConfig, 'workDir' | 'bucket'>,
    private readonly logger: LoggerService,
    private readonly testing: { connectTo?: { host: string; port: number } } = {},
  ) {
    this.integrations = new IntegrationGitCredentials(
      ScmIntegrations.fromConfig(config),
      config.getOptionalStringArray('kratix.integrations.allowedRepositories') ?? [],
    );
    this.integrationBuckets =
      config.getOptionalStringArray('kratix.integrations.allowedBuckets') ?? [];
  }

  /** The writer of a store, reused while its spec and credentials are unchanged. */
  get(store: StoreDescriptor): StateStoreWriter {
    const resolved = this.resolve(store);
    const cached = this.writers.get(store.ref);
    if (cached && cached.key === resolved.key) return cached.writer;
    if (cached) void cached.writer.close();
    const writer = resolved.create();
    this.writers.set(store.ref, { key: resolved.key, writer });
    return writer;
  }

  /** Where the store's credentials come from (never a value); an error when they cannot be used. */
  credentialSource(store: StoreDescriptor): CredentialSourceView {
    try {
      return this.resolve(store).source;
    } catch (e: any) {
      return { type: 'none', detail: e.message };
    }
  }

  private secret(store: StoreDescriptor): BoundSecret | undefined {
    const name = store.spec.secretRef?.name;
    if (!name) return undefined;
    const label = stateStoreLabel(store.ref);
    const secret = readSecret(this.config, name, k =>
      this.logger.warn(
        `${label}: kratix.secrets.${name}.${k} has surrounding whitespace; it was trimmed`,
      ),
    );
    if (!secret) {
      throw new StoreError(
        `${label}: secret "${name}" not found; add kratix.secrets.${name} to app-config`,
        'config',
      );
    }
    return secret;
  }

  private resolve(store: StoreDescriptor): Resolved {
    return store.kind === 'GitStateStore' ? this.resolveGit(store) : this.resolveBucket(store);
  }

  private keyOf(store: StoreDescriptor, secret?: BoundSecret, tls?: StoreTls): string {
    return createHash('sha256')
      .update(
        JSON.stringify([
          store.spec,
          secret?.values ?? null,
          secret?.allowedHosts ?? null,
          secret?.allowedRepositories ?? null,
          secret?.allowedBuckets ?? null,
          // The CAs trusted and whether to verify: a new bundle needs new connections.
          tls ? [tls.extraCa, tls.verify] : null,
        ]),
      )
      .digest('hex');
  }

  /** The TLS policy of a store reached over HTTPS; none over plain HTTP (and SSH, which has host keys). */
  private tlsFor(
    label: string,
    url: URL,
    insecure: boolean | undefined,
    secret: BoundSecret | undefined,
  ): StoreTls | undefined {
    if (url.protocol !== 'https:') return undefined;
    return storeTls({
      store: label,
      url,
      insecure,
      secret: secret && { name: secret.name, caBundle: secret.caBundle },
      settings: readTlsSettings(this.config),
    });
  }

  private warnInsecure(ref: string, tls: StoreTls | undefined): void {
    if (!tls?.warning || this.warnedInsecure.has(ref)) return;
    this.warnedInsecure.add(ref);
    this.logger.warn(tls.warning);
  }

  private resolveGit(store: StoreDescriptor): Resolved {
    const spec = store.spec as GitStateStoreSpec;
    const label = stateStoreLabel(store.ref);
    const secret = this.secret(store);
    let transport: () => GitTransport;
    let source: CredentialSourceView;
    let tls: StoreTls | undefined;
    if (spec.authMethod === 'ssh') {
      if (!secret) throw new StoreError(`${label}: authMethod ssh needs spec.secretRef`, 'config');
      const host = sshHostPort(spec.url);
      assertBound(label, secret, host.host, host.port);
      assertRepositoryBound(label, secret, spec.url);
      requireKeys(label, secret, ['sshPrivateKey', 'knownHosts']);
      transport = () =>
        new SshGitTransport({
          store: label,
          url: spec.url,
          privateKey: secret.values.sshPrivateKey,
          knownHosts: secret.values.knownHosts,
          secretKey: `kratix.secrets.${secret.name}.sshPrivateKey`,
        });
      source = { type: 'secret', name: secret.name, detail: 'SSH key' };
    } else {
      const http = this.httpCredentials(store, spec, secret);
      tls = this.tlsFor(label, new URL(spec.url), spec.insecure, secret);
      const policy = tls;
      transport = () =>
        new HttpGitTransport({
          store: label,
          url: spec.url,
          credentials: http.credentials,
          authHint: http.hint,
          tls: policy,
        });
      source = http.source;
    }
    const dirName = `${store.ref.replace(/[^a-zA-Z0-9._-]+/g, '_')}-${createHash('sha256').update(`${spec.url}#${spec.branch}`).digest('hex').slice(0, 12)}`;
    return {
      key: this.keyOf(store, secret, tls),
      source,
      create: () => {
        this.warnInsecure(store.ref, tls);
        return new GitWriter({
          name: label,
          branch: spec.branch,
          path: spec.path,
          author: spec.gitAuthor,
          transport: transport(),
          workDir: path.join(this.settings.workDir, dirName),
        });
      },
    };
  }

  private httpCredentials(
    store: StoreDescriptor,
    spec: GitStateStoreSpec,
    secret: BoundSecret | undefined,
  ): { credentials?: GitHttpCredentials; hint: string; source: CredentialSourceView } {
    const label = stateStoreLabel(store.ref);
    const url = new URL(spec.url);
    if (secret) return this.secretHttpCredentials(label, spec, secret);
    const integration = this.integrations.forUrl(label, spec.url);
    if (integration) {
      return {
        credentials: integration.credentials,
        hint: `check the ${integration.type} integration for ${integration.host} in app-config`,
        source: { type: 'integration', name: integration.host, detail: integration.type },
      };
    }
    if (spec.authMethod === 'githubApp') {
      throw new StoreError(
        `${label}: authMethod githubApp needs spec.secretRef or a GitHub App under integrations.github for ${url.host}`,
        'config',
      );
    }
    return {
      hint: `add spec.secretRef, or credentials for ${url.host} under integrations`,
      source: { type: 'none', detail: `no secretRef and no integration for ${url.host}` },
    };
  }

  private secretHttpCredentials(
    label: string,
    spec: GitStateStoreSpec,
    secret: BoundSecret,
  ): { credentials?: GitHttpCredentials; hint: string; source: CredentialSourceView } {
    const url = new URL(spec.url);
    assertBound(label, secret, url.hostname, url.port || undefined);
    assertRepositoryBound(label, secret, spec.url);
    if (spec.authMethod === 'githubApp') {
      requireKeys(label, secret, ['appID', 'installationID', 'privateKey']);
      const tokens = new GithubAppTokens({
        store: label,
        secretName: secret.name,
        allowedHosts: secret.allowedHosts,
        api: this.integrations.githubApi(url.host),
        app: {
          appId: secret.values.appID,
          installationId: secret.values.installationID,
          privateKey: secret.values.privateKey,
        },
      });
      return {
        credentials: () => tokens.credentials(),
        hint: `check appID, installationID and privateKey in kratix.secrets.${secret.name}`,
        source: { type: 'secret', name: secret.name, detail: 'GitHub App' },
      };
    }
    requireKeys(label, secret, ['password']);
    // Kratix: no username means x-access-token (what GitHub expects with a token).
    const auth = {
      username: secret.values.username || 'x-access-token',
      password: secret.values.password,
    };
    return {
      credentials: async () => auth,
      hint: `check the username and password of kratix.secrets.${secret.name}`,
      source: { type: 'secret', name: secret.name, detail: 'basic auth' },
    };
  }

  private resolveBucket(store: StoreDescriptor): Resolved {
    const spec = store.spec as BucketStateStoreSpec;
    const label = stateStoreLabel(store.ref);
    const host = new URL(
      /^https?:\/\//i.test(spec.endpoint) ? spec.endpoint : `http://${spec.endpoint}`,
    );
    let credentials: BucketWriterCredentials;
    let source: CredentialSourceView;
    let secret: BoundSecret | undefined;
    if (spec.authMethod === 'IAM') {
      ({ credentials, source } = this.iamCredentials(label, spec));
    } else {
      secret = this.secret(store);
      if (!secret)
        throw new StoreError(
          `${label}: spec.secretRef must be set when using authentication method accessKey`,
          'config',
        );
      assertBound(label, secret, host.hostname, host.port || undefined);
      assertBucketBound(label, secret, spec.bucketName);
      requireKeys(label, secret, ['accessKeyID', 'secretAccessKey']);
      credentials = {
        accessKeyId: secret.values.accessKeyID,
        secretAccessKey: secret.values.secretAccessKey,
      };
      source = { type: 'secret', name: secret.name, detail: 'access key' };
    }
    // A bucket's spec.insecure is Kratix's plain HTTP: over HTTPS certificates are always verified.
    const tls = this.tlsFor(label, new URL(resolveEndpoint(spec).display), false, secret);
    return {
      key: this.keyOf(store, secret, tls),
      source,
      create: () =>
        new BucketWriter({
          name: label,
          bucketName: spec.bucketName,
          endpoint: spec.endpoint,
          insecure: spec.insecure,
          useDualStack: spec.useDualStack,
          region: spec.region,
          path: spec.path,
          credentials,
          concurrency: this.settings.bucket.concurrency,
          batchDelete: this.settings.bucket.batchDelete,
          authHint: secret
            ? `check accessKeyID and secretAccessKey of kratix.secrets.${secret.name}`
            : 'check the IAM role or the aws integration',
          warn: m => this.logger.warn(m),
          connectTo: this.testing.connectTo,
          tls,
        }),
    };
  }

  /**
   * Keys or a profile in aws.mainAccount are Backstage's, shared by every plugin: opt-in per
   * bucket. Without them the manager falls back to the AWS default chain (the process's own
   * identity, as Kratix's IAM), which stays unrestricted.
   */
  private iamCredentials(
    label: string,
    spec: BucketStateStoreSpec,
  ): { credentials: BucketWriterCredentials; source: CredentialSourceView } {
    const main = this.config.getOptionalConfig('aws.mainAccount');
    const integration = Boolean(main?.has('accessKeyId') || main?.has('profile'));
    if (integration) assertIntegrationBucket(label, this.integrationBuckets, spec.bucketName);
    this.aws ??= DefaultAwsCredentialsManager.fromConfig(this.config);
    const aws = this.aws;
    return {
      credentials: async () => (await aws.getCredentialProvider()).sdkCredentialProvider(),
      source: {
        type: 'iam',
        detail: integration
          ? 'the aws integration main account (aws.mainAccount)'
          : 'the AWS default credential chain',
      },
    };
  }

  async closeAll(): Promise<void> {
    for (const { writer } of this.writers.values()) await writer.close();
    this.writers.clear();
  }
}

type BucketWriterCredentials = ConstructorParameters<typeof BucketWriter>[0]['credentials'];

/** The SSH server of a store URL; port 22 when none is given, so `allowedHosts: [host:22]` matches it. */
function sshHostPort(url: string): { host: string; port: string } {
  const ssh = /^ssh:\/\/(?:[^@/]+@)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?/i.exec(url);
  if (ssh) return { host: ssh[1].replace(/^\[|\]$/g, ''), port: ssh[2] ?? '22' };
  const scp = /^[^@]+@([^:]+):/.exec(url);
  return { host: scp ? scp[1] : url, port: '22' };
}
