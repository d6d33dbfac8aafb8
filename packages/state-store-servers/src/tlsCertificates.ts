import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A private CA and a server certificate it signed, all PEM. */
export interface TestCertificates {
  /** The CA's certificate: what a client must trust. */
  ca: string;
  /** The server's private key. */
  key: string;
  /** The server's certificate followed by the CA's, as servers send their chain. */
  cert: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  await run('openssl', args, { cwd });
}

/**
 * Makes a CA and a certificate for 127.0.0.1 and localhost signed by it, with
 * the openssl CLI (real X.509, as a private PKI issues them). Each call makes
 * a new CA, so two calls give servers that trust nothing of each other.
 */
export async function createTestCertificates(
  options: { commonName?: string } = {},
): Promise<TestCertificates> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-tls-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    await openssl(
      [
        ...['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2'],
        ...['-subj', `/CN=${options.commonName ?? 'Kratix Test CA'}`],
        ...['-addext', 'basicConstraints=critical,CA:TRUE'],
        ...['-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
      ],
      dir,
    );
    await openssl(
      ['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'],
      dir,
    );
    await fs.promises.writeFile(
      path.join(dir, 'server.ext'),
      [
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        'basicConstraints=CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage=serverAuth',
        '',
      ].join('\n'),
    );
    await openssl(
      [
        ...['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key'],
        ...['-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext'],
      ],
      dir,
    );
    const read = (f: string) => fs.promises.readFile(path.join(dir, f), 'utf8');
    const ca = await read('ca.pem');
    return { ca, key: await read('server.key'), cert: `${await read('server.pem')}${ca}` };
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

/** Writes a key and certificate where a server child process can read them; returns the paths. */
export async function writeTlsFiles(
  dir: string,
  tls: { key: string; cert: string },
): Promise<{ keyFile: string; certFile: string }> {
  await fs.promises.mkdir(dir, { recursive: true });
  const keyFile = path.join(dir, 'tls.key');
  const certFile = path.join(dir, 'tls.pem');
  await fs.promises.writeFile(keyFile, tls.key, { mode: 0o600 });
  await fs.promises.writeFile(certFile, tls.cert);
  return { keyFile, certFile };
}
