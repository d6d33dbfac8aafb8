import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { GitServer, startGitServer } from '@internal/state-store-servers';
import { GitWriter } from './GitWriter';
import { commitCount, gitCli, pushWithCli, readRepo } from '@internal/state-store-servers';

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

  async function setup(options: { path?: string; password?: string } = {}) {
    const name = `repo${++n}`;
    const url = await server.createRepo(name);
    const writer = new GitWriter({
      name: `GitStateStore/${name}`,
      url,
      branch: 'main',
      path: options.path ?? '',
      author: { name: 'kratix', email: '' },
      credentials: { username: server.username, password: options.password ?? server.password },
      workDir: path.join(work, name),
    });
    return { writer, url, repo: server.repoPath(name) };
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

  it('reads files and lists directories from its local copy', async () => {
    const { writer } = await setup({ path: 'root' });
    await writer.refresh();
    await writer.apply(
      new Map([
        ['d/one.yaml', Buffer.from('1')],
        ['d/e/two.yaml', Buffer.from('2')],
        ['other.yaml', Buffer.from('3')],
      ]),
      'Update from: t',
    );
    expect(await writer.readFile('d/e/two.yaml')).toEqual(Buffer.from('2'));
    expect(await writer.readFile('d/missing.yaml')).toBeUndefined();
    expect((await writer.list('d')).sort()).toEqual(['d/e/two.yaml', 'd/one.yaml']);
    expect(await writer.list('nothing')).toEqual([]);
  });

  it('keeps a foreign push made between our fetch and our push', async () => {
    const { writer, url, repo } = await setup();
    await writer.refresh();
    await writer.apply(new Map([['ours/a.yaml', Buffer.from('a\n')]]), 'Update from: ours');
    await pushWithCli(url, server, { 'theirs/t.yaml': 'theirs\n' });
    // Our local copy is now behind: the push loses the compare-and-swap, fetches and re-applies.
    const result = await writer.apply(
      new Map([['ours/b.yaml', Buffer.from('b\n')]]),
      'Update from: ours',
    );
    expect(result.commits).toBe(1);
    expect(await readRepo(repo)).toEqual(
      new Map([
        ['ours/a.yaml', 'a\n'],
        ['ours/b.yaml', 'b\n'],
        ['theirs/t.yaml', 'theirs\n'],
      ]),
    );
    expect(await commitCount(repo)).toBe(3);
    // And later fetches keep working incrementally.
    await writer.refresh();
    expect(await writer.readFile('theirs/t.yaml')).toEqual(Buffer.from('theirs\n'));
  });

  it('converges when several writers push at once', async () => {
    const { url, repo } = await setup();
    const writers = [1, 2, 3, 4].map(
      i =>
        new GitWriter({
          name: `GitStateStore/w${i}`,
          url,
          branch: 'main',
          path: '',
          author: { name: 'kratix', email: '' },
          credentials: { username: server.username, password: server.password },
          workDir: path.join(work, `race-${n}-${i}`),
        }),
    );
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

  it('names the store and never the secret when the password is wrong', async () => {
    const { writer } = await setup({ password: 'wrong-secret-value' });
    const error = await writer.refresh().catch(e => e);
    expect(error.message).toMatch(
      /^GitStateStore\/repo\d+: authentication failed while fetching http:\/\/127\.0\.0\.1:\d+\/repo\d+\.git \(HTTP 401\); check the username and password of its secretRef in kratix\.secrets$/,
    );
    expect(error.message).not.toContain('wrong-secret-value');
    await expect(writer.validatePermissions()).rejects.toThrow(
      /authentication failed while checking write access/,
    );
  });

  it('says when the server cannot be reached', async () => {
    const closedPort = await unusedPort();
    const writer = new GitWriter({
      name: 'GitStateStore/gone',
      url: `http://127.0.0.1:${closedPort}/state.git`,
      branch: 'main',
      path: '',
      author: { name: 'kratix', email: '' },
      credentials: { username: 'u', password: 'p4ssw0rd-secret' },
      workDir: path.join(work, 'gone'),
    });
    const error = await writer.refresh().catch(e => e);
    expect(error.message).toBe(
      `GitStateStore/gone: cannot reach http://127.0.0.1:${closedPort}/state.git (ECONNREFUSED)`,
    );
    await expect(writer.validatePermissions()).rejects.toThrow(
      `GitStateStore/gone: cannot reach http://127.0.0.1:${closedPort}/state.git (ECONNREFUSED)`,
    );
  });
});
