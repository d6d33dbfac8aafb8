#!/usr/bin/env node
// `npm start`: the demo. Starts a local git server (127.0.0.1:8470) and a
// local S3 server (127.0.0.1:8471) with their data under .demo-data/, then
// the Backstage backend with the example Destinations pointing at them.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const data = path.resolve(process.env.KRATIX_DEMO_DATA ?? path.join(root, '.demo-data'));
const servers = path.join(root, 'packages/state-store-servers/src');
const env = {
  ...process.env,
  KRATIX_DEMO_DATA: data,
  KRATIX_API_TOKEN: process.env.KRATIX_API_TOKEN || 'kratix-demo-token',
  KRATIX_DEMO_GIT_USERNAME: process.env.KRATIX_DEMO_GIT_USERNAME || 'gitops',
  KRATIX_DEMO_GIT_PASSWORD: process.env.KRATIX_DEMO_GIT_PASSWORD || 'kratix-demo-password',
  KRATIX_DEMO_S3_ACCESS_KEY_ID: 'S3RVER',
  KRATIX_DEMO_S3_SECRET_ACCESS_KEY: 'S3RVER',
  NODE_ENV: process.env.NODE_ENV || 'development',
};
const children = [];

// Set once a signal asks everything to stop: nothing more is started then.
let stopping;
const stopped = () => new Promise(() => {}); // stopAll() exits the process

function start(args, what) {
  if (stopping) return stopped();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env });
    children.push(child);
    child.stdout.once('data', d => {
      console.log(`${what} listening on 127.0.0.1:${JSON.parse(String(d).split('\n')[0]).port}`);
      resolve(child);
    });
    child.on('exit', code => {
      if (!stopping) reject(new Error(`${what} exited with ${code}`));
    });
  });
}

// Waits for every child to exit (SIGKILL after 10 s), so a quick restart does not
// meet the old servers on the demo ports.
function stopAll() {
  stopping ??= Promise.all(
    children
      .filter(c => c.exitCode === null && c.signalCode === null)
      .map(
        c =>
          new Promise(resolve => {
            const kill = setTimeout(() => c.kill('SIGKILL'), 10_000);
            c.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            c.kill('SIGTERM');
          }),
      ),
  );
  return stopping;
}
process.on('SIGINT', () => stopAll().then(() => process.exit(130)));
process.on('SIGTERM', () => stopAll().then(() => process.exit(143)));
// `npm start` stopped with SIGTERM does not pass it on (its shell dies first): when
// this script is orphaned, it stops too rather than keep the demo ports.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stopAll().then(() => process.exit(143));
}, 1000).unref();

// The UI is served by the backend (app-backend) from packages/app/dist.
if (
  !fs.existsSync(path.join(root, 'packages/app/dist/index.html')) ||
  process.env.KRATIX_REBUILD_APP
) {
  console.log('Building the frontend (packages/app) once...');
  execFileSync(
    process.execPath,
    [path.join(root, 'node_modules/@backstage/cli/bin/backstage-cli'), 'package', 'build'],
    {
      cwd: path.join(root, 'packages/app'),
      stdio: 'inherit',
    },
  );
}

fs.mkdirSync(path.join(data, 'git'), { recursive: true });
fs.mkdirSync(path.join(data, 's3'), { recursive: true });
fs.mkdirSync(path.join(data, 'db'), { recursive: true });
const repo = path.join(data, 'git', 'state.git');
if (!fs.existsSync(repo))
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', repo]);

await start(
  [
    path.join(servers, 'gitServer.cjs'),
    path.join(data, 'git'),
    '8470',
    env.KRATIX_DEMO_GIT_USERNAME,
    env.KRATIX_DEMO_GIT_PASSWORD,
  ],
  'demo git server',
);
await start(
  [
    '--openssl-legacy-provider',
    path.join(servers, 's3Server.cjs'),
    path.join(data, 's3'),
    '8471',
    'kratix',
  ],
  'demo S3 server',
);

if (stopping) await stopped();
const backend = spawn(
  process.execPath,
  [
    '--require',
    require_resolve('@backstage/cli-node/config/nodeTransform.cjs'),
    'src/index.ts',
    '--config',
    '../../app-config.yaml',
    ...(fs.existsSync(path.join(root, 'app-config.local.yaml'))
      ? ['--config', '../../app-config.local.yaml']
      : []),
  ],
  { cwd: path.join(root, 'packages/backend'), stdio: 'inherit', env },
);
children.push(backend);
backend.on('exit', code => {
  stopAll().then(() => process.exit(code ?? 1));
});
console.log(
  `Backstage starting on http://localhost:7007 (open it in a browser and sign in as guest; API token: ${env.KRATIX_API_TOKEN})`,
);

function require_resolve(id) {
  return path.join(root, 'node_modules', id);
}
