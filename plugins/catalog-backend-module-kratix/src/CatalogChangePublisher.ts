import { createHash } from 'node:crypto';
import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { EventsService } from '@backstage/plugin-events-node';
import { KRATIX_CATALOG_CHANGED_TOPIC } from '@internal/plugin-kratix-common';

/**
 * Tells the kratix plugin that a Destination or State Store was processed
 * with content this replica has not seen before, so it reads the catalog at
 * once instead of polling it. Only what the plugin copies counts: labels,
 * annotations and spec (re-processing an unchanged entity says nothing).
 */
export class CatalogChangePublisher {
  private readonly seen = new Map<string, string>();

  constructor(
    private readonly events: EventsService,
    private readonly logger: LoggerService,
  ) {}

  processed(entity: Entity): void {
    const entityRef = stringifyEntityRef(entity);
    const { labels, annotations } = entity.metadata;
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([labels ?? null, annotations ?? null, entity.spec ?? null]))
      .digest('base64');
    if (this.seen.get(entityRef) === fingerprint) return;
    this.seen.set(entityRef, fingerprint);
    // Processing never waits for, or fails with, the signal: the plugin also polls.
    this.events
      .publish({ topic: KRATIX_CATALOG_CHANGED_TOPIC, eventPayload: { entityRef } })
      .catch(e => this.logger.warn(`Could not signal the change of ${entityRef}: ${e}`));
  }
}
