/**
 * One Destination per path on a store, held by the database itself: two new
 * Destinations processed at the same moment (two replicas, or one replica's
 * concurrent batch on PostgreSQL) could both pass the check before either wrote.
 * A path claimed twice that way keeps the claim seen last; the other Destination
 * is refused at its next processing, as it would have been alone.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  // A replica still on the previous version could claim a path twice between the reading
  // below and the new key: it waits (the migration runs in a transaction).
  if (knex.client.dialect === 'postgresql')
    await knex.raw('LOCK TABLE ?? IN SHARE ROW EXCLUSIVE MODE', ['kratix_destination_claims']);
  const rows = await knex('kratix_destination_claims')
    .select('name', 'store', 'clean_path', 'seen_ms')
    .orderBy([
      { column: 'seen_ms', order: 'desc' },
      { column: 'name', order: 'asc' },
    ]);
  const kept = new Set();
  const dropped = [];
  for (const row of rows) {
    const key = JSON.stringify([row.store, row.clean_path]);
    if (kept.has(key)) dropped.push(row.name);
    else kept.add(key);
  }
  for (let i = 0; i < dropped.length; i += 500)
    await knex('kratix_destination_claims')
      .whereIn('name', dropped.slice(i, i + 500))
      .delete();
  await knex.schema.alterTable('kratix_destination_claims', table => {
    table.dropIndex(['store', 'clean_path'], 'kratix_destination_claims_path_idx');
    table.unique(['store', 'clean_path'], { indexName: 'kratix_destination_claims_path_key' });
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('kratix_destination_claims', table => {
    table.dropUnique(['store', 'clean_path'], 'kratix_destination_claims_path_key');
    table.index(['store', 'clean_path'], 'kratix_destination_claims_path_idx');
  });
};
