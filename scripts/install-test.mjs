#!/usr/bin/env node
// `npm run test:install`: installs the published form of the plugins into a
// stock Backstage app, as a user would, and checks that they work there.
//
// In a temporary directory outside the repository it packs the six
// publishable packages (`npm run pack:plugins`), generates the app with the
// create-app of our Backstage release (backstage.json), pins its @backstage/*
// packages to the versions of our package-lock.json, adds the tarballs,
// wires the three backend packages (backend.add) and the frontend feature
// (createApp features), installs with yarn, type-checks, builds, starts the
// backend against a local git server and checks the catalog, a Destination's
// readiness, a template run through the scaffolder, the file it put in git,
// and (unless INSTALL_TEST_UI=0) the Destination's Kratix tab in Chromium.
//
// Prints one line per check and `install test: N checks ok` (or `install
// test: FAILED ...`), exits non-zero on a failure, kills every process it
// started and removes the temporary directory (KEEP=1 keeps it). Step logs go
// to .test-results/install-test/. The yarn cache is kept in
// INSTALL_TEST_CACHE (default ~/.cache/kratix-install-test) between runs.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CREATE_APP = '@backstage/create-app@0.9.2'; // release 1.55.0, our backstage.json
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const UI = process.env.INSTALL_TEST_UI !== '0';
const KEEP = process.env.KEEP === '1';
const started = Date.now();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kratix-install-'));
const logs = process.env.INSTALL_TEST_LOGS ?? path.join(root, '.test-results', 'install-test');
const shots = path.join(root, '.test-results', 'screenshots');
const cache =
  process.env.INSTALL_TEST_CACHE ?? path.join(os.homedir(), '.cache', 'kratix-install-test');
const appDir = path.join(tmp, 'app');
fs.rmSync(logs, { recursive: true, force: true });
fs.mkdirSync(logs, { recursive: true });

const API = 'platform.kratix.io/v1alpha1';
const PACKAGES = [
  'plugin-kratix-common',
  'plugin-kratix-node',
  'plugin-kratix-backend',
  'plugin-catalog-backend-module-kratix',
  'plugin-scaffolder-backend-module-kratix',
  'plugin-kratix',
];
const BACKEND_PACKAGES = [
  'plugin-kratix-backend',
  'plugin-catalog-backend-module-kratix',
  'plugin-scaffolder-backend-module-kratix',
];

const nodeDir = path.dirname(path.dirname(process.execPath));
const env = {
  ...process.env,
  PATH: `${path.join(tmp, 'bin')}:${process.env.PATH}`,
  COREPACK_ENABLE_DOWNLOAD_PROMPT: '0',
  COREPACK_NPM_REGISTRY: 'https://registry.npmjs.org',
  COREPACK_DEFAULT_TO_LATEST: '0',
  YARN_NPM_REGISTRY_SERVER: 'https://registry.npmjs.org',
  YARN_ENABLE_IMMUTABLE_INSTALLS: 'false',
  YARN_ENABLE_TELEMETRY: '0',
  YARN_ENABLE_PROGRESS_BARS: 'false',
  YARN_GLOBAL_FOLDER: path.join(cache, 'yarn-global'),
  // Native modules (better-sqlite3) against this Node's headers, not a system Node's.
  npm_config_nodedir: nodeDir,
  BACKSTAGE_APP_NAME: 'install-test-app',
};
delete env.NODE_OPTIONS;

let passed = 0;
const children = [];
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;

class CheckFailed extends Error {}

function ok(name) {
  passed += 1;
  console.log(`ok ${passed} - ${name} (${elapsed()})`);
}
function fail(name, detail) {
  console.log(`FAIL - ${name} (${elapsed()})\n${detail ?? ''}`);
  throw new CheckFailed(name);
}

/** Runs a command to completion with its output in logs/<name>.log; a failure fails `check`. */
function step(check, name, cmd, args, cwd, extraEnv = {}) {
  const log = path.join(logs, `${name}.log`);
  const t = Date.now();
  const r = spawnSync(cmd, args, {
    cwd,
    env: { ...env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 512 * 1024 * 1024,
  });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  fs.writeFileSync(log, `$ ${cmd} ${args.join(' ')}   (in ${cwd})\n${out}`);
  console.log(`  ${name}: ${((Date.now() - t) / 1000).toFixed(0)} s`);
  if (r.status !== 0) {
    fail(
      check,
      `${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}; last lines of ${log}:\n${tail(out, 40)}`,
    );
  }
  return out;
}
const tail = (text, n) => text.trimEnd().split('\n').slice(-n).join('\n');

/** Starts a long-running process in its own process group, output to logs/<name>.log. */
function startProcess(name, cmd, args, cwd, extraEnv = {}) {
  const fd = fs.openSync(path.join(logs, `${name}.log`), 'w');
  const child = spawn(cmd, args, {
    cwd,
    env: { ...env, ...extraEnv },
    stdio: ['ignore', fd, fd],
    detached: true,
  });
  fs.closeSync(fd);
  children.push(child);
  return child;
}

async function killAll() {
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {}
  }
  const deadline = Date.now() + 10_000;
  while (
    Date.now() < deadline &&
    children.some(c => c.exitCode === null && c.signalCode === null)
  ) {
    await sleep(200);
  }
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {}
  }
}

const sleep = ms => new Promise(r => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Polls fn until it returns a truthy value; fails `check` with the last state after timeoutMs. */
async function eventually(check, fn, timeoutMs, every = 1000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = 'not yet';
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    if (Date.now() > deadline) fail(check, `after ${timeoutMs / 1000} s: ${last}`);
    for (const c of children) {
      if (c.exitCode !== null || c.signalCode !== null) {
        fail(
          check,
          `a process exited (${c.exitCode ?? c.signalCode}): ${c.spawnargs.join(' ')}; see ${path.relative(root, logs)}`,
        );
      }
    }
    await sleep(every);
  }
}

function yamlDocs(objs) {
  // JSON is YAML; one document per entity.
  return objs.map(o => `---\n${JSON.stringify(o, null, 2)}\n`).join('');
}

async function main() {
  console.log(
    `install test in ${tmp}${KEEP ? ' (kept)' : ''}; logs in ${path.relative(root, logs)}`,
  );

  // 1. Pack every publishable package as npm would publish it.
  const packs = path.join(tmp, 'packs');
  step(
    'packs the six publishable packages',
    'pack',
    'npm',
    ['run', 'pack:plugins', '--', packs],
    root,
  );
  const tarballs = {};
  for (const name of PACKAGES) {
    const file = fs
      .readdirSync(packs)
      .find(
        f =>
          f.startsWith(`kratix-destinations-${name}-`) &&
          /-\d[^-]*\.tgz$/.test(f.slice(`kratix-destinations-${name}`.length)),
      );
    if (!file)
      fail(
        'packs the six publishable packages',
        `no tarball for ${name} in ${fs.readdirSync(packs).join(', ')}`,
      );
    tarballs[`@kratix-destinations/${name}`] = path.join(packs, file);
  }
  ok('packs the six publishable packages');

  // 2. The stock app, pinned to our Backstage versions, with our tarballs.
  const check2 = 'generates the stock app and adds the packages';
  fs.mkdirSync(path.join(tmp, 'bin'));
  step(
    check2,
    'corepack',
    'corepack',
    ['enable', '--install-directory', path.join(tmp, 'bin'), 'yarn'],
    tmp,
  );
  step(check2, 'create-app', 'npx', ['-y', CREATE_APP, '--path', 'app', '--skip-install'], tmp);

  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
  const pinned = {};
  for (const [key, value] of Object.entries(lock.packages)) {
    const m = /^node_modules\/(@backstage\/[^/]+)$/.exec(key);
    if (m && value.version) pinned[m[1]] = value.version;
  }
  const editJson = (file, fn) => {
    const p = path.join(appDir, file);
    const json = JSON.parse(fs.readFileSync(p, 'utf8'));
    fn(json);
    fs.writeFileSync(p, `${JSON.stringify(json, null, 2)}\n`);
  };
  const unCaret = deps => {
    for (const name of Object.keys(deps ?? {})) {
      if (name.startsWith('@backstage/')) deps[name] = deps[name].replace(/^[\^~]/, '');
    }
  };
  const fileDep = name => `file:${tarballs[name]}`;
  editJson('package.json', json => {
    unCaret(json.dependencies);
    unCaret(json.devDependencies);
    json.resolutions = { ...json.resolutions, ...pinned };
    for (const name of PACKAGES)
      json.resolutions[`@kratix-destinations/${name}`] = fileDep(`@kratix-destinations/${name}`);
  });
  editJson('packages/backend/package.json', json => {
    unCaret(json.dependencies);
    unCaret(json.devDependencies);
    for (const name of BACKEND_PACKAGES)
      json.dependencies[`@kratix-destinations/${name}`] = fileDep(`@kratix-destinations/${name}`);
  });
  editJson('packages/app/package.json', json => {
    unCaret(json.dependencies);
    unCaret(json.devDependencies);
    json.dependencies['@kratix-destinations/plugin-kratix'] = fileDep(
      '@kratix-destinations/plugin-kratix',
    );
  });

  // The backend: one backend.add per backend package, before backend.start().
  const indexTs = path.join(appDir, 'packages/backend/src/index.ts');
  let index = fs.readFileSync(indexTs, 'utf8');
  if (!index.includes('backend.start();')) fail(check2, `no backend.start() in ${indexTs}`);
  index = index.replace(
    'backend.start();',
    `${BACKEND_PACKAGES.map(n => `backend.add(import('@kratix-destinations/${n}'));`).join('\n')}\n\nbackend.start();`,
  );
  fs.writeFileSync(indexTs, index);

  // The frontend: the plugin's default export is a feature for createApp, as in packages/app.
  const appTsx = path.join(appDir, 'packages/app/src/App.tsx');
  let app = fs.readFileSync(appTsx, 'utf8');
  if (!/features:\s*\[/.test(app))
    fail(check2, `no createApp({ features: [...] }) in ${appTsx}:\n${app}`);
  app = `import kratixPlugin from '@kratix-destinations/plugin-kratix';\n${app}`.replace(
    /features:\s*\[/,
    'features: [\n    kratixPlugin,\n    ',
  );
  fs.writeFileSync(appTsx, app);
  ok(check2);

  // 3. Install, type-check and build, as the app's README says.
  const check3 = 'installs, type-checks and builds the app with the packages';
  step(check3, 'yarn-install', 'yarn', ['install'], appDir);
  for (const name of Object.keys(tarballs)) {
    const pj = path.join(appDir, 'node_modules', name, 'package.json');
    if (!fs.existsSync(pj)) fail(check3, `${name} not installed (${pj})`);
  }
  step(check3, 'tsc', 'yarn', ['tsc'], appDir);
  step(check3, 'build-backend', 'yarn', ['build:backend'], appDir);
  ok(check3);

  // 4. Config: in-memory SQLite, guest sign-in, a git server for the State Store.
  const gitRoot = path.join(tmp, 'git');
  fs.mkdirSync(gitRoot);
  const bare = path.join(gitRoot, 'fleet.git');
  step(
    'starts the git server',
    'git-init',
    'git',
    ['init', '--quiet', '--bare', '--initial-branch=main', bare],
    tmp,
  );
  const gitPort = await freePort();
  const gitUser = 'kratix';
  const gitPassword = `install-${process.pid}`;
  startProcess(
    'git-server',
    process.execPath,
    [
      path.join(root, 'packages/state-store-servers/src/gitServer.cjs'),
      gitRoot,
      String(gitPort),
      gitUser,
      gitPassword,
    ],
    tmp,
  );
  await eventually(
    'starts the git server',
    async () =>
      (await fetch(`http://127.0.0.1:${gitPort}/fleet.git/info/refs?service=git-receive-pack`))
        .status === 401,
    30_000,
    300,
  );

  const entities = path.join(tmp, 'catalog', 'kratix.yaml');
  const template = path.join(tmp, 'catalog', 'template.yaml');
  fs.mkdirSync(path.join(tmp, 'catalog', 'skeleton'), { recursive: true });
  fs.writeFileSync(
    entities,
    yamlDocs([
      {
        apiVersion: API,
        kind: 'GitStateStore',
        metadata: { name: 'fleet' },
        spec: {
          url: `http://127.0.0.1:${gitPort}/fleet.git`,
          branch: 'main',
          secretRef: { name: 'fleet-git' },
        },
      },
      {
        apiVersion: API,
        kind: 'Destination',
        metadata: { name: 'dev-cluster', labels: { environment: 'dev' } },
        spec: { path: 'clusters/dev', stateStoreRef: { kind: 'GitStateStore', name: 'fleet' } },
      },
    ]),
  );
  fs.writeFileSync(
    template,
    yamlDocs([
      {
        apiVersion: 'scaffolder.backstage.io/v1beta3',
        kind: 'Template',
        metadata: { name: 'install-check', title: 'Install check' },
        spec: {
          owner: 'guests',
          type: 'resource',
          parameters: [{ required: ['name'], properties: { name: { type: 'string' } } }],
          steps: [
            {
              id: 'render',
              action: 'fetch:template',
              input: {
                url: './skeleton',
                targetPath: './out',
                values: { name: '${{ parameters.name }}' },
              },
            },
            {
              id: 'schedule',
              action: 'kratix:schedule',
              input: {
                promise: 'app',
                resource: '${{ parameters.name }}',
                sourcePath: './out',
                destinationSelectors: { environment: 'dev' },
              },
            },
          ],
        },
      },
    ]),
  );
  fs.writeFileSync(path.join(tmp, 'catalog', 'skeleton', 'app.yaml'), 'name: ${{ values.name }}\n');

  const port = await freePort();
  const baseUrl = `http://localhost:${port}`;
  const config = {
    app: { baseUrl },
    backend: {
      baseUrl,
      listen: { port },
      cors: { origin: baseUrl },
      database: { client: 'better-sqlite3', connection: ':memory:' },
    },
    auth: { providers: { guest: { dangerouslyAllowOutsideDevelopment: true } } },
    permission: { enabled: true },
    catalog: {
      rules: [
        {
          allow: [
            'Component',
            'System',
            'API',
            'Resource',
            'Location',
            'Template',
            'User',
            'Group',
          ],
        },
      ],
      locations: [
        { type: 'file', target: entities, rules: [{ allow: ['GitStateStore', 'Destination'] }] },
        { type: 'file', target: template, rules: [{ allow: ['Template'] }] },
      ],
    },
    kratix: {
      secrets: {
        'fleet-git': {
          allowedHosts: [`127.0.0.1:${gitPort}`],
          username: gitUser,
          password: gitPassword,
        },
      },
      reconcile: { frequency: { seconds: 2 } },
      workDir: path.join(tmp, 'kratix-work'),
    },
  };
  // JSON is YAML.
  fs.writeFileSync(
    path.join(appDir, 'app-config.local.yaml'),
    `${JSON.stringify(config, null, 2)}\n`,
  );
  ok('starts the git server and writes the app config');

  if (UI) {
    // The app's bundle, served by the stock backend's app plugin.
    step('builds the frontend', 'build-app', 'yarn', ['workspace', 'app', 'build'], appDir);
    ok('builds the frontend');
  }

  // 5. Start the backend as the app's README says (yarn start in packages/backend).
  const check5 = 'starts the backend with the Kratix plugins';
  startProcess('backend', 'yarn', ['start'], path.join(appDir, 'packages/backend'));
  await eventually(
    check5,
    async () => (await fetch(`${baseUrl}/.backstage/health/v1/readiness`)).ok,
    180_000,
  );
  await eventually(check5, async () => (await fetch(`${baseUrl}/api/kratix/health`)).ok, 30_000);
  ok(check5);

  // The stock backend refuses calls without a token: every call is the guest's.
  let guestToken;
  const api = async (p, init = {}) => {
    const headers = { ...init.headers };
    if (guestToken && !headers.authorization) headers.authorization = `Bearer ${guestToken}`;
    const res = await fetch(`${baseUrl}${p}`, { ...init, headers });
    const text = await res.text();
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    return { status: res.status, body };
  };

  const signIn = await api('/api/auth/guest/refresh', {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  guestToken = signIn.body?.backstageIdentity?.token;
  if (!guestToken)
    fail('signs in as the guest', `${signIn.status} ${JSON.stringify(signIn.body).slice(0, 500)}`);
  ok('signs in as the guest');

  await eventually(
    'the catalog has the GitStateStore, the Destination and the Template',
    async () => {
      for (const ref of [
        'gitstatestore/default/fleet',
        'destination/default/dev-cluster',
        'template/default/install-check',
      ]) {
        const r = await api(`/api/catalog/entities/by-name/${ref}`);
        if (r.status !== 200) throw new Error(`${ref}: ${r.status}`);
      }
      return true;
    },
    120_000,
  );
  ok('the catalog has the GitStateStore, the Destination and the Template');

  await eventually(
    'the Destination is ready',
    async () => {
      const r = await api('/api/kratix/destinations/dev-cluster');
      if (r.body?.ready !== true)
        throw new Error(
          `/api/kratix/destinations/dev-cluster: ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`,
        );
      return true;
    },
    120_000,
  );
  ok('the Destination is ready');

  // 6. The template through the scaffolder, as the guest.
  const check6 = 'runs the template as the guest: the task completes';
  const guest = await api('/api/auth/guest/refresh', {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  const token = guest.body?.backstageIdentity?.token;
  if (!token)
    fail(check6, `no guest token: ${guest.status} ${JSON.stringify(guest.body).slice(0, 500)}`);
  const created = await api('/api/scaffolder/v2/tasks', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      templateRef: 'template:default/install-check',
      values: { name: 'billing' },
    }),
  });
  if (created.status !== 201)
    fail(
      check6,
      `POST /api/scaffolder/v2/tasks: ${created.status} ${JSON.stringify(created.body)}`,
    );
  await eventually(
    check6,
    async () => {
      const t = await api(`/api/scaffolder/v2/tasks/${created.body.id}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (t.body?.status === 'failed' || t.body?.status === 'cancelled') {
        const events = await api(`/api/scaffolder/v2/tasks/${created.body.id}/events`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const messages = Array.isArray(events.body)
          ? events.body.map(e => e.body?.message).filter(Boolean)
          : [];
        fail(check6, `task ${t.body.status}:\n${messages.slice(-15).join('\n')}`);
      }
      if (t.body?.status !== 'completed') throw new Error(`task ${t.body?.status}`);
      return true;
    },
    120_000,
  );
  ok(check6);

  const file = 'clusters/dev/resources/default/app/billing/install-check/5058f/app.yaml';
  const check7 = `the file is in git at ${file}`;
  await eventually(
    check7,
    async () => {
      const r = spawnSync('git', ['--git-dir', bare, 'show', `main:${file}`], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr.trim());
      if (r.stdout !== 'name: billing\n') throw new Error(`content ${JSON.stringify(r.stdout)}`);
      return true;
    },
    60_000,
  );
  ok(check7);

  if (UI) {
    const check8 = "the Destination's Kratix tab lists the file (Chromium)";
    if (!fs.existsSync(CHROMIUM))
      fail(check8, `${CHROMIUM} not found (apt-get install chromium, or INSTALL_TEST_UI=0)`);
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    fs.mkdirSync(shots, { recursive: true });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    try {
      await page.goto(`${baseUrl}/`);
      // The stock app has no sign-in page (it signs in as guest by itself);
      // if one is shown, the guest provider's Enter button.
      const enter = page.getByRole('button', { name: /^enter$/i });
      if (
        await enter.waitFor({ timeout: 15_000 }).then(
          () => true,
          () => false,
        )
      )
        await enter.click();
      await page.goto(`${baseUrl}/catalog/default/destination/dev-cluster/kratix`);
      await page
        .getByText(/app\.yaml/)
        .first()
        .waitFor({ timeout: 60_000 });
      await page.screenshot({
        path: path.join(shots, 'install-destination-kratix.png'),
        fullPage: true,
      });
    } catch (e) {
      await page
        .screenshot({ path: path.join(shots, 'install-failure.png'), fullPage: true })
        .catch(() => {});
      await browser.close();
      fail(
        check8,
        `${e instanceof Error ? e.message : e}\n(screenshot: .test-results/screenshots/install-failure.png)`,
      );
    }
    await browser.close();
    ok(check8);
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    console.log(`install test: interrupted (${signal})`);
    await killAll();
    if (!KEEP) fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
    process.exit(1);
  });
}

let failed = false;
try {
  await main();
} catch (e) {
  failed = true;
  if (!(e instanceof CheckFailed)) console.log(`FAIL - ${e?.stack ?? e}`);
} finally {
  await killAll();
  if (KEEP) console.log(`kept ${tmp}`);
  else fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
}
const total = ((Date.now() - started) / 1000).toFixed(0);
if (failed) {
  console.log(
    `install test: FAILED after ${passed} checks ok, in ${total} s (logs in ${path.relative(root, logs)})`,
  );
  process.exit(1);
}
console.log(`install test: ${passed} checks ok in ${total} s`);
