import { createPrivateKey, createSign } from 'node:crypto';
import { StoreError } from '../errors';
import type { GitHttpAuth } from '../git/httpTransport';
import { assertApiBound } from './bindings';

export interface GithubAppSecret {
  appId: string;
  installationId: string;
  privateKey: string;
}

/** Re-mint this long before GitHub's expiry, so a token never expires mid-run. */
const REFRESH_BEFORE_MS = 10 * 60_000;

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** The App's JWT (RS256, iss = app ID, valid 10 minutes, issued a minute back for clock skew), as Kratix signs it. */
export function appJwt(app: GithubAppSecret, now = Date.now()): string {
  const iat = Math.floor(now / 1000) - 60;
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const payload = base64url(JSON.stringify({ iat, exp: iat + 600, iss: Number(app.appId) }));
  const key = createPrivateKey(app.privateKey.replace(/\\n/g, '\n'));
  const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(key);
  return `${header}.${payload}.${base64url(signature)}`;
}

/**
 * Installation tokens for `authMethod: githubApp` (secret keys appID,
 * installationID, privateKey): minted from the API of the store's GitHub
 * host and refreshed before they expire; git gets `x-access-token:<token>`.
 * The API's host must be on the secret's allowedHosts, checked here so that
 * no caller can send the JWT anywhere else.
 */
export class GithubAppTokens {
  private token?: { value: string; refreshAt: number };

  constructor(
    private readonly options: {
      store: string;
      app: GithubAppSecret;
      /** The token API: its base URL, where that came from and how to change it (for errors). */
      api: { url: string; from: string; fix: string };
      secretName: string;
      allowedHosts: string[];
    },
  ) {
    assertApiBound(
      options.store,
      { name: options.secretName, allowedHosts: options.allowedHosts },
      options.api,
    );
    if (!/^\d+$/.test(options.app.appId) || !/^\d+$/.test(options.app.installationId)) {
      throw new StoreError(
        `${options.store}: kratix.secrets.${options.secretName}.appID and installationID must be numbers`,
        'config',
      );
    }
    try {
      createPrivateKey(options.app.privateKey.replace(/\\n/g, '\n'));
    } catch {
      throw new StoreError(
        `${options.store}: kratix.secrets.${options.secretName}.privateKey is not a PEM private key (PKCS#1 or PKCS#8)`,
        'config',
      );
    }
  }

  async credentials(): Promise<GitHttpAuth> {
    if (!this.token || Date.now() >= this.token.refreshAt) this.token = await this.mint();
    return { username: 'x-access-token', password: this.token.value };
  }

  private async mint(): Promise<{ value: string; refreshAt: number }> {
    const { app, store, secretName } = this.options;
    const apiBaseUrl = this.options.api.url;
    const url = `${apiBaseUrl.replace(/\/+$/, '')}/app/installations/${app.installationId}/access_tokens`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        redirect: 'error',
        headers: {
          authorization: `Bearer ${appJwt(app)}`,
          accept: 'application/vnd.github+json',
          'user-agent': 'kratix-backstage',
        },
      });
    } catch (e: any) {
      throw new StoreError(
        `${store}: cannot reach the GitHub API at ${apiBaseUrl} to mint an installation token (${e?.cause?.code ?? e?.message})`,
        'unreachable',
      );
    }
    const body: any = await res.json().catch(() => ({}));
    if (res.status !== 201 && res.status !== 200) {
      throw new StoreError(
        `${store}: GitHub refused an installation token for app ${app.appId}, installation ${app.installationId} (HTTP ${res.status}${body?.message ? `: ${body.message}` : ''}); check kratix.secrets.${secretName} (appID, installationID, privateKey)`,
        'auth',
      );
    }
    const expires = Date.parse(body.expires_at);
    const refreshAt = Number.isNaN(expires)
      ? Date.now() + 30 * 60_000
      : expires - REFRESH_BEFORE_MS;
    return { value: String(body.token), refreshAt };
  }
}
