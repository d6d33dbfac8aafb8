import {
  DefaultAzureDevOpsCredentialsProvider,
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { StoreError } from '../errors';
import type { GitHttpAuth, GitHttpCredentials } from '../git/httpTransport';
import { assertIntegrationRepository } from './bindings';

export interface IntegrationCredentials {
  /** The integration's host: credentials are bound to it by construction. */
  host: string;
  type: string;
  credentials: GitHttpCredentials;
}

/**
 * Git credentials from Backstage's `integrations` config for a repository
 * URL, mapped to what git over HTTPS expects from each host type; undefined
 * when no integration for the URL's host holds credentials. They serve every
 * plugin on the host, so Kratix uses them only for the repositories listed in
 * `kratix.integrations.allowedRepositories` (`allowedRepositories`).
 */
export class IntegrationGitCredentials {
  private readonly github: DefaultGithubCredentialsProvider;
  private readonly azure: DefaultAzureDevOpsCredentialsProvider;

  constructor(
    private readonly integrations: ScmIntegrations,
    private readonly allowedRepositories: string[],
  ) {
    this.github = DefaultGithubCredentialsProvider.fromIntegrations(integrations);
    this.azure = DefaultAzureDevOpsCredentialsProvider.fromIntegrations(integrations);
  }

  /** The GitHub API that mints App tokens for a host (GitHub Enterprise: from the integration), and where that came from. */
  githubApi(host: string): { url: string; from: string; fix: string } {
    const fallback = host === 'github.com' ? 'https://api.github.com' : `https://${host}/api/v3`;
    // ScmIntegrations always holds github.com, with GitHub's own API: that is not a setting.
    const configured = this.integrations.github.byHost(host)?.config.apiBaseUrl;
    if (configured && configured !== fallback) {
      return {
        url: configured,
        from: `from integrations.github apiBaseUrl for ${host}`,
        fix: 'or correct the apiBaseUrl',
      };
    }
    return {
      url: fallback,
      from: `GitHub's default API for ${host}`,
      fix: `or set apiBaseUrl under integrations.github for ${host}`,
    };
  }

  forUrl(store: string, url: string): IntegrationCredentials | undefined {
    const u = new URL(url);
    const integration = this.integrations.byUrl(u);
    if (!integration) return undefined;
    const basic = (username: string, password?: string): GitHttpCredentials | undefined =>
      password ? async () => ({ username, password }) : undefined;
    const bearer = (token?: string): GitHttpCredentials | undefined =>
      token ? async () => ({ authorization: `Bearer ${token}` }) : undefined;
    const c: any = (integration as any).config;
    let credentials: GitHttpCredentials | undefined;
    switch (integration.type) {
      case 'github':
        credentials = this.githubCredentials(store, url, c);
        break;
      case 'gitlab':
        credentials = basic('oauth2', c.token);
        break;
      case 'bitbucketServer':
        credentials = bearer(c.token) ?? (c.username ? basic(c.username, c.password) : undefined);
        break;
      case 'bitbucketCloud':
        credentials = c.username ? basic(c.username, c.token ?? c.appPassword) : undefined;
        break;
      case 'azure':
        credentials = this.azureCredentials(store, url, c);
        break;
      case 'gitea':
      case 'gerrit':
        credentials = c.username ? basic(c.username, c.password) : undefined;
        break;
      default:
        credentials = undefined;
    }
    if (!credentials) return undefined;
    assertIntegrationRepository(store, this.allowedRepositories, url, u.host);
    return { host: u.host, type: integration.type, credentials };
  }

  private githubCredentials(store: string, url: string, c: any): GitHttpCredentials | undefined {
    if (!c.token && !(c.apps?.length > 0)) return undefined;
    // The provider answers a URL without owner/repo with the App's own JWT: never ask it that.
    const path = new URL(url).pathname.split('/').filter(Boolean);
    if (path.length < 2) {
      throw new StoreError(
        `${store}: spec.url must name the repository (https://host/owner/repo.git)`,
        'config',
      );
    }
    return async (): Promise<GitHttpAuth> => {
      const creds = await this.github.getCredentials({ url });
      if (!creds.token) {
        throw new StoreError(
          `${store}: the GitHub integration for ${new URL(url).host} has no token or app installation for ${path[0]}; add one under integrations.github`,
          'auth',
        );
      }
      return { username: 'x-access-token', password: creds.token };
    };
  }

  private azureCredentials(store: string, url: string, c: any): GitHttpCredentials | undefined {
    if (!c.credentials?.length) return undefined;
    return async (): Promise<GitHttpAuth> => {
      const creds = await this.azure.getCredentials({ url });
      if (!creds)
        throw new StoreError(
          `${store}: no Azure DevOps credential in integrations.azure matches ${url}`,
          'auth',
        );
      return creds.type === 'pat'
        ? { username: 'notempty', password: creds.token }
        : { authorization: `Bearer ${creds.token}` };
    };
  }
}
