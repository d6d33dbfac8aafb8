import { ResponseError } from '@backstage/errors';
import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { KratixApi, WorkKey, WorkListQuery } from './KratixApi';

const workPath = (w: WorkKey) =>
  `/works/${encodeURIComponent(w.namespace)}/${encodeURIComponent(w.name)}`;

function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export class KratixClient implements KratixApi {
  constructor(private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {}

  private async call(path: string, init?: RequestInit): Promise<Response> {
    const base = await this.deps.discoveryApi.getBaseUrl('kratix');
    return this.deps.fetchApi.fetch(`${base}${path}`, init);
  }

  private async json<T>(path: string, init?: RequestInit): Promise<T | undefined> {
    const res = await this.call(path, init);
    if (res.status === 404) return undefined;
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return res.json();
  }

  private async required<T>(path: string, init?: RequestInit): Promise<T> {
    const res = await this.call(path, init);
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return res.json();
  }

  listWorks(q: WorkListQuery) {
    return this.required<any>(
      `/works${query({ search: q.search, destination: q.destination, limit: q.limit, cursor: q.cursor })}`,
    );
  }

  getWork(w: WorkKey) {
    return this.json<any>(workPath(w));
  }

  async getWorkHistory(w: WorkKey) {
    return (await this.json<any>(`${workPath(w)}/history`))?.items ?? [];
  }

  previewWork(w: WorkKey) {
    return this.required<any>(`${workPath(w)}/preview`, { method: 'POST' });
  }

  async deleteWork(w: WorkKey): Promise<void> {
    const res = await this.call(workPath(w), { method: 'DELETE' });
    if (!res.ok) throw await ResponseError.fromResponse(res);
  }

  getDestination(name: string) {
    return this.json<any>(`/destinations/${encodeURIComponent(name)}`);
  }

  listPlacements(destination: string, page: { limit: number; cursor?: string }) {
    return this.required<any>(
      `/destinations/${encodeURIComponent(destination)}/placements${query(page)}`,
    );
  }

  getDestinationFiles(destination: string) {
    return this.json<any>(`/destinations/${encodeURIComponent(destination)}/files`);
  }

  async getFileContent(destination: string, path: string): Promise<string> {
    const res = await this.call(
      `/destinations/${encodeURIComponent(destination)}/files/content${query({ path })}`,
    );
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return res.text();
  }

  getStateStore(kind: string, name: string, namespace = 'default') {
    return this.json<any>(
      `/statestores/${encodeURIComponent(kind)}/${encodeURIComponent(name)}${query({ namespace })}`,
    );
  }
}
