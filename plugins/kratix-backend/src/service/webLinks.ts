import { ScmIntegrationRegistry } from '@backstage/integration';

/**
 * Links into a Git host's web UI, where Backstage's integrations know the
 * host: a file (or directory) at a branch, and a commit. Undefined elsewhere.
 */
export class WebLinks {
  constructor(private readonly integrations: ScmIntegrationRegistry) {}

  private repo(url: string): { type: string; base: string } | undefined {
    let integration;
    try {
      integration = this.integrations.byUrl(url);
    } catch {
      return undefined;
    }
    if (!integration || !/^https?:/.test(url)) return undefined;
    return { type: integration.type, base: url.replace(/\.git$/, '').replace(/\/+$/, '') };
  }

  file(url: string, branch: string, path: string): string | undefined {
    const r = this.repo(url);
    if (!r) return undefined;
    const p = path.split('/').map(encodeURIComponent).join('/');
    switch (r.type) {
      case 'github':
      case 'gitea':
        return `${r.base}/${r.type === 'gitea' ? 'src/branch' : 'tree'}/${encodeURIComponent(branch)}/${p}`;
      case 'gitlab':
        return `${r.base}/-/tree/${encodeURIComponent(branch)}/${p}`;
      case 'bitbucketCloud':
        return `${r.base}/src/${encodeURIComponent(branch)}/${p}`;
      case 'bitbucketServer':
        return `${r.base.replace(/\/scm\/([^/]+)\/([^/]+)$/, '/projects/$1/repos/$2')}/browse/${p}?at=${encodeURIComponent(`refs/heads/${branch}`)}`;
      case 'azure':
        return `${r.base}?path=/${encodeURIComponent(path)}&version=GB${encodeURIComponent(branch)}`;
      default:
        return undefined;
    }
  }

  commit(url: string, sha: string): string | undefined {
    const r = this.repo(url);
    if (!r) return undefined;
    switch (r.type) {
      case 'github':
      case 'gitea':
        return `${r.base}/commit/${sha}`;
      case 'gitlab':
        return `${r.base}/-/commit/${sha}`;
      case 'bitbucketCloud':
        return `${r.base}/commits/${sha}`;
      case 'bitbucketServer':
        return `${r.base.replace(/\/scm\/([^/]+)\/([^/]+)$/, '/projects/$1/repos/$2')}/commits/${sha}`;
      case 'azure':
        return `${r.base}/commit/${sha}`;
      default:
        return undefined;
    }
  }
}
