#!/usr/bin/env node
// `npm run bench`: our writers against native git and the plain S3 SDK,
// side by side in one run. BENCH_FILES, BENCH_S3_FILES, BENCH_ROUNDS tune it.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const child = spawn(
  process.execPath,
  [
    '--require',
    path.join(root, 'node_modules/@backstage/cli-node/config/nodeTransform.cjs'),
    path.join(root, 'bench/src/index.ts'),
  ],
  { cwd: root, stdio: 'inherit' },
);
child.on('exit', code => process.exit(code ?? 1));
