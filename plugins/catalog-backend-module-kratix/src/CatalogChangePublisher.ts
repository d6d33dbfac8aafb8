import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { EventsService } from '@backstage/plugin-events-node';
import { KRATIX_CATALOG_CHANGED_TOPIC, kratixEntityContent } from '@internal/plugin-kratix-common';

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
    const content = kratixEntityContent(entity);
    if (this.seen.get(entityRef) === content) return;
    this.seen.set(entityRef, content);
    // Processing never waits for, or fails with, the signal: the plugin also polls.
    this.events
      .publish({ topic: KRATIX_CATALOG_CHANGED_TOPIC, eventPayload: { entityRef, content } })
      .catch(e => this.logger.warn(`Could not signal the change of ${entityRef}: ${e}`));
  }
}
