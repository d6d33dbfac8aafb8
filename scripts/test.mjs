#!/usr/bin/env node
// `npm test`: every test of every package (unit, integration against real
// git/S3/PostgreSQL servers, end-to-end against the real backend), then one
// plain summary line `N passed, N failed` read from Jest's JSON results.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const results = path.join(root, '.test-results', 'jest.json');
fs.mkdirSync(path.dirname(results), { recursive: true });
fs.rmSync(results, { force: true });

const env = {
  ...process.env,
  CI: 'true',
  // TestDatabases: never docker; PostgreSQL is the local server.
  BACKSTAGE_TEST_DISABLE_DOCKER: '1',
  BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING:
    process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
    'postgresql://postgres@127.0.0.1:5432/postgres',
};

const cli = path.join(root, 'node_modules', '@backstage', 'cli', 'bin', 'backstage-cli');

// The backend serves the frontend from packages/app/dist: build it from the
// current sources once, before any end-to-end test starts a backend.
console.log('Building the frontend (packages/app)...');
const build = spawnSync(process.execPath, [cli, 'package', 'build'], {
  cwd: path.join(root, 'packages/app'),
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...env, NODE_ENV: 'production' },
});
if (build.status !== 0) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const args = [cli, 'repo', 'test', '--json', `--outputFile=${results}`, ...process.argv.slice(2)];
const child = spawn(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
child.on('exit', code => {
  let passed = 0;
  let failed = 0;
  try {
    const json = JSON.parse(fs.readFileSync(results, 'utf8'));
    passed = json.numPassedTests;
    failed = json.numFailedTests + (json.numRuntimeErrorTestSuites ?? 0);
    const pending = json.numPendingTests + json.numTodoTests;
    if (pending > 0) {
      console.error(`${pending} tests are skipped or todo; none may be left behind`);
      failed += pending;
    }
  } catch (e) {
    console.error(`No Jest results at ${results}: ${e.message}`);
    failed = Math.max(failed, 1);
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(code === 0 && failed === 0 ? 0 : 1);
});
