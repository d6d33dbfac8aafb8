import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gitBench } from './gitBench';
import { s3Bench } from './s3Bench';
import { scaleBench } from './scale';
import { BENCH_SOURCES } from './util';

const run = promisify(execFile);

async function main() {
  const n = Number(process.env.BENCH_FILES ?? 10000);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const s3Files = Number(process.env.BENCH_S3_FILES ?? 1000);
  // An S3 round takes about a second and its spread is wide: more rounds for a stable median.
  const s3Rounds = Number(process.env.BENCH_S3_ROUNDS ?? 7);
  const tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-bench-'));
  console.log(
    `# ${os.cpus().length} cores, node ${process.version}, ${n} files (git), ${s3Files} files (S3), ${rounds} rounds (git), ${s3Rounds} rounds (S3)`,
  );
  const only = process.env.BENCH_ONLY;
  try {
    if (only === 'scale') {
      await scaleBench(tmp);
      return;
    }
    await gitBench(tmp, n, rounds);
    await s3Bench(tmp, s3Files, s3Rounds);
    const { stdout } = await run(
      process.execPath,
      [...process.execArgv, path.join(BENCH_SOURCES, 'bulkMemory.ts'), String(n)],
      { maxBuffer: 1 << 20 },
    );
    const mem = JSON.parse(stdout.trim().split('\n').pop()!);
    console.log(
      `bench e-peak-memory-bulk-${n}: peak RSS ${Math.round(mem.peakRssMb)} MB (process start ${Math.round(mem.startRssMb)} MB, write ${Math.round(mem.ms)} ms)`,
    );
    if (only !== 'writers') await scaleBench(tmp);
  } finally {
    await fs.promises.rm(tmp, { recursive: true, force: true });
  }
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
