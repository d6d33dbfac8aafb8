import { ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SOURCES } from './sources';
import { promisify } from 'node:util';
import { writeTlsFiles } from './tlsCertificates';

const run = promisify(execFile);

/** A key and certificate chain (PEM) a server serves HTTPS with, e.g. from createTestCertificates. */
export interface ServerTls {
  key: string;
  cert: string;
}

function startChild(
  args: string[],
  what: string,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, ...env },
    });
    let out = '';
    let err = '';
    child.stderr!.on('data', d => {
      err += d;
    });
    child.stdout!.on('data', d => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        try {
          resolve({ child, port: JSON.parse(out.slice(0, nl)).port });
        } catch (e) {
          reject(new Error(`${what}: unexpected output ${out}`));
        }
      }
    });
    child.on('exit', code => reject(new Error(`${what} exited with ${code}: ${err}`)));
  });
}

/** The environment that makes a server script serve HTTPS (its files live in `dir`). */
async function tlsEnv(dir: string, tls?: ServerTls): Promise<Record<string, string>> {
  if (!tls) return {};
  const { keyFile, certFile } = await writeTlsFiles(dir, tls);
  return { TLS_KEY_FILE: keyFile, TLS_CERT_FILE: certFile };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise(resolve => {
    if (child.exitCode !== null) {
      resolve();
      return;
    }
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

export interface GitServer {
  /** e.g. http://127.0.0.1:PORT (https:// with the tls option) */
  baseUrl: string;
  port: number;
  username: string;
  password: string;
  /** The directory holding the bare repositories. */
  root: string;
  /** Creates `<name>.git` (bare, branch main) and returns its URL. */
  createRepo(name: string): Promise<string>;
  /** The bare repository's directory, for inspecting it with the git CLI. */
  repoPath(name: string): string;
  stop(): Promise<void>;
}

/** Starts git-http-backend behind Basic auth on 127.0.0.1, in a child process. */
export async function startGitServer(
  options: {
    root?: string;
    port?: number;
    username?: string;
    password?: string;
    /** Serve HTTPS with this key and certificate chain (kept next to the repositories). */
    tls?: ServerTls;
  } = {},
): Promise<GitServer> {
  const root = options.root ?? (await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-git-')));
  await fs.promises.mkdir(root, { recursive: true });
  const username = options.username ?? 'kratix';
  const password = options.password ?? 'kratix-test-password';
  const { child, port } = await startChild(
    [path.join(SOURCES, 'gitServer.cjs'), root, String(options.port ?? 0), username, password],
    'git server',
    await tlsEnv(path.join(root, '.tls'), options.tls),
  );
  const baseUrl = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  return {
    baseUrl,
    port,
    username,
    password,
    root,
    repoPath: name => path.join(root, `${name}.git`),
    async createRepo(name) {
      const dir = path.join(root, `${name}.git`);
      if (!fs.existsSync(dir)) {
        await run('git', ['init', '--quiet', '--bare', '--initial-branch=main', dir]);
      }
      return `${baseUrl}/${name}.git`;
    },
    stop: () => stopChild(child),
  };
}

export interface S3Server {
  /** e.g. http://127.0.0.1:PORT (https:// with the tls option) */
  endpoint: string;
  port: number;
  /** s3rver's fixed credentials (it checks the key id, not the signature). */
  accessKeyId: string;
  secretAccessKey: string;
  directory: string;
  stop(): Promise<void>;
}

/** Starts s3rver on 127.0.0.1 in a child process, creating the given buckets. */
export async function startS3Server(
  options: {
    directory?: string;
    port?: number;
    buckets?: string[];
    /** Serve HTTPS with this key and certificate chain (kept outside the data directory). */
    tls?: ServerTls;
  } = {},
): Promise<S3Server> {
  const directory =
    options.directory ?? (await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-s3-')));
  await fs.promises.mkdir(directory, { recursive: true });
  // Beside the data, not in it: s3rver takes every directory in it for a bucket.
  const tlsDir = `${directory.replace(/[/\\]+$/, '')}-tls`;
  const { child, port } = await startChild(
    [
      '--openssl-legacy-provider',
      path.join(SOURCES, 's3Server.cjs'),
      directory,
      String(options.port ?? 0),
      ...(options.buckets ?? []),
    ],
    's3 server',
    await tlsEnv(tlsDir, options.tls),
  );
  return {
    endpoint: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    directory,
    async stop() {
      await stopChild(child);
      if (options.tls) await fs.promises.rm(tlsDir, { recursive: true, force: true });
    },
  };
}
export * from './inspect';
export * from './sshServer';
export * from './captureServer';
export * from './tlsCertificates';
