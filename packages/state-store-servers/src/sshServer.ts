import { ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SOURCES } from './sources';
import { promisify } from 'node:util';
import { utils } from 'ssh2';

const run = promisify(execFile);

/**
 * Starts `node <script>` with an IPC channel, sends it `config` as its first
 * message and waits for its `{"port":N}` line on stdout.
 */
function startConfiguredChild(
  script: string,
  config: unknown,
  what: string,
): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
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
    child.on('error', reject);
    child.on('exit', code => reject(new Error(`${what} exited with ${code}: ${err}`)));
    child.send(config as any);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise(resolve => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

function serverScript(name: string): string {
  // The servers run from source (tests, the demo), so the .cjs files sit next
  // to this module.
  // eslint-disable-next-line no-restricted-syntax
  return path.join(SOURCES, name);
}

export interface SshKeyPair {
  /** OpenSSH private key ("-----BEGIN OPENSSH PRIVATE KEY-----"), usable with `ssh -i`. */
  privateKey: string;
  /** An authorized_keys line: `ssh-ed25519 AAAA...`. */
  publicKey: string;
}

/** Generates an unencrypted ed25519 key pair in the formats ssh-keygen writes. */
export function generateSshKeyPair(): SshKeyPair {
  const { private: privateKey, public: publicKey } = utils.generateKeyPairSync('ed25519');
  return { privateKey, publicKey: publicKey.trim() };
}

/** The `<algo> <base64>` public part of a private or public key. */
function publicKeyOf(key: string): string {
  const parsed = utils.parseKey(key);
  if (parsed instanceof Error) {
    throw new Error(`Invalid SSH key: ${parsed.message}`);
  }
  const k = Array.isArray(parsed) ? parsed[0] : parsed;
  return `${k.type} ${k.getPublicSSH().toString('base64')}`;
}

export interface SshGitServer {
  port: number;
  /** The directory holding the bare repositories. */
  root: string;
  /** The known_hosts line for this server: `[127.0.0.1]:PORT ssh-ed25519 AAAA...`. */
  hostKeyLine: string;
  /** `ssh://git@127.0.0.1:PORT/<name>.git` */
  url(name: string): string;
  /** Creates `<name>.git` (bare, branch main) and returns its URL. */
  createRepo(name: string): Promise<string>;
  /** The bare repository's directory, for inspecting it with the git CLI. */
  repoPath(name: string): string;
  stop(): Promise<void>;
}

/**
 * Starts an SSH server (ssh2) on 127.0.0.1 in a child process, serving
 * git-upload-pack / git-receive-pack for the bare repositories under `root`.
 * Publickey authentication only, against `authorizedKeys`; any user name.
 */
export async function startSshGitServer(options: {
  root?: string;
  port?: number;
  /** OpenSSH public key lines (authorized_keys format). */
  authorizedKeys: string[];
  /** PEM / OpenSSH private host key; an ed25519 one is generated when absent. */
  hostKey?: string;
}): Promise<SshGitServer> {
  const root =
    options.root ?? (await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-ssh-git-')));
  await fs.promises.mkdir(root, { recursive: true });
  const hostKey = options.hostKey ?? generateSshKeyPair().privateKey;
  const hostPublic = publicKeyOf(hostKey);
  // Fail here, not in the child, on a malformed authorized key.
  for (const entry of options.authorizedKeys) {
    for (const line of entry.split(/\r?\n/)) {
      if (line.trim() && !line.trim().startsWith('#')) publicKeyOf(line.trim());
    }
  }

  const { child, port } = await startConfiguredChild(
    serverScript('sshGitServer.cjs'),
    {
      root,
      port: options.port ?? 0,
      authorizedKeys: options.authorizedKeys,
      hostKey,
    },
    'ssh git server',
  );
  const hostPattern = port === 22 ? '127.0.0.1' : `[127.0.0.1]:${port}`;
  const url = (name: string) => `ssh://git@127.0.0.1:${port}/${name}.git`;
  return {
    port,
    root,
    hostKeyLine: `${hostPattern} ${hostPublic}`,
    url,
    repoPath: name => path.join(root, `${name}.git`),
    async createRepo(name) {
      const dir = path.join(root, `${name}.git`);
      if (!fs.existsSync(dir)) {
        await run('git', ['init', '--quiet', '--bare', '--initial-branch=main', dir]);
      }
      return url(name);
    },
    stop: () => stopChild(child),
  };
}
