import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { SOURCES } from './sources';

export interface CapturedRequest {
  method: string;
  /** The request target as sent, e.g. `/repo.git/info/refs?service=git-upload-pack`. */
  url: string;
  httpVersion: string;
  /** Node's parsed headers: lower-case names. */
  headers: Record<string, string | string[] | undefined>;
  /** Names and values as sent, alternating. */
  rawHeaders: string[];
  /** The Host header, e.g. `127.0.0.1:PORT` or `bucket.127.0.0.1:PORT`. */
  host?: string;
  /** The Authorization header, e.g. `Basic ...` or `AWS4-HMAC-SHA256 Credential=...`. */
  authorization?: string;
  bodyLength: number;
  /** The body decoded as UTF-8 (lossy for binary bodies; use bodyLength for size). */
  body: string;
}

export type CaptureResponse =
  /** 401 with `WWW-Authenticate: Basic realm="x"` (the default). */
  | 'unauthorized'
  /** 200 `ok`. */
  | 'ok'
  | {
      /**
       * Where to redirect. By default the request's own path and query are
       * appended (`redirectTo` + `req.url`), which is what a git client needs
       * to follow a redirect of `info/refs`; set keepPath: false to send
       * exactly this URL.
       */
      redirectTo: string;
      /** Default 302. */
      status?: 301 | 302 | 307 | 308;
      keepPath?: boolean;
    };

export interface CaptureServer {
  /** e.g. http://127.0.0.1:PORT */
  url: string;
  port: number;
  /** Every request received so far, oldest first. */
  requests(): Promise<CapturedRequest[]>;
  /** Forgets the requests received so far. */
  clear(): Promise<void>;
  stop(): Promise<void>;
}

function serverScript(name: string): string {
  // The servers run from source (tests, the demo), so the .cjs files sit next
  // to this module.
  // eslint-disable-next-line no-restricted-syntax
  return path.join(SOURCES, name);
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise(resolve => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

/**
 * Starts an HTTP listener on 127.0.0.1 in a child process that records every
 * request and answers as `respond` says: by default 401 with a Basic
 * challenge, to see whether a client offers credentials it should not.
 */
export async function startCaptureServer(
  options: { respond?: CaptureResponse; port?: number } = {},
): Promise<CaptureServer> {
  const child = spawn(process.execPath, [serverScript('captureServer.cjs')], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', d => {
    stderr += d;
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', d => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        try {
          resolve(JSON.parse(out.slice(0, nl)).port);
        } catch (e) {
          reject(new Error(`capture server: unexpected output ${out}`));
        }
      }
    });
    child.on('error', reject);
    child.on('exit', code => reject(new Error(`capture server exited with ${code}: ${stderr}`)));
    child.send({
      port: options.port ?? 0,
      respond: options.respond ?? 'unauthorized',
    });
  });

  let nextId = 0;
  const ask = <T>(type: string, pick: (msg: any) => T): Promise<T> =>
    new Promise((resolve, reject) => {
      if (!child.connected) {
        reject(new Error(`capture server is not running: ${stderr}`));
        return;
      }
      const id = ++nextId;
      let onMessage: (msg: any) => void = () => {};
      let onExit: () => void = () => {};
      const cleanup = () => {
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      onMessage = msg => {
        if (msg && msg.type === type && msg.id === id) {
          cleanup();
          resolve(pick(msg));
        }
      };
      onExit = () => {
        cleanup();
        reject(new Error(`capture server exited: ${stderr}`));
      };
      child.on('message', onMessage);
      child.on('exit', onExit);
      child.send({ type, id });
    });

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests: () => ask('requests', msg => msg.requests as CapturedRequest[]),
    clear: () => ask('clear', () => undefined),
    stop: () => stopChild(child),
  };
}
