import DataLoader from 'dataloader';
import { Knex } from 'knex';
import { DatabaseService, LoggerService, resolvePackagePath } from '@backstage/backend-plugin-api';

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
  /** A Destination on the same store whose path holds this claim's path, or is held by it. */
  nestsWith?: { name: string; cleanPath: string; inside: boolean };
}

/** How long claims due for extension wait to be extended together. */
const EXTEND_DELAY_MS = 5000;
/** Names per statement (SQLite allows 999 bound parameters). */
const CHUNK = 500;
/** Checks of one claim before giving up: each lost race ends when the winner commits. */
const ATTEMPTS = 3;

/** `a/b/c` -> `a`, `a/b`. */
function ancestors(cleanPath: string): string[] {
  const parts = cleanPath.split('/');
  return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** A cleaned store path at or below another; `.` is the store's root and holds every path. */
function isWithin(root: string, p: string): boolean {
  return root === '.' || p === root || p.startsWith(`${root}/`);
}

/** The row changed between this check and its write: another claim won; check again. */
class ClaimRaced extends Error {
  constructor(name: string) {
    super(
      `the claim of Destination "${name}" changed while it was checked ${ATTEMPTS} times; it is checked again at its next processing`,
    );
  }
}

/**
 * Another claim won the race to the write: a unique key refused it, or (PostgreSQL,
 * MySQL) the database chose it as a deadlock's victim or could not serialize it.
 */
function lostRace(e: unknown): boolean {
  if (e instanceof ClaimRaced) return true;
  const code = String((e as { code?: unknown })?.code);
  return (
    ['23505', '40P01', '40001', 'ER_DUP_ENTRY', 'ER_LOCK_DEADLOCK'].includes(code) ||
    /^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)$/.test(code)
  );
}

const MIGRATIONS = resolvePackagePath(
  '@kratix-destinations/plugin-catalog-backend-module-kratix',
  'migrations',
);

/**
 * Destination names and store paths, claimed in the catalog's database: the
 * first Destination keeps them, a later one is refused (as Kratix's webhook
 * does), and every catalog replica sees the same claims. A claim not seen
 * again for `staleAfterMs` (its Destination was deleted or moved) lapses.
 */
export class DestinationClaims {
  static async create(
    database: DatabaseService,
    options: { staleAfterMs: number; now?: () => number; logger?: LoggerService },
  ) {
    const { staleAfterMs, now = () => Date.now(), logger } = options;
    const knex = await database.getClient();
    if (!database.migrations?.skip) {
      await knex.migrate.latest({
        directory: MIGRATIONS,
        tableName: 'kratix_catalog_knex_migrations',
      });
    }
    return new DestinationClaims(knex, staleAfterMs, now, logger);
  }

  /**
   * The catalog processes entities in batches, concurrently: the claims of one
   * batch are read with one statement.
   */
  private readonly rows = new DataLoader<string, any>(
    async names => {
      const rows = await this.knex('kratix_destination_claims').whereIn('name', [...names]);
      const byName = new Map(rows.map(r => [r.name, r]));
      return names.map(n => byName.get(n));
    },
    { cache: false, maxBatchSize: CHUNK, batchScheduleFn: run => setImmediate(run) },
  );
  private readonly due = new Set<string>();
  private extending?: NodeJS.Timeout;

  constructor(
    private readonly knex: Knex,
    private readonly staleAfterMs: number,
    private readonly now: () => number,
    private readonly logger?: LoggerService,
  ) {}

  /** The claim's row, written by the checked path, says the same as this processing. */
  private isSame(row: any, c: DestinationClaim): boolean {
    return (
      row.entity_ref === c.entityRef &&
      (row.uid ?? null) === (c.uid ?? null) &&
      row.store === c.store &&
      row.clean_path === c.cleanPath &&
      row.mode === c.mode
    );
  }

  private live(row: any, t: number) {
    return t - Number(row.seen_ms) < this.staleAfterMs;
  }

  /** Checks a Destination against the claims and, when it may stand, records it. */
  async claim(c: DestinationClaim): Promise<ClaimOutcome> {
    const t = this.now();
    // Re-processing an unchanged Destination: one batched read, no transaction.
    const held = await this.rows.load(c.name);
    if (held && this.isSame(held, c)) {
      const age = t - Number(held.seen_ms);
      if (age < this.staleAfterMs / 3) return {};
      // Its own claim, live for every replica until well after the extension lands, so no one
      // can take its name or path meanwhile: extended with others a little later (the catalog
      // re-processes every entity every couple of minutes, and a transaction each time doubled
      // its statements). Closer to lapsing, it is checked and extended at once.
      if (age + EXTEND_DELAY_MS < (this.staleAfterMs * 2) / 3) {
        this.extendSoon(c.name);
        return {};
      }
    }
    return this.checked(c, t);
  }

  /**
   * The full check and its write, in a transaction. Two checks can pass at the same moment
   * (replicas, or a batch on PostgreSQL); the database's keys let one write win, and the
   * other is checked again against what the winner committed.
   */
  private async checked(c: DestinationClaim, t: number): Promise<ClaimOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.knex.transaction(tx => this.check(tx, c, t));
      } catch (e) {
        if (attempt >= ATTEMPTS || !lostRace(e)) throw e;
      }
    }
  }

  /** Extends the claims due now (the timer does this; shutdown and tests call it too). */
  async flush(): Promise<void> {
    clearTimeout(this.extending);
    this.extending = undefined;
    const names = [...this.due];
    this.due.clear();
    const t = this.now();
    for (let i = 0; i < names.length; i += CHUNK) {
      await this.knex('kratix_destination_claims')
        .whereIn('name', names.slice(i, i + CHUNK))
        .update({ seen_ms: t });
    }
  }

  private extendSoon(name: string) {
    this.due.add(name);
    this.extending ??= setTimeout(() => {
      // A claim not extended now is still live, and is due again at its next processing.
      this.flush().catch(e => this.logger?.warn(`Could not extend Destination claims: ${e}`));
    }, EXTEND_DELAY_MS).unref();
  }

  private async check(tx: Knex.Transaction, c: DestinationClaim, t: number): Promise<ClaimOutcome> {
    await this.lockStore(tx, c.store);
    const held = await tx('kratix_destination_claims').where({ name: c.name }).first();
    if (held && held.entity_ref !== c.entityRef && this.live(held, t))
      return { nameHeldBy: held.entity_ref };
    const same =
      held && held.entity_ref === c.entityRef && (!held.uid || !c.uid || held.uid === c.uid);
    if (same && held.mode !== c.mode && this.live(held, t)) return { createdWithMode: held.mode };
    // Only a new claim, or one moving to another path or store, is held to the nesting rule:
    // Destinations that nested before the rule existed keep running (refusing one now would take
    // it out of the catalog, and its `cleanup: all` would delete its files).
    const kept = same && held.store === c.store && held.clean_path === c.cleanPath;
    const around = await this.othersAround(tx, c, !kept);
    const clash = around.find(r => r.clean_path === c.cleanPath && this.live(r, t));
    if (clash) return { pathHeldBy: clash.entity_ref };
    const nest = around.find(r => this.live(r, t));
    if (nest) {
      const inside = isWithin(nest.clean_path, c.cleanPath);
      return { nestsWith: { name: nest.name, cleanPath: nest.clean_path, inside } };
    }
    // Claims on or around the path whose Destinations are gone let it go.
    await this.deleteLapsed(tx, around, t - this.staleAfterMs);
    await this.write(tx, held, c, t);
    return {};
  }

  /**
   * Two new Destinations nesting on one store never clash on the unique key (their paths
   * differ), so their checks are serialized per store: on PostgreSQL a transaction-scoped lock
   * on the store, taken before anything is read. SQLite runs one transaction at a time already.
   */
  private async lockStore(tx: Knex.Transaction, store: string) {
    if (this.knex.client.dialect !== 'postgresql') return;
    await tx.raw('select pg_advisory_xact_lock(hashtext(?), hashtext(?))', [
      'kratix_destination_claims',
      store,
    ]);
  }

  /**
   * Claims of other Destinations on this claim's store whose path is this path or, when
   * `nesting`, holds it or lies inside it (a path of `.`, the store's root, holds every other),
   * ordered so an error names the same one each time. The database narrows them (SQLite's LIKE
   * ignores case), this decides.
   */
  private async othersAround(
    tx: Knex.Transaction,
    c: DestinationClaim,
    nesting: boolean,
  ): Promise<any[]> {
    const q = tx('kratix_destination_claims').where({ store: c.store }).whereNot({ name: c.name });
    if (!nesting) return q.where({ clean_path: c.cleanPath });
    if (c.cleanPath !== '.') {
      const holders = ['.', ...ancestors(c.cleanPath), c.cleanPath];
      const below = `${c.cleanPath.replace(/[\\%_]/g, m => `\\${m}`)}/%`;
      q.where(w =>
        w.whereIn('clean_path', holders).orWhereRaw("?? like ? escape '\\'", ['clean_path', below]),
      );
    }
    const rows = await q.orderBy(['clean_path', 'name']);
    return rows.filter(
      r => isWithin(r.clean_path, c.cleanPath) || isWithin(c.cleanPath, r.clean_path),
    );
  }

  /** Deletes those of `rows` still lapsed: a claim extended since it was read stays. */
  private async deleteLapsed(tx: Knex.Transaction, rows: any[], lapsedBefore: number) {
    const names = rows.filter(r => Number(r.seen_ms) <= lapsedBefore).map(r => r.name);
    for (let i = 0; i < names.length; i += CHUNK) {
      await tx('kratix_destination_claims')
        .whereIn('name', names.slice(i, i + CHUNK))
        .where('seen_ms', '<=', lapsedBefore)
        .delete();
    }
  }

  /** Writes the claim over the row the check read, and only that row. */
  private async write(tx: Knex.Transaction, held: any, c: DestinationClaim, t: number) {
    const row = {
      name: c.name,
      entity_ref: c.entityRef,
      uid: c.uid ?? null,
      store: c.store,
      clean_path: c.cleanPath,
      mode: c.mode,
      seen_ms: t,
    };
    if (!held) {
      await tx('kratix_destination_claims').insert(row);
      return;
    }
    const updated = await tx('kratix_destination_claims')
      .where({ name: c.name, entity_ref: held.entity_ref, seen_ms: held.seen_ms })
      .update(row);
    if (updated === 0) throw new ClaimRaced(c.name);
  }
}
