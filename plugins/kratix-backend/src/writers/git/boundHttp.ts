import { StoreError } from '../errors';
import { AgentRequestInit, agentFetch, HttpAgents } from './agentFetch';

/** Redirects followed within one origin; a redirect to another origin is refused. */
const MAX_REDIRECTS = 5;

/**
 * fetch() that never carries a request to another origin: credentials go in
 * the request's headers, so following a cross-origin redirect could hand
 * them to another server. Same-origin redirects (a renamed repository) are
 * followed.
 */
export async function boundFetch(
  url: string,
  init: AgentRequestInit,
  who: { store: string; agents: HttpAgents },
): Promise<Response> {
  const origin = new URL(url).origin;
  let current = url;
  for (let i = 0; ; i++) {
    const res = await agentFetch(current, init, who.agents);
    const location = res.status >= 300 && res.status < 400 ? res.headers.get('location') : null;
    if (!location) return res;
    await res.arrayBuffer().catch(() => undefined);
    const next = new URL(location, current);
    if (next.origin !== origin) {
      throw new StoreError(
        `${who.store}: ${origin} redirected to ${next.origin}; credentials are never sent to another origin, so set spec.url to the repository's final URL`,
        'config',
      );
    }
    if (i >= MAX_REDIRECTS)
      throw new StoreError(`${who.store}: too many redirects from ${url}`, 'config');
    current = next.href;
  }
}

async function* chunksOf(
  body: ReadableStream<Uint8Array> | null,
): AsyncIterableIterator<Uint8Array> {
  if (!body) return;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    if (value) yield value;
  }
}

async function collect(body: any): Promise<Buffer | undefined> {
  if (!body) return undefined;
  const parts: Uint8Array[] = [];
  for await (const chunk of body) parts.push(chunk);
  return Buffer.concat(parts);
}

/** isomorphic-git's HttpClient over boundFetch. */
export function boundHttpClient(who: { store: string; agents: HttpAgents }) {
  return {
    async request(req: {
      url: string;
      method?: string;
      headers?: Record<string, string>;
      body?: any;
    }) {
      const body = await collect(req.body);
      const res = await boundFetch(
        req.url,
        { method: req.method ?? 'GET', headers: req.headers, body },
        who,
      );
      const headers: Record<string, string> = {};
      res.headers.forEach((v, k) => {
        headers[k] = v;
      });
      return {
        url: res.url || req.url,
        method: req.method ?? 'GET',
        statusCode: res.status,
        statusMessage: res.statusText,
        headers,
        body: chunksOf(res.body),
      };
    },
  };
}
