import fs from 'node:fs';
import path from 'node:path';
import type { GitWriter } from '@kratix-destinations/plugin-kratix-backend/writers';
import { GitServer, startGitServer } from '@internal/state-store-servers';
import { git, line, median, nestedFiles, time } from './util';
import { benchGitWriter } from './writers';

function authUrl(server: GitServer, url: string) {
  const u = new URL(url);
  u.username = server.username;
  u.password = server.password;
  return u.toString();
}

async function writeFiles(dir: string, files: Map<string, Buffer>) {
  const dirs = new Set<string>();
  for (const p of files.keys()) dirs.add(path.dirname(path.join(dir, p)));
  for (const d of dirs) await fs.promises.mkdir(d, { recursive: true });
  for (const [p, c] of files) await fs.promises.writeFile(path.join(dir, p), c);
}

async function nativeBulk(server: GitServer, url: string, tmp: string, files: Map<string, Buffer>) {
  const dir = path.join(tmp, `native-bulk-${Date.now()}`);
  await git(['clone', '--quiet', '--depth', '1', authUrl(server, url), dir]);
  await writeFiles(dir, files);
  await git(['add', '-A'], dir);
  // No automatic gc: after 10,000 loose objects it repacks in the background, into the next rounds.
  await git(
    [
      ...['-c', 'gc.auto=0', '-c', 'maintenance.auto=false'],
      ...['-c', 'user.name=kratix', '-c', 'user.email=', 'commit', '--quiet', '-m', 'bulk'],
    ],
    dir,
  );
  await git(['push', '--quiet', 'origin', 'HEAD:main'], dir);
  return dir;
}

export async function gitBench(tmp: string, n: number, rounds: number) {
  const server = await startGitServer({ root: path.join(tmp, 'git') });
  try {
    // (a) bulk into an empty store. Both repos are seeded with one commit, as native git cannot clone an empty branch usefully.
    const oursA: number[] = [];
    const nativeA: number[] = [];
    let writer: GitWriter | undefined;
    let oursUrl = '';
    for (let r = 0; r < rounds; r++) {
      const files = nestedFiles(n, r);
      const nUrl = await server.createRepo(`native-a-${r}`);
      await git([
        '--git-dir',
        server.repoPath(`native-a-${r}`),
        'symbolic-ref',
        'HEAD',
        'refs/heads/main',
      ]);
      const seedDir = path.join(tmp, `seed-${r}`);
      await git(['init', '--quiet', '--initial-branch=main', seedDir]);
      await fs.promises.writeFile(path.join(seedDir, 'README.md'), 'state\n');
      await git(['add', '-A'], seedDir);
      await git(
        ['-c', 'user.name=s', '-c', 'user.email=s', 'commit', '--quiet', '-m', 'seed'],
        seedDir,
      );
      await git(['push', '--quiet', authUrl(server, nUrl), 'main'], seedDir);
      oursUrl = await server.createRepo(`ours-a-${r}`);
      await git(['push', '--quiet', authUrl(server, oursUrl), 'main'], seedDir);

      const w = benchGitWriter(server, oursUrl, path.join(tmp, `ours-a-${r}`));
      const ours = await time(async () => {
        await w.refresh();
        return w.apply(files, 'Update from: bench');
      });
      if (ours.value.written !== n)
        throw new Error(`expected ${n} files written, got ${ours.value.written}`);
      oursA.push(ours.ms);
      const native = await time(() => nativeBulk(server, nUrl, tmp, files));
      nativeA.push(native.ms);
      await fs.promises.rm(native.value, { recursive: true, force: true, maxRetries: 5 });
      writer = w;
    }
    line(
      `a-bulk-${n}-git`,
      median(oursA),
      median(nativeA),
      `median of ${rounds}; ours ${oursA.map(Math.round).join('/')} ms, native ${nativeA.map(Math.round).join('/')} ms`,
    );

    // (b) incremental: 10 changed files in the n-file repository; both keep a local copy and take in each other's pushes.
    const nativeDir = path.join(tmp, 'native-b');
    await git(['clone', '--quiet', authUrl(server, oursUrl), nativeDir]);
    const oursB: number[] = [];
    const nativeB: number[] = [];
    const paths = [...nestedFiles(n).keys()];
    for (let r = 0; r < rounds + 2; r++) {
      const change = (tag: string) =>
        new Map(
          paths
            .filter((_, i) => i % Math.floor(n / 10) === r % 7)
            .slice(0, 10)
            .map(p => [p, Buffer.from(`changed: ${tag}-${r}\n`)]),
        );
      const ours = await time(async () => {
        await writer!.refresh();
        return writer!.apply(change('ours'), 'Update from: bench-incremental');
      });
      if (ours.value.commits !== 1) throw new Error('incremental write made no commit');
      const native = await time(async () => {
        await git(['pull', '--quiet', '--ff-only', 'origin', 'main'], nativeDir);
        await writeFiles(nativeDir, change('native'));
        await git(['add', '-A'], nativeDir);
        await git(
          ['-c', 'user.name=kratix', '-c', 'user.email=', 'commit', '--quiet', '-m', 'incremental'],
          nativeDir,
        );
        await git(['push', '--quiet', 'origin', 'HEAD:main'], nativeDir);
      });
      if (r >= 2) {
        // the first rounds warm both local copies
        oursB.push(ours.ms);
        nativeB.push(native.ms);
      }
    }
    line(
      `b-incremental-10-of-${n}-git`,
      median(oursB),
      median(nativeB),
      `median of ${rounds}; ours ${oursB.map(Math.round).join('/')} ms, native ${nativeB.map(Math.round).join('/')} ms`,
    );

    // (c) no-op: the same content again.
    const current = new Map<string, Buffer>();
    await writer!.refresh();
    for (const p of paths) {
      const c = await writer!.readFile(p);
      if (c) current.set(p, c);
    }
    const before = Number(
      (
        await git([
          '--git-dir',
          server.repoPath(oursUrl.split('/').pop()!.replace('.git', '')),
          'rev-list',
          '--count',
          'main',
        ])
      ).trim(),
    );
    const noop = await time(async () => {
      await writer!.refresh();
      return writer!.apply(current, 'Update from: bench-noop');
    });
    const after = Number(
      (
        await git([
          '--git-dir',
          server.repoPath(oursUrl.split('/').pop()!.replace('.git', '')),
          'rev-list',
          '--count',
          'main',
        ])
      ).trim(),
    );
    const nativeNoop = await time(async () => {
      await git(['pull', '--quiet', '--ff-only', 'origin', 'main'], nativeDir);
      await git(['add', '-A'], nativeDir);
      await git(['status', '--porcelain'], nativeDir);
    });
    line(
      `c-noop-${n}-git`,
      noop.ms,
      nativeNoop.ms,
      `commits made ${noop.value.commits}, branch commits before ${before} after ${after}; baseline: native pull + add -A + status`,
    );
  } finally {
    await server.stop();
  }
}
