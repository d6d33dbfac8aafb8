/**
 * What a store run needs to cost what it changes, and what trust needs:
 * who owns a work, where each placement was written, the files the plugin
 * owns in each store (with the digest the store reports), path claims in
 * `none` mode, a per-placement history, per-store backoff and change
 * counters, and leases so that one replica writes a store at a time.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('kratix_works', table => {
    table
      .string('identity', 767)
      .nullable()
      .comment('<promise>/<resource>/<pipeline> the name stands for');
    table.text('owner_refs').nullable().comment('JSON: creator and their groups');
    table
      .text('placement_conditions')
      .nullable()
      .comment('JSON: permission conditions for later placements');
    table.boolean('schedule_pending').notNullable().defaultTo(false);
  });
  await knex('kratix_works').update({
    identity: knex.raw("promise || '/' || coalesce(resource, '') || '/' || pipeline"),
    owner_refs: knex.raw(
      "case when created_by is null then '[]' else '[\"' || created_by || '\"]' end",
    ),
  });

  await knex.schema.alterTable('kratix_placements', table => {
    table.boolean('dirty').notNullable().defaultTo(true).comment('something to write or remove');
    table.string('written_store', 512).nullable();
    table.string('written_mode', 32).nullable();
    table.string('written_path', 1024).nullable();
    table.text('drift').nullable().comment('JSON: foreign changes seen to its files');
    table.index(['state_store', 'dirty'], 'kratix_placements_store_dirty_idx');
  });
  // Placements written before the owned-files index existed are laid out again once.
  await knex('kratix_placements').update({ dirty: true });

  await knex.schema.alterTable('kratix_destinations', table => {
    table.string('namespace', 255).notNullable().defaultTo('default');
    table.string('etag', 255).nullable();
    table.string('written_store', 512).nullable();
    table.text('drift').nullable();
    table.index(['state_store'], 'kratix_destinations_store_idx');
  });

  await knex.schema.alterTable('kratix_state_stores', table => {
    table.string('namespace', 255).notNullable().defaultTo('default');
    table.string('etag', 255).nullable();
    table.string('last_seen_tip', 64).nullable();
    table.integer('failures').notNullable().defaultTo(0);
    table.timestamp('retry_at', { useTz: true }).nullable();
    table.bigInteger('change_seq').notNullable().defaultTo(1);
    table.bigInteger('done_seq').notNullable().defaultTo(0);
  });

  await knex.schema.createTable('kratix_owned_files', table => {
    table.comment('Files the plugin wrote, with the digest the store reports for them');
    table.string('store', 512).notNullable();
    table.string('path', 1024).notNullable().comment('relative to the store root');
    table.string('digest', 64).notNullable().comment('git blob id or md5');
    table.string('destination', 255).notNullable();
    table.string('placement_namespace', 255).nullable();
    table.string('placement_name', 512).nullable();
    table.string('kind', 16).notNullable().comment('file | stateFile | canary | aggregate');
    table.primary(['store', 'path']);
    table.index(['destination'], 'kratix_owned_files_destination_idx');
    table.index(['placement_namespace', 'placement_name'], 'kratix_owned_files_placement_idx');
  });

  await knex.schema.createTable('kratix_path_claims', table => {
    table.comment('none mode: which placement writes which file of a Destination');
    table.string('destination', 255).notNullable();
    table.string('path', 1024).notNullable();
    table.string('placement_namespace', 255).notNullable();
    table.string('placement_name', 512).notNullable();
    table.string('work_namespace', 255).notNullable();
    table.string('work_name', 255).notNullable();
    table.primary(['destination', 'path']);
    table.index(['placement_namespace', 'placement_name'], 'kratix_path_claims_placement_idx');
  });

  await knex.schema.createTable('kratix_placement_events', table => {
    table.comment('What happened to each placement: writes, removals, failures, drift');
    table.increments('id');
    table.string('placement_namespace', 255).notNullable();
    table.string('placement_name', 512).notNullable();
    table.string('work_namespace', 255).notNullable();
    table.string('work_name', 255).notNullable();
    table.string('destination', 255).notNullable();
    table.string('state_store', 512).notNullable();
    table.string('action', 16).notNullable();
    table.string('version', 128).nullable();
    table.string('actor', 255).nullable();
    table.text('message').nullable();
    table.timestamp('at', { useTz: true }).notNullable();
    table.index(['work_namespace', 'work_name'], 'kratix_placement_events_work_idx');
    table.index(['placement_namespace', 'placement_name'], 'kratix_placement_events_placement_idx');
  });

  await knex.schema.createTable('kratix_write_outcomes', table => {
    table.comment('Staging rows for one batched update of written placements');
    table.string('run_id', 64).notNullable();
    table.string('namespace', 255).notNullable();
    table.string('name', 512).notNullable();
    table.integer('generation').notNullable();
    table.string('version', 128).nullable();
    table.string('written_store', 512).notNullable();
    table.string('written_mode', 32).notNullable();
    table.string('written_path', 1024).notNullable();
    table.primary(['run_id', 'namespace', 'name']);
  });

  await knex.schema.createTable('kratix_leases', table => {
    table.comment('Who works on what (a store, the catalog sync) until when');
    table.string('name', 600).primary();
    table.string('owner', 64).notNullable();
    table.bigInteger('until_ms').notNullable();
  });

  await knex.schema.createTable('kratix_counters', table => {
    table.string('name', 64).primary();
    table.bigInteger('value').notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('kratix_counters');
  await knex.schema.dropTable('kratix_leases');
  await knex.schema.dropTable('kratix_write_outcomes');
  await knex.schema.dropTable('kratix_placement_events');
  await knex.schema.dropTable('kratix_path_claims');
  await knex.schema.dropTable('kratix_owned_files');
  await knex.schema.alterTable('kratix_state_stores', table => {
    table.dropColumns(
      'namespace',
      'etag',
      'last_seen_tip',
      'failures',
      'retry_at',
      'change_seq',
      'done_seq',
    );
  });
  await knex.schema.alterTable('kratix_destinations', table => {
    table.dropIndex(['state_store'], 'kratix_destinations_store_idx');
    table.dropColumns('namespace', 'etag', 'written_store', 'drift');
  });
  await knex.schema.alterTable('kratix_placements', table => {
    table.dropIndex(['state_store', 'dirty'], 'kratix_placements_store_dirty_idx');
    table.dropColumns('dirty', 'written_store', 'written_mode', 'written_path', 'drift');
  });
  await knex.schema.alterTable('kratix_works', table => {
    table.dropColumns('identity', 'owner_refs', 'placement_conditions', 'schedule_pending');
  });
};
