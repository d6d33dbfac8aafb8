import git from 'isomorphic-git';
import { ErrorContext, redact, StoreError, storeError } from '../errors';
import { StoreTls } from '../tls';
import { createAgents, destroyAgents, HttpAgents } from './agentFetch';
import { boundFetch, boundHttpClient } from './boundHttp';
import { LocalRepo } from './localRepo';
import { BuiltPack } from './pack';
import { parseReceivePackReply, receivePackRequest } from './receivePack';
import { GitTransport, PushOutcome } from './transport';

/** What git sends over HTTP: Basic credentials, or a whole Authorization header (Bearer). */
export type GitHttpAuth = { username: string; password: string } | { authorization: string };

/** Resolved before each request, so short-lived tokens (GitHub Apps) stay fresh. */
export type GitHttpCredentials = () => Promise<GitHttpAuth | undefined>;

export interface HttpTransportOptions {
  /** `GitStateStore/<name>` */
  store: string;
  url: string;
  credentials?: GitHttpCredentials;
  /** What to check when access is denied, e.g. the secret or integration to fix. */
  authHint: string;
  /** How certificates of an https:// URL are checked; default: against Node's roots. */
  tls?: StoreTls;
}

function authorization(auth: GitHttpAuth | undefined): string | undefined {
  if (!auth) return undefined;
  if ('authorization' in auth) return auth.authorization;
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
}

/** Smart HTTP: isomorphic-git fetches, our own receive-pack request pushes. */
export class HttpGitTransport implements GitTransport {
  readonly target: string;
  private secrets: string[] = [];
  /** Fetches and pushes share these, so both follow the store's TLS policy. */
  private readonly who: { store: string; agents: HttpAgents };

  constructor(private readonly options: HttpTransportOptions) {
    this.target = options.url;
    this.who = { store: options.store, agents: createAgents(options.tls) };
  }

  private async headers(): Promise<Record<string, string>> {
    const auth = await this.options.credentials?.();
    const value = authorization(auth);
    this.secrets = auth ? [value!, 'password' in auth ? auth.password : auth.authorization] : [];
    return { 'user-agent': 'git/kratix-backstage', ...(value ? { authorization: value } : {}) };
  }

  private context(): ErrorContext {
    return {
      store: this.options.store,
      target: this.target,
      authHint: this.options.authHint,
      secrets: this.secrets,
      caKeys: this.options.tls?.caKeys,
    };
  }

  private explain(e: any, doing: string): StoreError {
    const status = e?.data?.statusCode ?? e?.statusCode;
    const denied = e?.code === 'UserCanceledError' ? 'auth' : undefined;
    return storeError(this.context(), doing, e, status ?? (denied ? 401 : undefined), denied);
  }

  async fetch(repo: LocalRepo, branch: string, first: boolean): Promise<string | undefined> {
    let result;
    try {
      result = await git.fetch({
        fs: repo.fs,
        http: boundHttpClient(this.who),
        gitdir: repo.gitdir,
        cache: repo.isoCache,
        remote: 'origin',
        url: this.options.url,
        ref: branch,
        remoteRef: branch,
        singleBranch: true,
        tags: false,
        // Depth only on the first fetch: with it, later fetches download the whole snapshot again.
        ...(first ? { depth: 1 } : {}),
        headers: await this.headers(),
        onAuth: () => ({ cancel: true }),
      });
    } catch (e: any) {
      if (e?.code === 'NotFoundError' && /refs\/heads/.test(String(e.message))) return undefined;
      throw this.explain(e, 'fetching');
    }
    return result.fetchHead ?? undefined;
  }

  async push(
    _repo: LocalRepo,
    args: { branch: string; oldOid?: string; newOid: string; pack: BuiltPack },
  ): Promise<PushOutcome> {
    let reply: Buffer;
    try {
      const res = await boundFetch(
        `${this.options.url.replace(/\/+$/, '')}/git-receive-pack`,
        {
          method: 'POST',
          headers: {
            ...(await this.headers()),
            'content-type': 'application/x-git-receive-pack-request',
            accept: 'application/x-git-receive-pack-result',
          },
          body: receivePackRequest({ ...args, pack: args.pack.pack }),
        },
        this.who,
      );
      reply = Buffer.from(await res.arrayBuffer());
      if (res.status !== 200)
        throw Object.assign(new Error(`HTTP ${res.status}`), { statusCode: res.status });
    } catch (e) {
      throw this.explain(e, 'pushing to');
    }
    const report = parseReceivePackReply(reply, args.branch);
    if (report.ok) return { ok: true };
    if (report.race) return { ok: false, reason: report.reason };
    throw refusal(
      this.options.store,
      this.target,
      args.branch,
      report.reason,
      report.remote,
      this.secrets,
    );
  }

  async checkWrite(): Promise<void> {
    // http-backend (and hosted servers) advertise receive-pack only to a user allowed to push.
    let res: Response;
    try {
      res = await boundFetch(
        `${this.options.url.replace(/\/+$/, '')}/info/refs?service=git-receive-pack`,
        { headers: await this.headers() },
        this.who,
      );
      await res.arrayBuffer();
    } catch (e) {
      throw this.explain(e, 'checking write access to');
    }
    if (res.status !== 200) {
      throw this.explain(
        { statusCode: res.status, message: `HTTP ${res.status}` },
        'checking write access to',
      );
    }
  }

  async close(): Promise<void> {
    destroyAgents(this.who.agents);
  }
}

/**
 * A push the server refused for its content: only the placements in it fail,
 * with the server's own words (a hook may echo anything: credentials it was
 * sent are redacted).
 */
export function refusal(
  store: string,
  target: string,
  branch: string,
  reason: string,
  remote: string[],
  secrets: (string | undefined)[] = [],
) {
  const said = remote.length
    ? `: ${remote.map(l => l.replace(/^remote:\s*/, '')).join(' / ')}`
    : '';
  return new StoreError(
    redact(`${store}: ${target} refused the push to ${branch} (${reason})${said}`, secrets),
    'refused',
  );
}
