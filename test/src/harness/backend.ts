import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import yaml from 'yaml';

export const ROOT = path.resolve(require.resolve('@internal/e2e-tests/package.json'), '../..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface RunningBackend {
  baseUrl: string;
  /** The backend process, for measuring its CPU and memory. */
  pid: number;
  token: string;
  /** Everything the process printed so far, without terminal colours. */
  logs(): string;
  /** A user's token, signed in through the test identities (user and group names in default). */
  userToken(user: string, groups?: string[]): Promise<string>;
  /** Calls the backend with the static token; `token: null` sends none. */
  api(
    p: string,
    init?: RequestInit & { json?: unknown; token?: string | null },
  ): Promise<{ status: number; body: any; text: string }>;
  stop(): Promise<void>;
  /** SIGKILL, as a crash: no shutdown hooks run. */
  kill(): Promise<void>;
}

export interface BackendOptions {
  /** Extra app-config, deep-merged over the test defaults. */
  config?: Record<string, any>;
  /** Environment for `${VAR}` substitutions (secrets). */
  env?: Record<string, string>;
  /** File locations for the catalog (absolute paths). */
  locations?: string[];
  database?: Record<string, any>;
}

function merge(a: any, b: any): any {
  if (Array.isArray(b) || typeof b !== 'object' || b === null) return b;
  const out = { ...(a ?? {}) };
  for (const [k, v] of Object.entries(b)) out[k] = merge(out[k], v);
  return out;
}

/** Starts the real backend (packages/backend) in its own process on a free port. */
export async function startBackend(options: BackendOptions = {}): Promise<RunningBackend> {
  const port = await freePort();
  const token = `e2e-token-${Math.random().toString(36).slice(2)}`;
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-e2e-'));
  const base = {
    app: { baseUrl: `http://localhost:${port}` },
    backend: {
      baseUrl: `http://localhost:${port}`,
      listen: { port, host: '127.0.0.1' },
      database: options.database ?? { client: 'better-sqlite3', connection: ':memory:' },
      auditor: { severityLogLevelMappings: { low: 'info', medium: 'info' } },
      auth: {
        externalAccess: [
          { type: 'static', options: { token: '${KRATIX_E2E_TOKEN}', subject: 'e2e' } },
        ],
      },
    },
    auth: {
      environment: 'development',
      providers: { guest: { dangerouslyAllowOutsideDevelopment: true } },
    },
    catalog: {
      processingInterval: { seconds: 1 },
      orphanStrategy: 'delete',
      rules: [
        {
          allow: [
            'Component',
            'Location',
            'Template',
            'User',
            'Group',
            'Destination',
            'GitStateStore',
            'BucketStateStore',
          ],
        },
      ],
      locations: (options.locations ?? []).map(target => ({ type: 'file', target })),
    },
    scaffolder: { defaultAuthor: { name: 'kratix', email: 'kratix@example.com' } },
    kratix: {
      reconcile: {
        frequency: { seconds: 1 },
        catalogFrequency: { seconds: 1 },
        // Catalog changes reach the plugin by the catalog module's signal and by counts, never by this read.
        catalogReadInterval: { hours: 1 },
        fullSyncInterval: { seconds: 3 },
      },
      workDir: path.join(dir, 'work'),
    },
  };
  const configFile = path.join(dir, 'app-config.yaml');
  await fs.promises.writeFile(configFile, yaml.stringify(merge(base, options.config ?? {})));
  let output = '';
  const child: ChildProcess = spawn(
    process.execPath,
    [
      require
        .resolve('@backstage/cli-node/config/nodeTransform.cjs', { paths: [ROOT] })
        .replace(/^/, '--require='),
      path.join(ROOT, 'test/src/harness/backendEntry.ts'),
      '--config',
      configFile,
    ],
    {
      cwd: path.join(ROOT, 'packages/backend'),
      env: {
        ...process.env,
        NODE_ENV: 'development',
        LOG_LEVEL: 'info',
        KRATIX_E2E_TOKEN: token,
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout!.on('data', d => {
    output += d;
  });
  child.stderr!.on('data', d => {
    output += d;
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(
        `backend exited with ${child.exitCode}:\n${output.slice(0, 3000)}\n...\n${output.slice(-3000)}`,
      );
    try {
      const r = await fetch(`${baseUrl}/.backstage/health/v1/readiness`);
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(
        `backend not ready after 120 s:\n${output.slice(0, 3000)}\n...\n${output.slice(-3000)}`,
      );
    await new Promise(r => setTimeout(r, 250));
  }
  return {
    baseUrl,
    pid: child.pid!,
    token,
    logs: () => stripVTControlCharacters(output),
    async userToken(user, groups = []) {
      const res = await fetch(`${baseUrl}/api/auth/test-users/refresh`, {
        headers: {
          'x-test-user': user,
          'x-test-groups': groups.join(','),
          'x-requested-with': 'XMLHttpRequest',
        },
      });
      if (res.status !== 200)
        throw new Error(`sign-in as ${user} failed: HTTP ${res.status} ${await res.text()}`);
      return (await res.json()).backstageIdentity.token;
    },
    async api(p, init = {}) {
      const { json, token: t, ...rest } = init;
      const headers: Record<string, string> = { ...(rest.headers as Record<string, string>) };
      if (t !== null) headers.authorization = `Bearer ${t ?? token}`;
      if (json !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${baseUrl}${p}`, {
        ...rest,
        headers,
        body: json !== undefined ? JSON.stringify(json) : rest.body,
      });
      const text = await res.text();
      let body: any;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      return { status: res.status, body, text };
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise(r => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      await fs.promises.rm(dir, { recursive: true, force: true });
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise(r => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await fs.promises.rm(dir, { recursive: true, force: true });
    },
  };
}

/** Retries `check` until it stops throwing. */
export async function eventually<T>(
  check: () => Promise<T>,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw Object.assign(
        new Error(`${what} not met after ${timeoutMs} ms: ${(last as Error)?.message}`),
        { cause: last },
      );
    }
    await new Promise(r => setTimeout(r, 300));
  }
}

/** Writes YAML documents to a file (a catalog location). */
export async function writeEntities(file: string, docs: unknown[]): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  await fs.promises.writeFile(file, docs.map(d => yaml.stringify(d)).join('---\n'));
}

/** A `kratix.secrets` entry for the test servers, bound to 127.0.0.1: git basic auth and/or S3 keys. */
export function testSecret(servers: {
  git?: { username: string; password: string };
  s3?: { accessKeyId: string; secretAccessKey: string };
}): Record<string, unknown> {
  return {
    allowedHosts: ['127.0.0.1'],
    ...(servers.git ? { username: servers.git.username, password: servers.git.password } : {}),
    ...(servers.s3
      ? { accessKeyID: servers.s3.accessKeyId, secretAccessKey: servers.s3.secretAccessKey }
      : {}),
  };
}

/** Waits until `count` Destinations are ready in the API. */
export async function readyDestinations(backend: RunningBackend, count: number): Promise<void> {
  await eventually(
    async () => {
      const { body } = await backend.api('/api/kratix/destinations');
      if (body.items.filter((d: any) => d.ready).length !== count) {
        throw new Error(
          `${count} Destinations not ready yet: ${JSON.stringify(body.items.map((d: any) => [d.name, d.ready]))}`,
        );
      }
    },
    120_000,
    `${count} Destinations ready`,
  );
}
