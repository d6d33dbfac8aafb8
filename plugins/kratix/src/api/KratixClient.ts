import { ResponseError } from '@backstage/errors';
import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { DestinationStatus, KratixApi, StateStoreStatus, Work } from './KratixApi';

export class KratixClient implements KratixApi {
  constructor(private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {}

  private async call(path: string, init?: RequestInit): Promise<Response> {
    const base = await this.deps.discoveryApi.getBaseUrl('kratix');
    return this.deps.fetchApi.fetch(`${base}${path}`, init);
  }

  private async json<T>(path: string): Promise<T | undefined> {
    const res = await this.call(path);
    if (res.status === 404) return undefined;
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return res.json();
  }

  async listWorks(): Promise<Work[]> {
    return (await this.json<{ items: Work[] }>('/works'))?.items ?? [];
  }

  async deleteWork(work: { namespace: string; name: string }): Promise<void> {
    const res = await this.call(
      `/works/${encodeURIComponent(work.namespace)}/${encodeURIComponent(work.name)}`,
      { method: 'DELETE' },
    );
    if (!res.ok) throw await ResponseError.fromResponse(res);
  }

  getDestination(name: string): Promise<DestinationStatus | undefined> {
    return this.json(`/destinations/${encodeURIComponent(name)}`);
  }

  getStateStore(
    kind: string,
    name: string,
    namespace = 'default',
  ): Promise<StateStoreStatus | undefined> {
    return this.json(
      `/statestores/${encodeURIComponent(kind)}/${encodeURIComponent(name)}?namespace=${encodeURIComponent(namespace)}`,
    );
  }
}
