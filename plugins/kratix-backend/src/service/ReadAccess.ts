import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import { AuthorizeResult, PolicyDecision } from '@backstage/plugin-permission-common';
import { createConditionTransformer } from '@backstage/plugin-permission-node';
import { kratixWorkRules } from '@kratix-destinations/plugin-kratix-node';
import { decodeCursor, encodeCursor } from '../database';
import type {
  DestinationFilter,
  KratixStore,
  PageRequest,
  Paged,
  StoredDestination,
  StoredWork,
  WorkFilter,
  WorkKey,
  WorkScope,
} from '../database';
import { DestinationCache } from '../reconciler';
import { Access } from './access';

const toWorkScope = createConditionTransformer(Object.values(kratixWorkRules));

/**
 * The one authorization path for every read: a work, a Destination, a list
 * and its count, a history, a preview's Destinations, a store's page, HTTP
 * and MCP alike. A work is read with `kratix.work.read`; everything a
 * response names about a Destination (placements, events, diffs, counts,
 * filters) only for Destinations the caller may read with
 * `kratix.destination.read`. What the caller may not see is not there for
 * them: a 404, or absent from a list and its count.
 */
export class ReadAccess {
  private readonly live: DestinationCache;

  constructor(private readonly deps: { db: KratixStore; access: Access }) {
    this.live = new DestinationCache(deps.db);
  }

  /** A work the caller may read, or 404 (the same answer whether it exists or not). */
  async work(credentials: BackstageCredentials, key: WorkKey): Promise<StoredWork> {
    const work = await this.deps.db.works.get(key);
    if (!work || !(await this.deps.access.workFilter(credentials))(work)) {
      throw new NotFoundError(`work ${key.namespace}/${key.name} not found`);
    }
    return work;
  }

  /** A Destination (live, or leaving with its cleanup) the caller may read, or 404. */
  async destination(credentials: BackstageCredentials, name: string): Promise<StoredDestination> {
    const d = await this.deps.db.destinations.get(name);
    const canSee = await this.deps.access.destinationFilter(credentials);
    if (!d || !canSee(d)) {
      throw new NotFoundError(`destination ${name} not found; is it in the catalog and valid?`);
    }
    return d;
  }

  /**
   * Which of these Destination names (live or deleted) the caller may see. A
   * name with no row left (purged long ago) names nothing the policy could
   * refuse, and stays visible, as the placement that carries it.
   */
  async visibleDestinations(
    credentials: BackstageCredentials,
    names: Iterable<string>,
  ): Promise<(name: string) => boolean> {
    return (await this.destinationsNamed(credentials, names)).shown;
  }

  /** As `visibleDestinations`, with the entity refs of the visible ones still known (for links). */
  async destinationsNamed(
    credentials: BackstageCredentials,
    names: Iterable<string>,
  ): Promise<{ shown: (name: string) => boolean; refs: Map<string, string> }> {
    const unique = [...new Set(names)];
    const canSee = await this.deps.access.destinationFilter(credentials);
    const rows = new Map(
      (await this.deps.db.destinations.list({ includeDeleted: true, names: unique })).map(d => [
        d.name,
        d,
      ]),
    );
    const visible = new Set(unique.filter(n => !rows.has(n) || canSee(rows.get(n)!)));
    const refs = new Map(
      [...rows.values()].filter(d => visible.has(d.name)).map(d => [d.name, d.entityRef]),
    );
    return { shown: name => visible.has(name), refs };
  }

  /**
   * One page of the Destinations the caller may read, counted after the
   * policy. A conditional decision is applied to the live list in memory
   * (kept by the catalog sync's counter), so pages and counts hold only
   * what the caller may see.
   */
  async destinationsPage(
    credentials: BackstageCredentials,
    filter: Pick<DestinationFilter, 'search' | 'stateStore'>,
    page: PageRequest,
  ): Promise<Paged<StoredDestination>> {
    const decision = await this.deps.access.destinationReadDecision(credentials);
    if (decision.result === AuthorizeResult.DENY) return { items: [], totalCount: 0 };
    if (decision.result === AuthorizeResult.ALLOW)
      return this.deps.db.destinations.page(filter, page);
    const canSee = await this.deps.access.destinationFilter(credentials);
    const search = filter.search?.toLowerCase();
    const matching = (await this.live.live()).filter(
      d =>
        (!filter.stateStore || d.stateStore === filter.stateStore) &&
        (!search || d.name.toLowerCase().includes(search)) &&
        canSee(d),
    );
    return pageSlice(matching, d => [d.name], page);
  }

  /**
   * One page of the works the caller may read, filtered and counted in the
   * database: the policy's conditions become part of the query. A
   * `destination` filter names only a Destination the caller may see.
   */
  async worksPage(
    credentials: BackstageCredentials,
    filter: WorkFilter,
    page: PageRequest,
  ): Promise<Paged<StoredWork>> {
    if (filter.destination) {
      const d = await this.deps.db.destinations.get(filter.destination);
      const canSee = await this.deps.access.destinationFilter(credentials);
      if (!d || !canSee(d)) return { items: [], totalCount: 0 };
    }
    const scope = workScope(await this.deps.access.workReadDecision(credentials));
    if (scope === 'none') return { items: [], totalCount: 0 };
    return this.deps.db.works.list({ ...filter, scope }, page);
  }
}

/** A page of a sorted list in memory, with the database's cursor format (the last key of the page). */
function pageSlice<T>(sorted: T[], keyOf: (t: T) => string[], page: PageRequest): Paged<T> {
  const after = decodeCursor(page.cursor);
  const start = after ? sorted.findIndex(t => keyOf(t).join('\u0000') > after.join('\u0000')) : 0;
  const rest = start < 0 ? [] : sorted.slice(start);
  const items = rest.slice(0, page.limit);
  return {
    items,
    totalCount: sorted.length,
    nextCursor: rest.length > page.limit ? encodeCursor(keyOf(items[items.length - 1])) : undefined,
  };
}

/** The works a read decision allows, as a database scope: all (undefined), none, or conditions. */
function workScope(decision: PolicyDecision): WorkScope | undefined | 'none' {
  if (decision.result === AuthorizeResult.ALLOW) return undefined;
  if (decision.result !== AuthorizeResult.CONDITIONAL) return 'none';
  // The rules' toQuery gives exactly WorkScope's leaves ({owners} or {namespaces}).
  return toWorkScope(decision.conditions) as WorkScope;
}
