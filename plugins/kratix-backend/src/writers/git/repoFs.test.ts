import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import git from 'isomorphic-git';
import { RepoFs } from './repoFs';

describe('RepoFs', () => {
  let gitdir: string;
  let repoFs: RepoFs;

  beforeEach(async () => {
    gitdir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'repofs-'));
    repoFs = new RepoFs(gitdir);
    await git.init({ fs: repoFs, gitdir, bare: true, defaultBranch: 'main' });
  });
  afterEach(() => fs.promises.rm(gitdir, { recursive: true, force: true }));

  it('answers isomorphic-git with what node fs would: objects written are read back', async () => {
    const oid = await git.writeBlob({ fs: repoFs, gitdir, blob: Buffer.from('hello\n') });
    expect(oid).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
    const { blob } = await git.readBlob({ fs: repoFs, gitdir, oid });
    expect(Buffer.from(blob).toString()).toBe('hello\n');
  });

  it('keeps the listing of the pack directory until something is written', async () => {
    const pack = path.join(gitdir, 'objects/pack');
    expect(await repoFs.readdir(pack)).toEqual([]);
    await fs.promises.writeFile(path.join(pack, 'behind-its-back.idx'), '');
    expect(await repoFs.readdir(pack)).toEqual([]);
    repoFs.invalidate();
    expect(await repoFs.readdir(pack)).toEqual(['behind-its-back.idx']);
    await repoFs.writeFile(path.join(pack, 'through-it.idx'), '');
    expect((await repoFs.readdir(pack)).sort()).toEqual(['behind-its-back.idx', 'through-it.idx']);
  });

  it('does not open a loose object whose fan-out directory is not there', async () => {
    const oid = 'ce013625030ba8dba906f756967f9e9ca394464a';
    const file = path.join(gitdir, 'objects', oid.slice(0, 2), oid.slice(2));
    await expect(repoFs.readFile(file)).rejects.toMatchObject({ code: 'ENOENT' });
    await fs.promises.mkdir(path.dirname(file));
    await fs.promises.writeFile(file, 'x');
    // Written behind its back: still unknown until invalidated.
    await expect(repoFs.readFile(file)).rejects.toMatchObject({ code: 'ENOENT' });
    repoFs.invalidate();
    expect((await repoFs.readFile(file)).toString()).toBe('x');
  });

  it('answers the probe isomorphic-git makes (readFile without arguments) with a rejection', async () => {
    await expect(repoFs.readFile()).rejects.toThrow('isomorphic-git fs probe');
  });
});
