import { Client } from 'pg';

/** The local PostgreSQL server the tests use (trust authentication). */
export const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' };

/** Drops every database a backend created under `prefix` (one per plugin). */
export async function dropDatabases(prefix: string): Promise<void> {
  const admin = new Client({ ...PG, database: 'postgres' });
  await admin.connect();
  try {
    const { rows } = await admin.query('select datname from pg_database where datname like $1', [
      `${prefix}%`,
    ]);
    for (const r of rows) await admin.query(`drop database if exists "${r.datname}" with (force)`);
  } finally {
    await admin.end();
  }
}
