import { NotFoundError } from '@backstage/errors';
import {
  DestinationView,
  Page,
  PlacementEventView,
  PlacementView,
  stateStoreLabel,
  StateStoreView,
  WorkView,
  CredentialSourceView,
  GitStateStoreSpec,
} from '@kratix-destinations/plugin-kratix-common';
import type {
  KratixStore,
  PageRequest,
  StoredDestination,
  StoredPlacement,
  StoredStateStore,
  WorkKey,
} from '../database';
import { destinationView, placementView, stateStoreView, ViewContext, workView } from './views';
import { WebLinks } from './webLinks';

/** Reads what a view needs, with indexed queries: one work, one Destination, one page. */
export class ViewLoader {
  constructor(
    private readonly db: KratixStore,
    private readonly links: WebLinks,
  ) {}

  private async context(
    placements: StoredPlacement[],
    extraDestinations: string[] = [],
  ): Promise<ViewContext> {
    const works = await this.db.works.getMany(
      placements.map(p => ({ namespace: p.workNamespace, name: p.workName })),
    );
    const names = [...new Set([...placements.map(p => p.destination), ...extraDestinations])];
    const destinations = new Map(
      (await this.db.destinations.list({ includeDeleted: true, names })).map(d => [d.name, d]),
    );
    const refs = new Set([
      ...placements.map(p => p.stateStore),
      ...placements.flatMap(p => (p.written ? [p.written.store] : [])),
    ]);
    const stores = new Map();
    for (const ref of refs) {
      const s = await this.db.stateStores.get(ref);
      if (s) stores.set(ref, s);
    }
    return { works, destinations, stores, links: this.links };
  }

  async work(
    key: WorkKey,
    canSeeDestination: (d: StoredDestination) => boolean = () => true,
  ): Promise<WorkView> {
    const work = await this.db.works.get(key);
    if (!work) throw new NotFoundError(`work ${key.namespace}/${key.name} not found`);
    const placements = await this.db.placements.list({ work: key });
    const ctx = await this.context(placements);
    ctx.works.set(`${key.namespace}/${key.name}`, work);
    const visible = placements.filter(p => {
      const d = ctx.destinations.get(p.destination);
      return !d || canSeeDestination(d);
    });
    return workView(work, visible, ctx);
  }

  async history(key: WorkKey): Promise<PlacementEventView[]> {
    const events = await this.db.events.list({ work: key });
    const stores = new Map<string, GitStateStoreSpec | undefined>();
    for (const ref of new Set(events.map(e => e.stateStore))) {
      const s = await this.db.stateStores.get(ref);
      stores.set(ref, s?.kind === 'GitStateStore' ? (s.spec as GitStateStoreSpec) : undefined);
    }
    return events.map(e => {
      const git = stores.get(e.stateStore);
      return {
        at: e.at,
        action: e.action,
        destination: e.destination,
        stateStore: stateStoreLabel(e.stateStore),
        version: e.version,
        actor: e.actor,
        message: e.message,
        webUrl: git && e.version ? this.links.commit(git.url, e.version) : undefined,
      };
    });
  }

  async placements(destination: string, page: PageRequest): Promise<Page<PlacementView>> {
    const result = await this.db.placements.page({ destination }, page);
    const ctx = await this.context(result.items, [destination]);
    return {
      items: result.items.map(p => placementView(p, ctx)),
      totalCount: result.totalCount,
      nextCursor: result.nextCursor,
    };
  }

  async destination(d: StoredDestination, page: PageRequest): Promise<DestinationView> {
    const [counts, placements, store] = await Promise.all([
      this.db.placements.countsByDestination([d.name]),
      this.placements(d.name, page),
      this.db.stateStores.get(d.stateStore),
    ]);
    return destinationView(
      d,
      counts.get(d.name),
      placements,
      store && !store.deletedAt ? store : undefined,
    );
  }

  /** A store's page, naming and counting only the Destinations `canSee` allows. */
  async stateStore(
    ref: string,
    credentials: (s: StoredStateStore) => CredentialSourceView,
    canSee: (d: StoredDestination) => boolean,
  ): Promise<StateStoreView> {
    const s = await this.db.stateStores.get(ref);
    if (!s || s.deletedAt)
      throw new NotFoundError(`${stateStoreLabel(ref)} not found; is it in the catalog and valid?`);
    const destinations = (await this.db.destinations.list({ stateStore: ref })).filter(canSee);
    const byDestination = await this.db.placements.countsByDestination(
      destinations.map(d => d.name),
    );
    const total: Record<string, number> = {};
    for (const c of byDestination.values())
      for (const [k, v] of Object.entries(c)) total[k] = (total[k] ?? 0) + v;
    return stateStoreView(s, destinations, total, credentials(s));
  }
}
