import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { StoreTls, tlsAgentOptions } from '../tls';

/** One store's connections: the https agent carries its TLS policy (CA bundles, verification). */
export interface HttpAgents {
  http: http.Agent;
  https: https.Agent;
}

export function createAgents(tls?: StoreTls): HttpAgents {
  return {
    http: new http.Agent({ keepAlive: true }),
    https: new https.Agent({ keepAlive: true, ...tlsAgentOptions(tls) }),
  };
}

export function destroyAgents(agents: HttpAgents): void {
  agents.http.destroy();
  agents.https.destroy();
}

/** As long as undici's fetch waits for headers and between body chunks before giving up. */
const IDLE_TIMEOUT_MS = 300_000;

/** Statuses whose response has no body (the Response constructor refuses one). */
const NO_BODY = new Set([101, 204, 205, 304]);

export interface AgentRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer;
}

function toResponse(res: http.IncomingMessage): Response {
  const headers = new Headers();
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    headers.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
  }
  const status = res.statusCode ?? 502;
  const body = NO_BODY.has(status) ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
  if (!body) res.resume();
  return new Response(body, { status, statusText: res.statusMessage ?? '', headers });
}

/**
 * fetch() over Node's http(s) with the store's own agents, so the TLS policy
 * of isomorphic-git's fetches and of our receive-pack pushes is one and the
 * same (the global fetch takes no CA bundle). Redirects are not followed:
 * boundFetch decides about them.
 */
export function agentFetch(
  url: string,
  init: AgentRequestInit,
  agents: HttpAgents,
): Promise<Response> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  const headers: Record<string, string> = { ...init.headers };
  if (init.body) headers['content-length'] = String(init.body.length);
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(
      target,
      { method: init.method ?? 'GET', headers, agent: secure ? agents.https : agents.http },
      res => {
        try {
          resolve(toResponse(res));
        } catch (e) {
          // A header Headers refuses (e.g. a non-Latin-1 value): fail this request, not the process.
          res.destroy();
          reject(e);
        }
      },
    );
    req.setTimeout(IDLE_TIMEOUT_MS, () =>
      req.destroy(Object.assign(new Error(`no answer from ${target.host}`), { code: 'ETIMEDOUT' })),
    );
    req.on('error', reject);
    req.end(init.body);
  });
}
