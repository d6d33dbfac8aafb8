// (e) Our peak memory in the bulk write, measured in a process of its own.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startGitServer } from '@internal/state-store-servers';
import { nestedFiles, time } from './util';
import { benchGitWriter } from './writers';

async function main() {
  const n = Number(process.argv[2] ?? 10000);
  const tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-bench-mem-'));
  const server = await startGitServer({ root: path.join(tmp, 'git') });
  try {
    const url = await server.createRepo('mem');
    const baseline = process.memoryUsage().rss;
    const writer = benchGitWriter(server, url, path.join(tmp, 'work'));
    const files = nestedFiles(n);
    const r = await time(async () => {
      await writer.refresh();
      return writer.apply(files, 'Update from: bench');
    });
    const status = await fs.promises.readFile('/proc/self/status', 'utf8');
    const hwmKb = Number(/VmHWM:\s+(\d+)/.exec(status)![1]);
    process.stdout.write(
      `${JSON.stringify({ ms: r.ms, written: r.value.written, peakRssMb: hwmKb / 1024, startRssMb: baseline / 1048576 })}\n`,
    );
  } finally {
    await server.stop();
    await fs.promises.rm(tmp, { recursive: true, force: true });
  }
}
main().catch(e => {
  console.error(e);
  process.exit(1);
});
