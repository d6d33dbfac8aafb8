import { EventsService } from '@backstage/plugin-events-node';

/** The topic the catalog publishes processing errors on (catalog-backend's CATALOG_ERRORS_TOPIC). */
export const CATALOG_ERRORS_TOPIC = 'experimental.catalog.errors';

export interface CatalogEntityErrors {
  entityRef: string;
  location?: string;
  errors: string[];
  at: string;
}

const KRATIX_KINDS = /^(destination|gitstatestore|bucketstatestore):/i;

/**
 * Keeps the latest processing errors of Destination and State Store entities.
 * An entity that never passed validation is absent from the catalog's API;
 * this is where a user reads why. Errors lapse when not seen again for
 * `ttlMs` (the entity was fixed or removed).
 */
export class CatalogErrors {
  private readonly byRef = new Map<string, CatalogEntityErrors & { seen: number }>();

  constructor(
    private readonly ttlMs = 2 * 60_000,
    private readonly now = () => Date.now(),
  ) {}

  async subscribe(events: EventsService): Promise<void> {
    await events.subscribe({
      id: 'kratix-catalog-errors',
      topics: [CATALOG_ERRORS_TOPIC],
      onEvent: async ({ eventPayload }) => this.record(eventPayload as any),
    });
  }

  record(payload: { entity?: string; location?: string; errors?: { message?: string }[] }): void {
    const messages = (payload?.errors ?? []).map(e => redactUrls(String(e?.message ?? e)));
    // A location that may not hold these kinds: the error is on the Location, naming the refused entity.
    const refused = messages.some(m =>
      /Entity (destination|gitstatestore|bucketstatestore):/i.test(m),
    );
    if (!payload?.entity || (!KRATIX_KINDS.test(payload.entity) && !refused)) return;
    const t = this.now();
    this.byRef.set(payload.entity, {
      entityRef: payload.entity,
      location: payload.location && redactUrls(payload.location),
      errors: messages,
      at: new Date(t).toISOString(),
      seen: t,
    });
  }

  list(): CatalogEntityErrors[] {
    const t = this.now();
    const out: CatalogEntityErrors[] = [];
    for (const [ref, e] of this.byRef) {
      if (t - e.seen > this.ttlMs) this.byRef.delete(ref);
      else out.push({ entityRef: e.entityRef, location: e.location, errors: e.errors, at: e.at });
    }
    return out.sort((a, b) => a.entityRef.localeCompare(b.entityRef));
  }
}

/** Credentials in a URL (userinfo, token parameters) never reach a reader of these errors. */
export function redactUrls(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@"']+@/gi, '$1***@')
    .replace(
      /([?&](?:access_token|private_token|token|password|secret|key|sig|signature|x-amz-signature)=)[^&\s"']+/gi,
      '$1***',
    );
}
