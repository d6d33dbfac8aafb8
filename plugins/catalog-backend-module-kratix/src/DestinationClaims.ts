import { Knex } from 'knex';
import { DatabaseService, resolvePackagePath } from '@backstage/backend-plugin-api';

export interface DestinationClaim {
  name: string;
  entityRef: string;
  uid?: string;
  store: string;
  cleanPath: string;
  mode: string;
}

export interface ClaimOutcome {
  /** The Destination that already holds the name (another namespace), if any. */
  nameHeldBy?: string;
  /** The Destination that already holds the path on the store, if any. */
  pathHeldBy?: string;
  /** The mode this Destination was created with, when the claim asks for another one. */
  createdWithMode?: string;
}

const MIGRATIONS = resolvePackagePath(
  '@internal/plugin-catalog-backend-module-kratix',
  'migrations',
);

/**
 * Destination names and store paths, claimed in the catalog's database: the
 * first Destination keeps them, a later one is refused (as Kratix's webhook
 * does), and every catalog replica sees the same claims. A claim not seen
 * again for `staleAfterMs` (its Destination was deleted or moved) lapses.
 */
export class DestinationClaims {
  static async create(database: DatabaseService, staleAfterMs: number, now = () => Date.now()) {
    const knex = await database.getClient();
    if (!database.migrations?.skip) {
      await knex.migrate.latest({
        directory: MIGRATIONS,
        tableName: 'kratix_catalog_knex_migrations',
      });
    }
    return new DestinationClaims(knex, staleAfterMs, now);
  }

  /**
   * Claims this replica recorded or found in the database (by name: what was
   * claimed and when the row was last refreshed). While a row is fresh it is
   * live for every replica, so no other Destination can have taken its name
   * or path: re-processing the same claim needs no query.
   */
  private readonly confirmed = new Map<string, { key: string; seenMs: number }>();
  private lastSweep = 0;

  constructor(
    private readonly knex: Knex,
    private readonly staleAfterMs: number,
    private readonly now: () => number,
  ) {}

  private freshFor(c: DestinationClaim, t: number): boolean {
    const seen = this.confirmed.get(c.name);
    return Boolean(seen && seen.key === claimKey(c) && t - seen.seenMs < this.staleAfterMs / 3);
  }

  private confirm(c: DestinationClaim, seenMs: number, t: number) {
    if (t - this.lastSweep > this.staleAfterMs) {
      for (const [name, seen] of this.confirmed)
        if (t - seen.seenMs >= this.staleAfterMs / 3) this.confirmed.delete(name);
      this.lastSweep = t;
    }
    this.confirmed.set(c.name, { key: claimKey(c), seenMs });
  }

  private live(row: any, t: number) {
    return t - Number(row.seen_ms) < this.staleAfterMs;
  }

  /** Checks a Destination against the claims and, when it may stand, records it. */
  async claim(c: DestinationClaim): Promise<ClaimOutcome> {
    const t = this.now();
    if (this.freshFor(c, t)) return {};
    const { outcome, seenMs } = await this.knex.transaction(tx => this.check(tx, c, t));
    if (seenMs !== undefined) this.confirm(c, seenMs, t);
    return outcome;
  }

  private async check(
    tx: Knex.Transaction,
    c: DestinationClaim,
    t: number,
  ): Promise<{ outcome: ClaimOutcome; seenMs?: number }> {
    const held = await tx('kratix_destination_claims').where({ name: c.name }).first();
    if (held && held.entity_ref !== c.entityRef && this.live(held, t))
      return { outcome: { nameHeldBy: held.entity_ref } };
    const same =
      held && held.entity_ref === c.entityRef && (!held.uid || !c.uid || held.uid === c.uid);
    if (same && held.mode !== c.mode && this.live(held, t))
      return { outcome: { createdWithMode: held.mode } };
    const clash = await tx('kratix_destination_claims')
      .where({ store: c.store, clean_path: c.cleanPath })
      .whereNot({ name: c.name })
      .where('seen_ms', '>', t - this.staleAfterMs)
      .first();
    if (clash) return { outcome: { pathHeldBy: clash.entity_ref } };
    // Re-processing an unchanged Destination: refresh the claim only now and then, not on every pass.
    const unchanged =
      same &&
      held.store === c.store &&
      held.clean_path === c.cleanPath &&
      held.mode === c.mode &&
      (held.uid ?? null) === (c.uid ?? null);
    if (unchanged && t - Number(held.seen_ms) < this.staleAfterMs / 3)
      return { outcome: {}, seenMs: Number(held.seen_ms) };
    const row = {
      name: c.name,
      entity_ref: c.entityRef,
      uid: c.uid ?? null,
      store: c.store,
      clean_path: c.cleanPath,
      mode: c.mode,
      seen_ms: t,
    };
    await tx('kratix_destination_claims').insert(row).onConflict('name').merge();
    return { outcome: {}, seenMs: t };
  }
}

function claimKey(c: DestinationClaim): string {
  return JSON.stringify([c.entityRef, c.uid ?? null, c.store, c.cleanPath, c.mode]);
}
