import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { EventsService } from '@backstage/plugin-events-node';
import {
  KRATIX_CATALOG_CHANGED_TOPIC,
  kratixEntityContent,
} from '@kratix-destinations/plugin-kratix-common';

/**
 * An entity not processed for this long is forgotten (deleted, renamed, or
 * processed by another replica): the catalog re-processes live entities every
 * 100-150 s by default, and one processed more rarely only signals again.
 */
const FORGET_AFTER_MS = 60 * 60 * 1000;

/**
 * Tells the kratix plugin that a Destination or State Store was processed
 * with content this replica has not seen before, so it reads the catalog at
 * once instead of polling it. Only what the plugin copies counts: labels,
 * annotations and spec (re-processing an unchanged entity says nothing).
 */
export class CatalogChangePublisher {
  private readonly seen = new Map<string, { content: string; at: number }>();
  private forgotAt: number;

  constructor(
    private readonly events: EventsService,
    private readonly logger: LoggerService,
    private readonly now: () => number = Date.now,
  ) {
    this.forgotAt = now();
  }

  processed(entity: Entity): void {
    const entityRef = stringifyEntityRef(entity);
    const content = kratixEntityContent(entity);
    const at = this.now();
    this.forgetStale(at);
    const known = this.seen.get(entityRef)?.content === content;
    this.seen.set(entityRef, { content, at });
    if (known) return;
    // Processing never waits for, or fails with, the signal: the plugin also polls.
    this.events
      .publish({ topic: KRATIX_CATALOG_CHANGED_TOPIC, eventPayload: { entityRef, content } })
      .catch(e => this.logger.warn(`Could not signal the change of ${entityRef}: ${e}`));
  }

  /** How many entities this replica remembers (for tests). */
  get remembered(): number {
    return this.seen.size;
  }

  private forgetStale(now: number): void {
    if (now - this.forgotAt < FORGET_AFTER_MS) return;
    this.forgotAt = now;
    for (const [ref, { at }] of this.seen) if (now - at >= FORGET_AFTER_MS) this.seen.delete(ref);
  }
}
