import type { KratixStore, StoredDestination } from '../database';

/** The counter the catalog sync bumps whenever a Destination changes. */
export const DESTINATIONS_COUNTER = 'destinations';

/**
 * The live Destinations, re-read only when the catalog sync changed them
 * (one small query per use), so an intake request does constant work.
 */
export class DestinationCache {
  private seq = -1;
  private list: StoredDestination[] = [];

  constructor(private readonly db: KratixStore) {}

  async live(): Promise<StoredDestination[]> {
    const seq = await this.db.coordination.read(DESTINATIONS_COUNTER);
    if (seq !== this.seq) {
      this.list = await this.db.destinations.list();
      this.seq = seq;
    }
    return this.list;
  }
}
