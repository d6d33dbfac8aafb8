import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import type { JsonObject } from '@backstage/types';
import {
  bucketObjects,
  createTestCertificates,
  readRepo,
  startGitServer,
  startS3Server,
  TestCertificates,
} from '@internal/state-store-servers';
import { BucketWriter } from './bucket/BucketWriter';
import { storeError, StoreError } from './errors';
import { GitWriter } from './git/GitWriter';
import { HttpGitTransport } from './git/httpTransport';
import { readTlsSettings, StoreTls, storeTls, tlsAgentOptions } from './tls';

jest.setTimeout(60_000);

const settings = (tls: JsonObject) => readTlsSettings(new ConfigReader({ kratix: { tls } }));
const https = (host: string) => new URL(`https://${host}/org/repo.git`);
const STORE = 'GitStateStore/x';

describe('storeTls: which certificates a store over HTTPS trusts', () => {
  let certs: TestCertificates;
  let other: TestCertificates;
  beforeAll(async () => {
    [certs, other] = await Promise.all([createTestCertificates(), createTestCertificates()]);
  });

  it('verifies with Node’s roots when nothing is configured, and when insecure is false or unset', () => {
    for (const insecure of [undefined, false]) {
      const tls = storeTls({
        store: STORE,
        url: https('git.example.com'),
        insecure,
        settings: settings({}),
      });
      expect(tls).toEqual({ extraCa: [], verify: true, caKeys: 'kratix.tls.caBundle' });
      expect(tlsAgentOptions(tls)).toEqual({});
    }
  });

  it('adds the global and the secret’s CA bundles to Node’s roots, naming both keys', () => {
    const tls = storeTls({
      store: STORE,
      url: https('127.0.0.1:8443'),
      secret: { name: 'git', caBundle: `${certs.ca}\n${other.ca}` },
      settings: settings({ caBundle: certs.ca }),
    });
    expect(tls.extraCa).toEqual([certs.ca.trim(), certs.ca.trim(), other.ca.trim()]);
    expect(tls.caKeys).toBe('kratix.tls.caBundle or kratix.secrets.git.caBundle');
    const ca = tlsAgentOptions(tls).ca as string[];
    expect(ca.slice(-3)).toEqual(tls.extraCa);
    expect(ca.length).toBeGreaterThan(100); // Node's own roots stay
  });

  it('refuses a bundle that holds no certificate, naming its key', () => {
    expect(() =>
      storeTls({
        store: STORE,
        url: https('h'),
        secret: { name: 'git', caBundle: 'not a certificate' },
        settings: settings({}),
      }),
    ).toThrow(
      new StoreError(
        'GitStateStore/x: kratix.secrets.git.caBundle holds no PEM certificate; paste the CA certificate (-----BEGIN CERTIFICATE----- ...)',
        'config',
      ),
    );
    const broken = certs.ca.replace(/\n[A-Za-z0-9+/]{10}/, '\n!!!!!!!!!!');
    expect(() =>
      storeTls({ store: STORE, url: https('h'), settings: settings({ caBundle: broken }) }),
    ).toThrow(
      /^GitStateStore\/x: certificate 1 of kratix.tls.caBundle cannot be read \(.+\); paste the CA certificate in PEM form$/,
    );
  });

  it('skips verification for insecure: true only on a host kratix.tls.allowInsecure lists', () => {
    const allowed = settings({ allowInsecure: ['127.0.0.1:8443', 'git.internal'] });
    for (const host of ['127.0.0.1:8443', 'git.internal', 'git.internal:444']) {
      const tls = storeTls({ store: STORE, url: https(host), insecure: true, settings: allowed });
      expect(tls.verify).toBe(false);
      expect(tls.warning).toBe(
        `GitStateStore/x: spec.insecure is true and ${host} is in kratix.tls.allowInsecure, so its TLS certificates are not verified`,
      );
      expect(tlsAgentOptions(tls)).toEqual({ rejectUnauthorized: false });
    }
    expect(() =>
      storeTls({ store: STORE, url: https('127.0.0.1:9443'), insecure: true, settings: allowed }),
    ).toThrow(
      new StoreError(
        'GitStateStore/x: spec.insecure: true asks not to verify TLS certificates of 127.0.0.1:9443; add 127.0.0.1:9443 to kratix.tls.allowInsecure to allow it, or trust its CA with kratix.tls.caBundle',
        'config',
      ),
    );
  });
});

describe('storeError: certificate failures', () => {
  const ctx = {
    store: STORE,
    target: 'https://127.0.0.1:8443/r.git',
    authHint: 'check it',
    secrets: [],
    caKeys: 'kratix.tls.caBundle or kratix.secrets.git.caBundle',
  };
  const wrapped = (code: string, message: string) =>
    Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error(message), { code }),
    });

  it.each([
    ['SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'unable to get local issuer certificate'],
  ])('%s: trust the CA', (code, message) => {
    const e = storeError(ctx, 'fetching', wrapped(code, message));
    expect(e.message).toBe(
      `GitStateStore/x: TLS certificate validation failed: ${message} (trust the CA with kratix.tls.caBundle or kratix.secrets.git.caBundle)`,
    );
    expect(e.kind).toBe('tls');
  });

  it('an expired certificate or one for another host: what to fix instead', () => {
    expect(
      storeError(ctx, 'fetching', wrapped('CERT_HAS_EXPIRED', 'certificate has expired')).message,
    ).toBe(
      "GitStateStore/x: TLS certificate validation failed: certificate has expired (the server's certificate is outside its validity period; renew it)",
    );
    const altname =
      "Hostname/IP does not match certificate's altnames: IP: 127.0.0.2 is not in the cert's list: 127.0.0.1";
    expect(
      storeError(ctx, 'fetching', wrapped('ERR_TLS_CERT_ALTNAME_INVALID', altname)).message,
    ).toBe(
      `GitStateStore/x: TLS certificate validation failed: ${altname} (the certificate is not issued for the host the store names; use a host name it is issued for)`,
    );
  });
});

describe('Git and S3 writers over HTTPS (real servers, a private CA)', () => {
  let certs: TestCertificates;
  let other: TestCertificates;
  let work: string;
  beforeAll(async () => {
    [certs, other] = await Promise.all([createTestCertificates(), createTestCertificates()]);
    work = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-tls-'));
  });
  afterAll(() => fs.promises.rm(work, { recursive: true, force: true }));

  const tlsFor = (url: URL, caBundle?: string, insecure?: boolean): StoreTls =>
    storeTls({
      store: STORE,
      url,
      insecure,
      secret: { name: 'git', caBundle },
      settings: settings(insecure ? { allowInsecure: [url.host] } : {}),
    });

  it('pushes with the secret’s CA, skips verification when allowed, and names the CA keys when untrusted', async () => {
    const git = await startGitServer({ root: path.join(work, 'git'), tls: certs });
    try {
      const url = await git.createRepo('state');
      const writer = (name: string, tls: StoreTls) =>
        new GitWriter({
          name: STORE,
          branch: 'main',
          path: '',
          author: { name: 'kratix', email: '' },
          transport: new HttpGitTransport({
            store: STORE,
            url,
            credentials: async () => ({ username: git.username, password: git.password }),
            authHint: 'check kratix.secrets.git',
            tls,
          }),
          workDir: path.join(work, name),
        });
      const untrusted = writer('untrusted', tlsFor(new URL(url), other.ca));
      await expect(untrusted.refresh()).rejects.toThrow(
        'GitStateStore/x: TLS certificate validation failed: self-signed certificate in certificate chain (trust the CA with kratix.tls.caBundle or kratix.secrets.git.caBundle)',
      );
      const trusted = writer('trusted', tlsFor(new URL(url), certs.ca));
      await trusted.refresh();
      await trusted.apply(new Map([['a.yaml', Buffer.from('a: 1\n')]]), 'Update from: t');
      const skipping = writer('skipping', tlsFor(new URL(url), undefined, true));
      await skipping.refresh();
      await skipping.apply(new Map([['b.yaml', Buffer.from('b: 2\n')]]), 'Update from: t');
      expect(await readRepo(git.repoPath('state'))).toEqual(
        new Map([
          ['a.yaml', 'a: 1\n'],
          ['b.yaml', 'b: 2\n'],
        ]),
      );
      await Promise.all([untrusted.close(), trusted.close(), skipping.close()]);
    } finally {
      await git.stop();
    }
  });

  it('writes a bucket with the secret’s CA', async () => {
    const s3 = await startS3Server({
      directory: path.join(work, 's3'),
      buckets: ['b'],
      tls: certs,
    });
    try {
      const writer = (caBundle: string) =>
        new BucketWriter({
          name: 'BucketStateStore/b',
          bucketName: 'b',
          endpoint: s3.endpoint.replace('https://', ''),
          insecure: false,
          useDualStack: false,
          path: '',
          credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
          concurrency: 4,
          batchDelete: true,
          authHint: 'check kratix.secrets.s3',
          tls: storeTls({
            store: 'BucketStateStore/b',
            url: new URL(s3.endpoint),
            secret: { name: 's3', caBundle },
            settings: settings({}),
          }),
        });
      const files = new Map([['dev/a.yaml', Buffer.from('a: 1\n')]]);
      // The message of an untrusted bucket is asserted through the real backend
      // (test/src/tls.e2e.test.ts): under Jest, Node's TLS error is of another
      // realm than the test's Error, and the SDK's retry middleware replaces it
      // with a bare "AWS SDK error wrapper" that no longer carries its code.
      const trusted = writer(certs.ca);
      await trusted.apply(files, 'x');
      expect(await bucketObjects(s3.endpoint, 'b', undefined, { ca: certs.ca })).toEqual(
        new Map([['dev/a.yaml', 'a: 1\n']]),
      );
      await trusted.close();
    } finally {
      await s3.stop();
    }
  });
});
