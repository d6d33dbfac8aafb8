/**
 * Which Destination holds a name and a path on a store, in the catalog's
 * database, so every catalog replica decides clashes the same way.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('kratix_destination_claims', table => {
    table.comment('Destination names (unique across namespaces), their store path and mode');
    table.string('name', 255).primary();
    table.string('entity_ref', 512).notNullable();
    table.string('uid', 255).nullable();
    table.string('store', 512).notNullable();
    table.string('clean_path', 1024).notNullable();
    table.string('mode', 32).notNullable();
    table.bigInteger('seen_ms').notNullable();
    table.index(['store', 'clean_path'], 'kratix_destination_claims_path_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('kratix_destination_claims');
};
