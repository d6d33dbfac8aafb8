import fs from 'node:fs';
import https from 'node:https';
import {
  bucketObjects,
  createTestCertificates,
  startGitServer,
  startS3Server,
  TestCertificates,
} from './index';

jest.setTimeout(60_000);

/** GET over HTTPS trusting only `ca`: the status, or the TLS error's code. */
function get(url: string, ca: string, auth?: string): Promise<number | string> {
  return new Promise(resolve => {
    const req = https.get(
      url,
      {
        ca,
        headers: auth ? { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {},
      },
      res => {
        res.resume();
        resolve(res.statusCode!);
      },
    );
    req.on('error', (e: any) => resolve(e.code));
  });
}

describe('the test servers over HTTPS', () => {
  let certs: TestCertificates;
  let other: TestCertificates;
  beforeAll(async () => {
    [certs, other] = await Promise.all([createTestCertificates(), createTestCertificates()]);
  });

  it('makes a CA and a server certificate for 127.0.0.1 signed by it, sent with the CA', () => {
    expect(certs.ca).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(certs.cert.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(certs.cert.endsWith(certs.ca)).toBe(true);
    expect(other.ca).not.toBe(certs.ca);
  });

  it('serves git over HTTPS with the given certificate', async () => {
    const git = await startGitServer({ tls: certs });
    try {
      expect(git.baseUrl).toBe(`https://127.0.0.1:${git.port}`);
      const url = `${await git.createRepo('r')}/info/refs?service=git-upload-pack`;
      expect(await get(url, certs.ca, `${git.username}:${git.password}`)).toBe(200);
      expect(await get(url, other.ca)).toBe('SELF_SIGNED_CERT_IN_CHAIN');
    } finally {
      await git.stop();
      await fs.promises.rm(git.root, { recursive: true, force: true });
    }
  });

  it('serves S3 over HTTPS with the given certificate', async () => {
    const s3 = await startS3Server({ buckets: ['b'], tls: certs });
    try {
      expect(s3.endpoint).toBe(`https://127.0.0.1:${s3.port}`);
      expect(await bucketObjects(s3.endpoint, 'b', undefined, { ca: certs.ca })).toEqual(new Map());
      await expect(bucketObjects(s3.endpoint, 'b', undefined, { ca: other.ca })).rejects.toThrow(
        /self-signed certificate in certificate chain/,
      );
    } finally {
      await s3.stop();
      await fs.promises.rm(s3.directory, { recursive: true, force: true });
    }
  });
});
