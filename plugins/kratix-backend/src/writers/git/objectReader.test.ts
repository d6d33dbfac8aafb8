import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyDelta } from './delta';
import { ObjectReader } from './objectReader';

const env = {
  PATH: process.env.PATH,
  HOME: os.tmpdir(),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'a',
  GIT_AUTHOR_EMAIL: 'a@example.com',
  GIT_COMMITTER_NAME: 'a',
  GIT_COMMITTER_EMAIL: 'a@example.com',
};

// Sized for a loaded machine (CI runs beside other work): Jest's 5 s default failed there.
jest.setTimeout(60_000);

describe('ObjectReader, against repositories native git wrote', () => {
  let dir: string;
  let gitdir: string;
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 });

  beforeEach(async () => {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'objectreader-'));
    gitdir = path.join(dir, '.git');
    git('init', '-q', '-b', 'main');
    // Similar files over three commits: git stores most of them as deltas.
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 40; i++) {
        const lines = Array.from({ length: 60 }, (_, l) => `line ${l} of file ${i}\n`);
        lines[round * 7] = `changed in round ${round}\n`;
        await fs.promises.mkdir(path.join(dir, `d${i % 4}`), { recursive: true });
        await fs.promises.writeFile(path.join(dir, `d${i % 4}`, `f${i}.yaml`), lines.join(''));
      }
      git('add', '-A');
      git('commit', '-q', '-m', `round ${round}`);
    }
  });
  afterEach(() => fs.promises.rm(dir, { recursive: true, force: true }));

  const everyObject = () =>
    git('cat-file', '--batch-all-objects', '--batch-check=%(objectname) %(objecttype)')
      .toString()
      .trim()
      .split('\n')
      .map(l => l.split(' ') as [string, string]);

  const expectSameAsGit = async () => {
    const reader = new ObjectReader(gitdir);
    const objects = everyObject();
    expect(objects.length).toBeGreaterThan(130);
    for (const [oid, type] of objects) {
      const o = await reader.read(oid);
      expect({ oid, type: o?.type }).toEqual({ oid, type });
      expect(o!.content.equals(git('cat-file', type, oid))).toBe(true);
    }
  };

  const deltas = () =>
    git(
      'verify-pack',
      '-v',
      ...fs
        .readdirSync(path.join(gitdir, 'objects/pack'))
        .filter(f => f.endsWith('.idx'))
        .map(f => path.join(gitdir, 'objects/pack', f)),
    )
      .toString()
      .split('\n')
      .filter(l => /^[0-9a-f]{40} (blob|tree)\s+\d+ \d+ \d+ \d+ [0-9a-f]{40}$/.test(l)).length;

  it('reads every object of a pack with offset deltas as git cat-file does', async () => {
    git('repack', '-adfq', '--window=50');
    expect(deltas()).toBeGreaterThan(50);
    await expectSameAsGit();
  });

  it('reads packs with deltas against other objects by name (REF_DELTA) and large offsets', async () => {
    const list = everyObject()
      .map(([oid]) => oid)
      .join('\n');
    const out = path.join(dir, 'refpack');
    execFileSync('git', ['pack-objects', '-q', '--window=50', out], {
      cwd: dir,
      env,
      input: `${list}\n`,
    });
    const pack = fs.readdirSync(dir).find(f => f.startsWith('refpack-') && f.endsWith('.pack'))!;
    await fs.promises.rm(path.join(gitdir, 'objects'), { recursive: true });
    await fs.promises.mkdir(path.join(gitdir, 'objects/pack'), { recursive: true });
    const target = path.join(gitdir, 'objects/pack', pack);
    await fs.promises.copyFile(path.join(dir, pack), target);
    // Offsets above 256 bytes go to the index's 64-bit table.
    git('index-pack', '--index-version=2,256', target);
    expect(deltas()).toBeGreaterThan(50);
    await expectSameAsGit();
  });

  it('reads loose objects, says which objects it has, and nothing of those it lacks', async () => {
    expect(fs.readdirSync(path.join(gitdir, 'objects/pack'))).toEqual([]);
    await expectSameAsGit();
    const reader = new ObjectReader(gitdir);
    const [head] = git('rev-parse', 'HEAD').toString().split('\n');
    expect(await reader.has(head)).toBe(true);
    const missing = 'ce013625030ba8dba906f756967f9e9ca394464a';
    expect(await reader.has(missing)).toBe(false);
    expect(await reader.read(missing)).toBeUndefined();
    for (const notAnId of ['', 'HEAD', 'zz', head.slice(0, 39)]) {
      expect(await reader.has(notAnId)).toBe(false);
      expect(await reader.read(notAnId)).toBeUndefined();
    }
  });

  it('sees packs added after it first read, once invalidated', async () => {
    const reader = new ObjectReader(gitdir);
    const [head] = git('rev-parse', 'HEAD').toString().split('\n');
    expect((await reader.read(head))?.type).toBe('commit');
    git('commit', '-q', '--allow-empty', '-m', 'later');
    git('repack', '-adq');
    const later = git('rev-parse', 'HEAD').toString().trim();
    expect(await reader.read(later)).toBeUndefined();
    reader.invalidate();
    expect((await reader.read(later))?.content.toString()).toContain('later');
    // A pack that went away takes its objects with it.
    const pack = path.join(gitdir, 'objects/pack');
    for (const f of fs.readdirSync(pack)) fs.rmSync(path.join(pack, f));
    reader.invalidate();
    expect(await reader.read(later)).toBeUndefined();
  });

  it('says a pack over 2 GiB cannot be read, and reads again once it is gone', async () => {
    git('repack', '-adq');
    const [head] = git('rev-parse', 'HEAD').toString().split('\n');
    const pack = path.join(gitdir, 'objects/pack');
    const big = path.join(pack, `pack-${'a'.repeat(40)}`);
    await fs.promises.copyFile(
      path.join(pack, fs.readdirSync(pack).find(f => f.endsWith('.idx'))!),
      `${big}.idx`,
    );
    const handle = await fs.promises.open(`${big}.pack`, 'w');
    await handle.truncate(2 ** 31); // sparse: no disk used
    await handle.close();
    const reader = new ObjectReader(gitdir);
    await expect(reader.read(head)).rejects.toThrow(
      `git pack pack-${'a'.repeat(40)} of the local copy is 2147483648 bytes; packs over 2 GiB cannot be read`,
    );
    await fs.promises.rm(`${big}.pack`);
    await fs.promises.rm(`${big}.idx`);
    expect((await reader.read(head))?.type).toBe('commit');
  });
});

describe('applyDelta', () => {
  const base = Buffer.from('0123456789');
  // source size 10, target size 4, copy 4 bytes from offset 2
  const copy = Buffer.from([10, 4, 0x80 | 0x01 | 0x10, 2, 4]);

  it('copies from its base and inserts its own bytes', () => {
    expect(applyDelta(copy, base).toString()).toBe('2345');
    // copy 3 bytes from offset 0, then insert "hi"
    const insert = Buffer.from([10, 5, 0x80 | 0x10, 3, 2, 0x68, 0x69]);
    expect(applyDelta(insert, base).toString()).toBe('012hi');
  });

  it('refuses a delta that writes beyond its target size, for a wrong base or a cut delta', () => {
    const tooLong = Buffer.from([10, 4, 0x80 | 0x10, 4, 0x80 | 0x10, 1]);
    expect(() => applyDelta(tooLong, base)).toThrow('git delta: copy beyond its target size');
    expect(() => applyDelta(copy, Buffer.from('short'))).toThrow(
      'git delta: base is 5 bytes, 10 expected',
    );
    expect(() => applyDelta(copy.subarray(0, 3), base)).toThrow('git delta: cut short');
  });
});
