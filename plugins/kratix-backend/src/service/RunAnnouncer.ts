import { LoggerService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { SignalsService } from '@backstage/plugin-signals-node';
import { KRATIX_SIGNAL_CHANNEL, stateStoreLabel } from '@kratix-destinations/plugin-kratix-common';
import type { KratixStore, StoredPlacement } from '../database';
import type { StoreRunResult } from '../reconciler';
import { ownerRef } from './caller';

function destinationLink(entityRef: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `/catalog/${namespace}/${kind.toLowerCase()}/${name}/kratix`;
}

/**
 * Tells people what a store run did: every run reaches the open pages of
 * the people it concerns as a signal (they reload); a placement or store that starts failing, drifts
 * under `report`, or recovers is told to its Destination's owners and the
 * work's creator as a notification, once per change, not per retry.
 */
export class RunAnnouncer {
  constructor(
    private readonly deps: {
      db: KratixStore;
      logger: LoggerService;
      signals?: SignalsService;
      notifications?: NotificationService;
      /** Entity refs that get every store's signals (`kratix.signals.recipients`). */
      recipients?: string[];
    },
  ) {}

  onRun = (ref: string, result: StoreRunResult) => {
    this.announce(ref, result).catch(e =>
      this.deps.logger.warn(`Could not announce the run of ${ref}: ${e?.message ?? e}`),
    );
  };

  private async announce(ref: string, result: StoreRunResult) {
    await this.signal(ref, result);
    if (!this.deps.notifications) return;
    await this.storeChanged(ref, result);
    const failed =
      result.placements?.newlyFailed ?? (result.storeTransition ? [] : (result.newlyFailed ?? []));
    for (const f of failed) await this.placement(f.placement, 'failed', f.error);
    for (const p of result.placements?.recovered ?? []) await this.placement(p, 'recovered');
    for (const d of result.drift?.placements.values() ?? []) {
      if (result.drift && (await this.reported(d.destination)))
        await this.drift(d.destination, d.files);
    }
  }

  /**
   * Open pages reload on a store run's signal. It goes only to signed-in
   * people concerned (a connection without a token is nobody's): the owners
   * of the store's Destinations, the owners of the works the run touched,
   * and `kratix.signals.recipients` (e.g. the platform team); it carries the
   * store and the time only, never an error text (pages read that through
   * the API, which checks what the reader may see).
   */
  private async signal(ref: string, result: StoreRunResult) {
    if (!this.deps.signals) return;
    const destinations = await this.deps.db.destinations.list({ stateStore: ref });
    const works = await this.deps.db.works.ownership(result.placements?.works ?? []);
    const audience = new Set([
      ...(this.deps.recipients ?? []),
      ...destinations.flatMap(d => ownerRef(d.spec.owner, d.namespace) ?? []),
      ...[...works.values()].flatMap(w => w.ownerRefs),
    ]);
    if (audience.size === 0) return;
    await this.deps.signals.publish({
      recipients: { type: 'user', entityRef: [...audience] },
      channel: KRATIX_SIGNAL_CHANNEL,
      message: { store: ref, at: new Date().toISOString() },
    });
  }

  private async reported(destination: string) {
    return (await this.deps.db.destinations.get(destination))?.drift?.resolution === 'reported';
  }

  private async owners(placement: StoredPlacement): Promise<string[]> {
    const d = await this.deps.db.destinations.get(placement.destination);
    const w = await this.deps.db.works.get({
      namespace: placement.workNamespace,
      name: placement.workName,
    });
    return [d?.entityRef, w?.createdBy?.startsWith('user:') ? w.createdBy : undefined].filter(
      (x): x is string => Boolean(x),
    );
  }

  private async placement(p: StoredPlacement, what: 'failed' | 'recovered', error?: string) {
    const entityRef = await this.owners(p);
    if (entityRef.length === 0) return;
    await this.deps.notifications!.send({
      recipients: { type: 'entity', entityRef },
      payload: {
        title:
          what === 'failed'
            ? `Kratix: ${p.name} could not be written to ${p.destination}`
            : `Kratix: ${p.name} is written to ${p.destination} again`,
        description: what === 'failed' ? error : `${stateStoreLabel(p.stateStore)} holds it again.`,
        link: `/kratix/works/${p.workNamespace}/${p.workName}`,
        severity: what === 'failed' ? 'high' : 'normal',
        topic: 'kratix',
        scope: `kratix:placement:${p.namespace}/${p.name}`,
      },
    });
  }

  /**
   * A failing store is told to the owners of the Destinations it newly
   * reaches (also those that join while it fails); a recovery to all of them.
   */
  private async storeChanged(ref: string, result: StoreRunResult) {
    const failing = Boolean(result.error);
    if (!failing && result.storeTransition !== 'recovered') return;
    const entityRef = failing
      ? (result.newlyFailingDestinations ?? [])
      : (await this.deps.db.destinations.list({ stateStore: ref })).map(d => d.entityRef);
    if (entityRef.length === 0) return;
    await this.deps.notifications!.send({
      recipients: { type: 'entity', entityRef },
      payload: {
        title: failing
          ? `Kratix: ${stateStoreLabel(ref)} cannot be written`
          : `Kratix: ${stateStoreLabel(ref)} is written again`,
        description: failing ? result.error : 'Its Destinations are written again.',
        link: destinationLink(entityRef[0]),
        severity: failing ? 'high' : 'normal',
        topic: 'kratix',
        scope: `kratix:store:${ref}`,
      },
    });
  }

  private async drift(destination: string, files: string[]) {
    const d = await this.deps.db.destinations.get(destination);
    if (!d) return;
    await this.deps.notifications!.send({
      recipients: { type: 'entity', entityRef: d.entityRef },
      payload: {
        title: `Kratix: files of ${destination} were changed outside Kratix`,
        description: `${files.slice(0, 5).join(', ')}${files.length > 5 ? ` and ${files.length - 5} more` : ''} (drift policy: report, left as found)`,
        link: destinationLink(d.entityRef),
        severity: 'normal',
        topic: 'kratix',
        scope: `kratix:drift:${destination}`,
      },
    });
  }
}
