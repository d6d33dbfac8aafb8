import { Knex } from 'knex';

/**
 * Leases (one replica works on a store or runs the catalog sync at a time;
 * a crashed holder's lease lapses) and named counters.
 */
export class CoordinationTable {
  constructor(private readonly knex: Knex) {}

  /** Takes or renews a lease; false when another owner holds it. */
  async acquire(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    const until = now + ttlMs;
    const updated = await this.knex('kratix_leases')
      .where({ name })
      .andWhere(q => q.where({ owner }).orWhere('until_ms', '<', now))
      .update({ owner, until_ms: until });
    if (updated > 0) return true;
    try {
      await this.knex('kratix_leases').insert({ name, owner, until_ms: until });
      return true;
    } catch {
      return false; // someone else inserted it first
    }
  }

  async release(name: string, owner: string): Promise<void> {
    await this.knex('kratix_leases').where({ name, owner }).delete();
  }

  async increment(name: string): Promise<number> {
    const updated = await this.knex('kratix_counters')
      .where({ name })
      .update({ value: this.knex.raw('value + 1') });
    if (updated === 0) {
      await this.knex('kratix_counters')
        .insert({ name, value: 1 })
        .onConflict('name')
        .merge({
          value: this.knex.raw('kratix_counters.value + 1'),
        });
    }
    return this.read(name);
  }

  async read(name: string): Promise<number> {
    const row = await this.knex('kratix_counters').where({ name }).first();
    return Number(row?.value ?? 0);
  }
}
