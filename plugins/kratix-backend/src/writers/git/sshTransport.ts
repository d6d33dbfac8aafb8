import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleGit, SimpleGit } from 'simple-git';
import { StoreError } from '../errors';
import { refusal } from './httpTransport';
import { LocalRepo } from './localRepo';
import { BuiltPack } from './pack';
import { GitTransport, PushOutcome } from './transport';

export interface SshTransportOptions {
  /** `GitStateStore/<name>` */
  store: string;
  /** `ssh://user@host[:port]/path` or `user@host:path` */
  url: string;
  privateKey: string;
  knownHosts: string;
  /** The config key holding the key, named in errors. */
  secretKey: string;
}

/**
 * SSH through the git CLI, as Kratix does (isomorphic-git has no SSH): strict
 * host-key checking against this store's known hosts only, no agent, no user
 * or system config. Objects are still built by the writer; git sends only the
 * ones the server lacks, and a push that is not a fast-forward is a lost race.
 */
export class SshGitTransport implements GitTransport {
  readonly target: string;
  private dir?: string;

  constructor(private readonly options: SshTransportOptions) {
    this.target = options.url;
  }

  private async files(): Promise<string> {
    if (this.dir) return this.dir;
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-ssh-'));
    await fs.promises.chmod(dir, 0o700);
    const key = `${this.options.privateKey.trim()}\n`;
    await fs.promises.writeFile(path.join(dir, 'key'), key, { mode: 0o600 });
    await fs.promises.writeFile(
      path.join(dir, 'known_hosts'),
      `${this.options.knownHosts.trim()}\n`,
      { mode: 0o600 },
    );
    this.dir = dir;
    return dir;
  }

  private async git(repo: LocalRepo): Promise<SimpleGit> {
    const dir = await this.files();
    const ssh = [
      'ssh',
      '-F',
      '/dev/null',
      '-i',
      path.join(dir, 'key'),
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'IdentityAgent=none',
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      `UserKnownHostsFile=${path.join(dir, 'known_hosts')}`,
      '-o',
      'GlobalKnownHostsFile=/dev/null',
      '-o',
      'ConnectTimeout=20',
    ].join(' ');
    return simpleGit({
      baseDir: repo.gitdir,
      unsafe: { allowUnsafeSshCommand: true, allowUnsafeConfigPaths: true },
    }).env({
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: dir,
      GIT_SSH_COMMAND: ssh,
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
    });
  }

  private explain(e: any, doing: string): StoreError {
    const text = String(e?.message ?? e);
    const host = sshHost(this.options.url);
    if (
      /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No .* host key is known/i.test(
        text,
      )
    ) {
      return new StoreError(
        `${this.options.store}: the SSH host key of ${host} is not in ${this.options.secretKey.replace(/sshPrivateKey$/, 'knownHosts')}; add the server's key there (e.g. the output of ssh-keyscan ${host})`,
        'auth',
      );
    }
    if (
      /Permission denied|publickey|Authentication failed|invalid format|error in libcrypto/i.test(
        text,
      )
    ) {
      return new StoreError(
        `${this.options.store}: SSH authentication to ${host} failed while ${doing}; check ${this.options.secretKey} and that its public key is a deploy key with write access`,
        'auth',
      );
    }
    if (
      /Connection refused|Could not resolve|timed out|No route to host|Connection closed/i.test(
        text,
      )
    ) {
      return new StoreError(
        `${this.options.store}: cannot reach ${host} over SSH while ${doing}`,
        'unreachable',
      );
    }
    const detail = text
      .split('\n')
      .map(l => l.trim())
      .filter(Boolean)
      .slice(-3)
      .join(' / ');
    return new StoreError(`${this.options.store}: ${doing} ${this.target} failed: ${detail}`);
  }

  async fetch(repo: LocalRepo, branch: string, first: boolean): Promise<string | undefined> {
    const git = await this.git(repo);
    const refspec = `+refs/heads/${branch}:refs/remotes/origin/${branch}`;
    try {
      // No background gc: isomorphic-git keeps the listing of the object directories (RepoFs).
      await git.raw([
        '-c',
        'gc.auto=0',
        '-c',
        'maintenance.auto=false',
        'fetch',
        '--no-tags',
        ...(first ? ['--depth=1'] : []),
        this.options.url,
        refspec,
      ]);
    } catch (e: any) {
      if (/couldn't find remote ref/i.test(String(e?.message))) return undefined;
      throw this.explain(e, 'fetching');
    } finally {
      repo.fs.invalidate();
    }
    return (await git.raw(['rev-parse', `refs/remotes/origin/${branch}`])).trim();
  }

  async push(
    repo: LocalRepo,
    args: { branch: string; oldOid?: string; newOid: string; pack: BuiltPack },
  ): Promise<PushOutcome> {
    await repo.keepPack(args.pack);
    const git = await this.git(repo);
    let output: string;
    try {
      output = await git.raw([
        'push',
        '--porcelain',
        this.options.url,
        `${args.newOid}:refs/heads/${args.branch}`,
      ]);
    } catch (e: any) {
      output = String(e?.message ?? e);
      const rejected = /^!\s.*\[(remote )?rejected\]\s*\(([^)]*)\)/m.exec(output);
      if (!rejected) throw this.explain(e, 'pushing to');
      const reason = rejected[2];
      if (!rejected[1] && /fetch first|non-fast-forward|stale info/i.test(reason))
        return { ok: false, reason };
      const remote = output
        .split('\n')
        .filter(l => l.startsWith('remote:'))
        .map(l => l.trim());
      if (/failed to update ref|cannot lock ref/i.test(reason)) return { ok: false, reason };
      throw refusal(this.options.store, this.target, args.branch, reason, remote);
    }
    return /^[ *+=]\s/m.test(output) ? { ok: true } : { ok: false, reason: output.trim() };
  }

  async checkWrite(): Promise<void> {
    const git = await this.git(new LocalRepo(os.tmpdir()));
    try {
      await git.raw(['ls-remote', '--heads', this.options.url]);
    } catch (e) {
      throw this.explain(e, 'connecting to');
    }
  }

  async close(): Promise<void> {
    if (this.dir) await fs.promises.rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}

function sshHost(url: string): string {
  const m = /^ssh:\/\/(?:[^@/]+@)?([^/]+)/i.exec(url) ?? /^[^@]+@([^:]+):/.exec(url);
  return m ? m[1] : url;
}
