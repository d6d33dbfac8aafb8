import { ExecFileException, execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSshKeyPair, SshGitServer, startSshGitServer } from './sshServer';

jest.setTimeout(60_000);

function exitCode(error: ExecFileException | null): number {
  if (error === null) return 0;
  return typeof error.code === 'number' ? error.code : 1;
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function exec(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<Result> {
  return new Promise(resolve => {
    const child = execFile(
      cmd,
      args,
      { cwd: opts.cwd, env: opts.env, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = exitCode(error);
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    // An open stdin would keep `ssh host git-upload-pack` waiting. A command that
    // exits before reading it makes the write fail with EPIPE: that is not an error here.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(opts.input ?? '');
  });
}

describe('startSshGitServer', () => {
  let base: string;
  let server: SshGitServer;
  let keyFile: string;
  let wrongKeyFile: string;
  let knownHosts: string;
  let gitEnv: NodeJS.ProcessEnv;

  const sshArgs = (identity: string, hostsFile: string) => [
    '-i',
    identity,
    '-F',
    '/dev/null',
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${hostsFile}`,
    '-o',
    'IdentityAgent=none',
    '-o',
    'BatchMode=yes',
  ];

  const envFor = (identity: string, hostsFile: string) => ({
    ...gitEnv,
    GIT_SSH_COMMAND: ['ssh', ...sshArgs(identity, hostsFile)].join(' '),
  });

  const git = (
    args: string[],
    opts: { cwd?: string; identity?: string; hostsFile?: string } = {},
  ) =>
    exec('git', args, {
      cwd: opts.cwd ?? base,
      env: envFor(opts.identity ?? keyFile, opts.hostsFile ?? knownHosts),
    });

  /** Runs a raw command over ssh, as git would. */
  const ssh = (command: string, input?: string) =>
    exec(
      'ssh',
      [...sshArgs(keyFile, knownHosts), '-p', String(server.port), 'git@127.0.0.1', command],
      { input },
    );

  beforeAll(async () => {
    base = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'ssh-git-test-'));
    const home = path.join(base, 'home');
    await fs.promises.mkdir(home);
    gitEnv = {
      PATH: process.env.PATH,
      HOME: home,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_TERMINAL_PROMPT: '0',
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
    };

    const key = generateSshKeyPair();
    const wrongKey = generateSshKeyPair();
    keyFile = path.join(base, 'id_ed25519');
    wrongKeyFile = path.join(base, 'id_wrong');
    await fs.promises.writeFile(keyFile, key.privateKey, { mode: 0o600 });
    await fs.promises.writeFile(wrongKeyFile, wrongKey.privateKey, {
      mode: 0o600,
    });

    server = await startSshGitServer({
      root: path.join(base, 'repos'),
      authorizedKeys: [key.publicKey],
    });
    knownHosts = path.join(base, 'known_hosts');
    await fs.promises.writeFile(knownHosts, `${server.hostKeyLine}\n`);
  });

  afterAll(async () => {
    await server?.stop();
    await fs.promises.rm(base, { recursive: true, force: true });
  });

  it('writes keys that ssh-keygen reads back', async () => {
    const { privateKey, publicKey } = generateSshKeyPair();
    expect(privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
    expect(publicKey).toMatch(/^ssh-ed25519 AAAA\S+$/);
    const file = path.join(base, 'id_check');
    await fs.promises.writeFile(file, privateKey, { mode: 0o600 });
    const derived = await exec('ssh-keygen', ['-y', '-f', file]);
    expect(derived.code).toBe(0);
    expect(derived.stdout.trim().split(' ').slice(0, 2).join(' ')).toBe(publicKey);
    expect(server.hostKeyLine).toMatch(
      new RegExp(`^\\[127\\.0\\.0\\.1\\]:${server.port} ssh-ed25519 AAAA\\S+$`),
    );
  });

  it('clones, pushes and fetches over ssh with the real git CLI', async () => {
    const url = await server.createRepo('state');
    expect(url).toBe(`ssh://git@127.0.0.1:${server.port}/state.git`);

    const work = path.join(base, 'work');
    const clone = await git(['clone', url, work]);
    expect(clone).toMatchObject({ code: 0 });
    expect(clone.stderr).toContain('empty repository');

    await fs.promises.writeFile(path.join(work, 'file.txt'), 'hello over ssh\n');
    expect(await git(['symbolic-ref', 'HEAD', 'refs/heads/main'], { cwd: work })).toMatchObject({
      code: 0,
    });
    expect(await git(['add', 'file.txt'], { cwd: work })).toMatchObject({
      code: 0,
    });
    expect(await git(['commit', '-m', 'first'], { cwd: work })).toMatchObject({ code: 0 });
    const push = await git(['push', 'origin', 'main'], { cwd: work });
    expect(push.stderr).toContain('main -> main');
    expect(push.code).toBe(0);

    const show = await exec('git', [
      '--git-dir',
      server.repoPath('state'),
      'show',
      'main:file.txt',
    ]);
    expect(show).toMatchObject({ code: 0, stdout: 'hello over ssh\n' });

    // Read it back over ssh as well: a fresh clone sees the commit.
    const again = path.join(base, 'again');
    expect(await git(['clone', url, again])).toMatchObject({ code: 0 });
    expect(await fs.promises.readFile(path.join(again, 'file.txt'), 'utf8')).toBe(
      'hello over ssh\n',
    );

    // scp-like syntax without a port is not possible here, but the path forms
    // without a leading slash / without .git resolve to the same repository.
    const lsRemote = await git(['ls-remote', `ssh://git@127.0.0.1:${server.port}/state`]);
    expect(lsRemote.code).toBe(0);
    expect(lsRemote.stdout).toContain('refs/heads/main');
  });

  it('passes GIT_PROTOCOL through, so protocol v2 is used', async () => {
    await server.createRepo('v2');
    const result = await exec('git', ['-c', 'protocol.version=2', 'ls-remote', server.url('v2')], {
      cwd: base,
      env: { ...envFor(keyFile, knownHosts), GIT_TRACE_PACKET: '1' },
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/< version 2$/m);
  });

  it('refuses a key that is not authorized', async () => {
    await server.createRepo('locked');
    const result = await git(['ls-remote', server.url('locked')], { identity: wrongKeyFile });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('Permission denied');
  });

  it('is refused by a client that expects another host key', async () => {
    const otherHost = generateSshKeyPair().publicKey;
    const wrongHosts = path.join(base, 'known_hosts_wrong');
    await fs.promises.writeFile(wrongHosts, `[127.0.0.1]:${server.port} ${otherHost}\n`);
    const result = await git(['ls-remote', server.url('state')], {
      hostsFile: wrongHosts,
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('Host key verification failed');
  });

  it('refuses paths outside the root', async () => {
    const outside = path.join(base, 'outside.git');
    await exec('git', ['init', '--quiet', '--bare', outside]);
    await fs.promises.symlink(outside, path.join(server.root, 'link.git'));

    const viaGit = await git(['ls-remote', `ssh://git@127.0.0.1:${server.port}/../outside.git`]);
    expect(viaGit.code).not.toBe(0);
    expect(viaGit.stderr).toContain('outside the repository root');

    for (const command of [
      "git-upload-pack '/../outside.git'",
      "git-receive-pack '../outside.git'",
      "git-upload-pack 'state.git/../../outside.git'",
      "git upload-pack 'link.git'",
      'git-upload-pack /',
    ]) {
      const result = await ssh(command);
      expect({ command, code: result.code }).toEqual({ command, code: 128 });
      expect(result.stderr).toMatch(/outside the repository root/);
    }
  });

  /** A repository holding one commit on main, made with the git CLI on the disk (not over ssh). */
  const seededRepo = async (name: string) => {
    await server.createRepo(name);
    const seed = path.join(base, `${name}-seed`);
    const run = (args: string[]) => exec('git', args, { cwd: seed, env: gitEnv });
    await exec('git', ['init', '--quiet', '--initial-branch=main', seed], { env: gitEnv });
    await fs.promises.writeFile(path.join(seed, 'seed.txt'), 'seed\n');
    await run(['add', '-A']);
    await run(['commit', '--quiet', '-m', 'seed']);
    await run(['push', '--quiet', server.repoPath(name), 'main']);
  };

  it('accepts the command forms git and users send', async () => {
    await seededRepo('forms');
    for (const command of [
      "git-upload-pack '/forms.git'",
      "git-upload-pack 'forms.git'",
      'git-upload-pack /forms.git',
      "git upload-pack '/forms.git'",
      'git-upload-pack "forms"',
    ]) {
      // upload-pack advertises its refs, then a flush packet from the client
      // ("want nothing") ends the conversation cleanly.
      const result = await ssh(command, '0000');
      expect({ command, code: result.code }).toEqual({ command, code: 0 });
      expect(result.stdout).toContain('refs/heads/main');
    }
  });

  it('refuses other commands and missing repositories', async () => {
    const ls = await ssh('ls /');
    expect(ls.code).toBe(128);
    expect(ls.stderr).toContain('unsupported command');

    const chained = await ssh("git-upload-pack 'state.git'; id");
    expect(chained.code).toBe(128);

    const missing = await ssh("git-upload-pack '/nope.git'");
    expect(missing.code).toBe(128);
    expect(missing.stderr).toContain('does not appear to be a git repository');
  });
});
