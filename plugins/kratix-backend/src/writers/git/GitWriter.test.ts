import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  CaptureServer,
  commitCount,
  GitServer,
  gitCli,
  pushWithCli,
  readRepo,
  startCaptureServer,
  startGitServer,
} from '@internal/state-store-servers';
import { GitWriter } from './GitWriter';
import { HttpGitTransport } from './httpTransport';

jest.setTimeout(60_000);

/** A port nothing listens on. */
async function unusedPort(): Promise<number> {
  return new Promise(resolve => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const EMPTY = { full: false, dirs: [], paths: [], known: new Map(), verify: [] };

describe('GitWriter against a real smart-HTTP git server', () => {
  let server: GitServer;
  let work: string;
  let n = 0;

  beforeAll(async () => {
    server = await startGitServer();
    work = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-gw-'));
  });
  afterAll(async () => {
    await server.stop();
    await fs.promises.rm(work, { recursive: true, force: true });
    await fs.promises.rm(server.root, { recursive: true, force: true });
  });

  function writerFor(
    url: string,
    name: string,
    options: { path?: string; password?: string } = {},
  ) {
    const store = `GitStateStore/${name}`;
    return new GitWriter({
      name: store,
      branch: 'main',
      path: options.path ?? '',
      author: { name: 'kratix', email: '' },
      transport: new HttpGitTransport({
        store,
        url,
        credentials: async () => ({
          username: server.username,
          password: options.password ?? server.password,
        }),
        authHint: 'check the username and password of kratix.secrets.git',
      }),
      workDir: path.join(work, `${name}-${n}`),
    });
  }

  async function setup(options: { path?: string; password?: string } = {}) {
    const name = `repo${++n}`;
    const url = await server.createRepo(name);
    return { writer: writerFor(url, name, options), url, repo: server.repoPath(name) };
  }

  it('writes into an empty repository, then updates and deletes in one commit each', async () => {
    const { writer, repo } = await setup({ path: '/clusters/' });
    await writer.refresh();
    const first = await writer.apply(
      new Map([
        ['dev/a.yaml', Buffer.from('a: 1\n')],
        ['dev/sub/b.yaml', Buffer.from('b: 2\n')],
      ]),
      'Update from: test',
    );
    expect(first).toMatchObject({ written: 2, deleted: 0, commits: 1 });
    expect(first.version).toMatch(/^[0-9a-f]{40}$/);
    expect(await readRepo(repo)).toEqual(
      new Map([
        ['clusters/dev/a.yaml', 'a: 1\n'],
        ['clusters/dev/sub/b.yaml', 'b: 2\n'],
      ]),
    );
    expect((await gitCli(['--git-dir', repo, 'rev-parse', 'main'])).trim()).toBe(first.version);
    expect(
      await gitCli(['--git-dir', repo, 'log', '-1', '--format=%an <%ae>|%cn <%ce>|%s', 'main']),
    ).toBe('kratix <>|kratix <>|Update from: test\n');
    const second = await writer.apply(
      new Map<string, Buffer | null>([
        ['dev/a.yaml', Buffer.from('a: 2\n')],
        ['dev/sub/b.yaml', null],
      ]),
      'Update from: test',
    );
    expect(second).toMatchObject({ written: 1, deleted: 1, commits: 1 });
    expect(await readRepo(repo)).toEqual(new Map([['clusters/dev/a.yaml', 'a: 2\n']]));
    expect(await commitCount(repo)).toBe(2);
    await gitCli(['--git-dir', repo, 'fsck', '--strict']);
  });

  it('makes no commit when nothing changes', async () => {
    const { writer, repo } = await setup();
    await writer.refresh();
    const files = new Map([['x/y.yaml', Buffer.from('y\n')]]);
    await writer.apply(files, 'Update from: a');
    const again = await writer.apply(files, 'Update from: a');
    expect(again).toEqual({ written: 0, deleted: 0, commits: 0, puts: 0 });
    const deleteMissing = await writer.apply(new Map([['nope.yaml', null]]), 'Delete from: a');
    expect(deleteMissing.commits).toBe(0);
    expect(await commitCount(repo)).toBe(1);
  });

  it('reads files and observes directories from its local copy, digests as git blob ids', async () => {
    const { writer } = await setup({ path: 'root' });
    await writer.refresh();
    await writer.apply(
      new Map([
        ['d/one.yaml', Buffer.from('1')],
        ['d/e/two.yaml', Buffer.from('2')],
        ['dx/other.yaml', Buffer.from('3')],
      ]),
      'Update from: t',
    );
    expect(await writer.readFile('d/e/two.yaml')).toEqual(Buffer.from('2'));
    expect(await writer.readFile('d/missing.yaml')).toBeUndefined();
    const snapshot = await writer.observe({
      ...EMPTY,
      dirs: ['d', 'nothing'],
      paths: ['dx/other.yaml', 'gone.yaml'],
    });
    expect(snapshot.list('d').sort()).toEqual(['d/e/two.yaml', 'd/one.yaml']);
    expect(snapshot.digest('dx/other.yaml')).toBe(writer.digest(Buffer.from('3')));
    expect(snapshot.digest('gone.yaml')).toBeUndefined();
    const full = await writer.observe({ ...EMPTY, full: true });
    expect([...full.all().keys()].sort()).toEqual(['d/e/two.yaml', 'd/one.yaml', 'dx/other.yaml']);
  });

  it('never reads, lists or changes a path outside its spec.path', async () => {
    const { writer, url, repo } = await setup({ path: 'team-a' });
    const auth = { username: server.username, password: server.password };
    await pushWithCli(url, auth, { 'team-b/secret.yaml': 'b: secret\n', 'top.yaml': 'top\n' });
    const before = { files: await readRepo(repo), commits: await commitCount(repo) };
    await writer.refresh();
    const escapes = ['../team-b/secret.yaml', '/team-b/secret.yaml', 'x/../../top.yaml', '..'];
    for (const p of escapes) expect(await writer.readFile(p)).toBeUndefined();
    const seen = await writer.observe({
      ...EMPTY,
      dirs: ['../team-b', '/'],
      paths: ['../top.yaml'],
      verify: ['../team-b/secret.yaml'],
    });
    expect(seen.all()).toEqual(new Map());
    for (const change of [Buffer.from('pwned\n'), null]) {
      await expect(
        writer.apply(new Map([['../team-b/secret.yaml', change]]), 'Update from: t'),
      ).rejects.toThrow(
        ': refused to change "../team-b/secret.yaml": it is absolute or has a ".." segment, so it could leave spec.path "team-a"; store paths are relative and stay below spec.path',
      );
    }
    await expect(
      writer.apply(new Map([['/top.yaml', Buffer.from('pwned')]]), 'Update from: t'),
    ).rejects.toThrow('refused to change "/top.yaml"');
    expect({ files: await readRepo(repo), commits: await commitCount(repo) }).toEqual(before);
    // Inside its path it reads and writes as ever.
    await writer.apply(new Map([['ok/./a.yaml', Buffer.from('a')]]), 'Update from: t');
    expect((await readRepo(repo)).get('team-a/ok/a.yaml')).toBe('a');
  });

  it('keeps a foreign push made between our fetch and our push, and reports what it changed', async () => {
    const { writer, url, repo } = await setup();
    await writer.refresh();
    const mine = await writer.apply(
      new Map([['ours/a.yaml', Buffer.from('a\n')]]),
      'Update from: ours',
    );
    await pushWithCli(url, server, { 'theirs/t.yaml': 'theirs\n', 'ours/a.yaml': 'edited\n' });
    // Our local copy is now behind: the push loses the compare-and-swap, fetches and re-applies.
    const result = await writer.apply(
      new Map([['ours/b.yaml', Buffer.from('b\n')]]),
      'Update from: ours',
    );
    expect(result.commits).toBe(1);
    expect(await readRepo(repo)).toEqual(
      new Map([
        ['ours/a.yaml', 'edited\n'],
        ['ours/b.yaml', 'b\n'],
        ['theirs/t.yaml', 'theirs\n'],
      ]),
    );
    expect(await commitCount(repo)).toBe(3);
    const changes = await writer.changesSince(mine.version);
    expect(changes.paths.sort()).toEqual(['ours/a.yaml', 'ours/b.yaml', 'theirs/t.yaml']);
    await writer.refresh();
    expect(await writer.readFile('theirs/t.yaml')).toEqual(Buffer.from('theirs\n'));
  });

  it('converges when several writers push at once', async () => {
    const { url, repo } = await setup();
    const writers = [1, 2, 3, 4].map(i => writerFor(url, `race-${i}`));
    await Promise.all(writers.map(w => w.refresh()));
    await Promise.all(
      writers.map((w, i) =>
        w.apply(new Map([[`f${i}.yaml`, Buffer.from(`${i}\n`)]]), `Update from: w${i}`),
      ),
    );
    expect([...(await readRepo(repo)).keys()].sort()).toEqual([
      'f0.yaml',
      'f1.yaml',
      'f2.yaml',
      'f3.yaml',
    ]);
    expect(await commitCount(repo)).toBe(4);
  });

  it("reports a hook's refusal with the server's own words, without retrying it as a race", async () => {
    const { writer, repo } = await setup();
    const hook = path.join(repo, 'hooks', 'pre-receive');
    await fs.promises.writeFile(
      hook,
      '#!/bin/sh\necho "policy: no files named forbidden.yaml" >&2\nexit 1\n',
      { mode: 0o755 },
    );
    await writer.refresh();
    const error = await writer
      .apply(new Map([['forbidden.yaml', Buffer.from('x')]]), 'Update from: t')
      .catch(e => e);
    expect(error.kind).toBe('refused');
    expect(error.message).toMatch(
      /^GitStateStore\/repo\d+: http:\/\/127\.0\.0\.1:\d+\/repo\d+\.git refused the push to main \(pre-receive hook declined\): policy: no files named forbidden\.yaml$/,
    );
    expect(await commitCount(repo)).toBe(0);
  });

  it("redacts the store's credentials from a hook's words", async () => {
    const { writer, repo } = await setup();
    await fs.promises.writeFile(
      path.join(repo, 'hooks', 'pre-receive'),
      `#!/bin/sh\necho "denied for ${server.username}:${server.password}@host" >&2\nexit 1\n`,
      { mode: 0o755 },
    );
    await writer.refresh();
    const error = await writer
      .apply(new Map([['x.yaml', Buffer.from('x')]]), 'Update from: t')
      .catch(e => e);
    expect(error.kind).toBe('refused');
    expect(error.message).toMatch(/\(pre-receive hook declined\): denied for kratix:\*\*\*@host$/);
    expect(error.message).not.toContain(server.password);
  });

  it('replaces a symlink entry with a regular file instead of writing through it', async () => {
    const { writer, url, repo } = await setup();
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-link-'));
    const u = new URL(url);
    u.username = server.username;
    u.password = server.password;
    await gitCli(['init', '-q', '-b', 'main', dir]);
    await fs.promises.symlink('../../etc/passwd', path.join(dir, 'link.yaml'));
    await gitCli(['-C', dir, 'add', '.']);
    await gitCli(['-C', dir, '-c', 'user.name=x', '-c', 'user.email=x@x', 'commit', '-qm', 'link']);
    await gitCli(['-C', dir, 'push', '-q', u.toString(), 'main']);
    await writer.refresh();
    await writer.apply(
      new Map([['link.yaml', Buffer.from('kind: ConfigMap\n')]]),
      'Update from: t',
    );
    expect(await gitCli(['--git-dir', repo, 'ls-tree', 'main', 'link.yaml'])).toMatch(
      /^100644 blob /,
    );
    expect((await readRepo(repo)).get('link.yaml')).toBe('kind: ConfigMap\n');
    await fs.promises.rm(dir, { recursive: true, force: true });
  });

  it('names the store and never the secret when the password is wrong', async () => {
    const { writer } = await setup({ password: 'wrong-secret-value' });
    const error = await writer.refresh().catch(e => e);
    expect(error.message).toMatch(
      /^GitStateStore\/repo\d+: authentication failed while fetching http:\/\/127\.0\.0\.1:\d+\/repo\d+\.git \(HTTP 401\); check the username and password of kratix\.secrets\.git$/,
    );
    expect(error.message).not.toContain('wrong-secret-value');
    await expect(writer.validatePermissions()).rejects.toThrow(
      /authentication failed while checking write access/,
    );
  });

  it('says when the server cannot be reached', async () => {
    const closedPort = await unusedPort();
    const url = `http://127.0.0.1:${closedPort}/state.git`;
    const writer = writerFor(url, 'gone');
    const error = await writer.refresh().catch(e => e);
    expect(error.message).toBe(`GitStateStore/gone: cannot reach ${url} (ECONNREFUSED)`);
    await expect(writer.validatePermissions()).rejects.toThrow(
      `GitStateStore/gone: cannot reach ${url} (ECONNREFUSED)`,
    );
  });

  describe('redirects', () => {
    let capture: CaptureServer;
    let redirector: CaptureServer;
    beforeAll(async () => {
      capture = await startCaptureServer({ respond: 'ok' });
      redirector = await startCaptureServer({ respond: { redirectTo: capture.url, status: 302 } });
    });
    afterAll(async () => {
      await capture.stop();
      await redirector.stop();
    });

    it('never follows a redirect to another origin with the credentials', async () => {
      const writer = writerFor(`${redirector.url}/state.git`, 'redirected');
      const error = await writer.refresh().catch(e => e);
      expect(error.message).toBe(
        `GitStateStore/redirected: ${redirector.url} redirected to ${capture.url}; credentials are never sent to another origin, so set spec.url to the repository's final URL`,
      );
      await writer.validatePermissions().catch(() => undefined);
      expect(await capture.requests()).toEqual([]);
      const seen = await redirector.requests();
      expect(seen.length).toBeGreaterThan(0);
    });
  });
});
