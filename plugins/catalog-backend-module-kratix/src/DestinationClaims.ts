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

  constructor(
    private readonly knex: Knex,
    private readonly staleAfterMs: number,
    private readonly now: () => number,
  ) {}

  /**
   * The claim's row, written by the checked path, says the same and is fresh:
   * it is live for every replica, so nothing else can hold its name or path.
   */
  private isFresh(row: any, c: DestinationClaim, t: number): boolean {
    return (
      row.entity_ref === c.entityRef &&
      (row.uid ?? null) === (c.uid ?? null) &&
      row.store === c.store &&
      row.clean_path === c.cleanPath &&
      row.mode === c.mode &&
      t - Number(row.seen_ms) < this.staleAfterMs / 3
    );
  }

  private live(row: any, t: number) {
    return t - Number(row.seen_ms) < this.staleAfterMs;
  }

  /** Checks a Destination against the claims and, when it may stand, records it. */
  async claim(c: DestinationClaim): Promise<ClaimOutcome> {
    const t = this.now();
    // Re-processing an unchanged Destination: one indexed read, no transaction.
    const held = await this.knex('kratix_destination_claims').where({ name: c.name }).first();
    if (held && this.isFresh(held, c, t)) return {};
    return this.knex.transaction(tx => this.check(tx, c, t));
  }

  private async check(tx: Knex.Transaction, c: DestinationClaim, t: number): Promise<ClaimOutcome> {
    const held = await tx('kratix_destination_claims').where({ name: c.name }).first();
    if (held && held.entity_ref !== c.entityRef && this.live(held, t))
      return { nameHeldBy: held.entity_ref };
    const same =
      held && held.entity_ref === c.entityRef && (!held.uid || !c.uid || held.uid === c.uid);
    if (same && held.mode !== c.mode && this.live(held, t)) return { createdWithMode: held.mode };
    const clash = await tx('kratix_destination_claims')
      .where({ store: c.store, clean_path: c.cleanPath })
      .whereNot({ name: c.name })
      .where('seen_ms', '>', t - this.staleAfterMs)
      .first();
    if (clash) return { pathHeldBy: clash.entity_ref };
    // Unchanged (another replica may have refreshed it meanwhile): refresh only now and then.
    if (held && this.isFresh(held, c, t)) return {};
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
    return {};
  }
}
