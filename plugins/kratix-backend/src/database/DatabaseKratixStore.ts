import { Knex } from 'knex';
import { DatabaseService, resolvePackagePath } from '@backstage/backend-plugin-api';
import { KratixStore } from './KratixStore';
import { CoordinationTable } from './tables/coordination';
import { DestinationTable } from './tables/destinations';
import { PlacementEventTable } from './tables/events';
import { OwnedFileTable } from './tables/ownedFiles';
import { PathClaimTable } from './tables/pathClaims';
import { PlacementTable } from './tables/placements';
import { StateStoreTable } from './tables/stateStores';
import { WorkTable } from './tables/works';

const MIGRATIONS = resolvePackagePath('@kratix-destinations/plugin-kratix-backend', 'migrations');

export async function applyMigrations(knex: Knex): Promise<void> {
  await knex.migrate.latest({ directory: MIGRATIONS, tableName: 'kratix_knex_migrations' });
}

/** The knex implementation of KratixStore (SQLite and PostgreSQL). */
export class DatabaseKratixStore implements KratixStore {
  readonly works: WorkTable;
  readonly placements: PlacementTable;
  readonly destinations: DestinationTable;
  readonly stateStores: StateStoreTable;
  readonly ownedFiles: OwnedFileTable;
  readonly claims: PathClaimTable;
  readonly events: PlacementEventTable;
  readonly coordination: CoordinationTable;

  static async create(options: {
    database: Pick<DatabaseService, 'getClient'>;
    skipMigrations?: boolean;
  }): Promise<DatabaseKratixStore> {
    const knex = await options.database.getClient();
    if (!options.skipMigrations) await applyMigrations(knex);
    return new DatabaseKratixStore(knex);
  }

  private constructor(private readonly knex: Knex) {
    this.works = new WorkTable(knex);
    this.placements = new PlacementTable(knex);
    this.destinations = new DestinationTable(knex);
    this.stateStores = new StateStoreTable(knex);
    this.ownedFiles = new OwnedFileTable(knex);
    this.claims = new PathClaimTable(knex);
    this.events = new PlacementEventTable(knex);
    this.coordination = new CoordinationTable(knex);
  }

  transaction<T>(fn: (tx: KratixStore) => Promise<T>): Promise<T> {
    return this.knex.transaction(trx => fn(new DatabaseKratixStore(trx)));
  }
}
