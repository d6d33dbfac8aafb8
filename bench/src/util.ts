import path from 'node:path';

export { gitCli as git } from '@internal/state-store-servers';

export async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, value };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export function line(scenario: string, ours: number, baseline: number, detail = '') {
  console.log(
    `bench ${scenario}: ours ${Math.round(ours)} ms, baseline ${Math.round(baseline)} ms, ratio ${(ours / baseline).toFixed(2)}${detail ? ` (${detail})` : ''}`,
  );
}

/** The nested layout of the performance anchor: ~500-byte files, 10 namespaces, 5 promises. */
export function nestedFiles(n: number, seed = 0): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (let i = 0; i < n; i++) {
    const p = `dest/resources/ns${i % 10}/promise${i % 5}/name${Math.floor(i / 50)}/pipeline/${Math.floor(i / 5)}/file${i % 5}.yaml`;
    files.set(
      p,
      Buffer.from(
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n  namespace: ns${i % 10}\ndata:\n  seed: "${seed}"\n  payload: "${'x'.repeat(380)}"\n`,
      ),
    );
  }
  return files;
}

/** Each round's time, and the spread between the fastest and the slowest. */
export function spread(xs: number[]): string {
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  return `${xs.map(Math.round).join('/')} ms, spread ${Math.round(max - min)} ms`;
}

/** This package's src folder (scripts run in processes of their own live here). */
export const BENCH_SOURCES = path.join(
  path.dirname(require.resolve('@internal/bench/package.json')),
  'src',
);
