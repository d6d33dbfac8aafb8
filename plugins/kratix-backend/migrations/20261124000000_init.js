/**
 * Works, their workload groups and files, placements, and what the plugin
 * knows of Destinations and State Stores.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('kratix_works', table => {
    table.comment('Documents to schedule, as Kratix Works');
    table.string('namespace', 255).notNullable();
    table.string('name', 255).notNullable();
    table.string('promise', 255).notNullable();
    table.string('resource', 255).nullable().comment('null for a dependency');
    table.string('pipeline', 255).notNullable();
    table.string('content_hash', 64).notNullable();
    table.string('created_by', 255).nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table
      .timestamp('deleted_at', { useTz: true })
      .nullable()
      .comment('set while its files are removed');
    table.primary(['namespace', 'name']);
  });
  await knex.schema.createTable('kratix_workload_groups', table => {
    table.string('work_namespace', 255).notNullable();
    table.string('work_name', 255).notNullable();
    table.string('group_id', 32).notNullable().comment('md5 of the directory');
    table.string('directory', 1024).notNullable();
    table.text('selectors').notNullable().comment('JSON label map');
    table.primary(['work_namespace', 'work_name', 'group_id']);
    table
      .foreign(['work_namespace', 'work_name'])
      .references(['namespace', 'name'])
      .inTable('kratix_works')
      .onDelete('CASCADE');
  });
  await knex.schema.createTable('kratix_work_files', table => {
    table.string('work_namespace', 255).notNullable();
    table.string('work_name', 255).notNullable();
    table.string('group_id', 32).notNullable();
    table
      .string('path', 1024)
      .notNullable()
      .comment('relative to the pipeline output, includes the group directory');
    table.integer('position').notNullable().comment('order of the file in its group');
    table.binary('content').notNullable();
    table.primary(['work_namespace', 'work_name', 'group_id', 'position']);
    table
      .foreign(['work_namespace', 'work_name'])
      .references(['namespace', 'name'])
      .inTable('kratix_works')
      .onDelete('CASCADE');
  });
  await knex.schema.createTable('kratix_destinations', table => {
    table.comment('Destinations known from the catalog');
    table.string('name', 255).primary().comment('metadata.name; unique like a Kratix Destination');
    table.string('entity_ref', 512).notNullable();
    table.string('uid', 255).nullable();
    table.text('spec').notNullable().comment('validated spec, JSON');
    table.text('labels').notNullable().comment('JSON');
    table.string('state_store', 512).notNullable().comment('kind:namespace/name');
    table.string('spec_hash', 64).notNullable();
    table.string('written_spec_hash', 64).nullable().comment('spec last laid out in the store');
    table.text('written_spec').nullable().comment('spec last laid out in the store, JSON');
    table.boolean('ready').notNullable().defaultTo(false);
    table.text('message').nullable();
    table.timestamp('orphan_since', { useTz: true }).nullable();
    table
      .timestamp('deleted_at', { useTz: true })
      .nullable()
      .comment('gone from the catalog; cleanup pending');
    table.timestamp('updated_at', { useTz: true }).notNullable();
  });
  await knex.schema.createTable('kratix_state_stores', table => {
    table.string('ref', 512).primary().comment('kind:namespace/name');
    table.string('kind', 64).notNullable();
    table.string('name', 255).notNullable();
    table.string('entity_ref', 512).notNullable();
    table.text('spec').notNullable();
    table.boolean('ready').notNullable().defaultTo(false);
    table.text('message').nullable();
    table.string('last_version', 128).nullable();
    table.timestamp('last_written_at', { useTz: true }).nullable();
    table.timestamp('last_full_sync_at', { useTz: true }).nullable();
    table.timestamp('deleted_at', { useTz: true }).nullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
  });
  await knex.schema.createTable('kratix_placements', table => {
    table.comment('One workload group of a work on one Destination, as a Kratix WorkPlacement');
    table.string('namespace', 255).notNullable();
    table.string('name', 512).notNullable();
    table.string('work_namespace', 255).notNullable();
    table.string('work_name', 255).notNullable();
    table.string('group_id', 32).notNullable();
    table.string('destination', 255).notNullable();
    table.string('state_store', 512).notNullable();
    table.string('status', 16).notNullable().comment('pending | written | failed | deleting');
    table.boolean('misplaced').notNullable().defaultTo(false);
    table
      .integer('generation')
      .notNullable()
      .defaultTo(1)
      .comment('bumped when its content changes');
    table.integer('written_generation').notNullable().defaultTo(0);
    table
      .string('version', 128)
      .nullable()
      .comment('commit SHA or bucket version of the last write');
    table.text('last_error').nullable();
    table.timestamp('scheduled_at', { useTz: true }).notNullable();
    table.timestamp('written_at', { useTz: true }).nullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.primary(['namespace', 'name']);
    table.index(['state_store', 'status']);
    table.index(['destination']);
    table.index(['work_namespace', 'work_name']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('kratix_placements');
  await knex.schema.dropTable('kratix_state_stores');
  await knex.schema.dropTable('kratix_destinations');
  await knex.schema.dropTable('kratix_work_files');
  await knex.schema.dropTable('kratix_workload_groups');
  await knex.schema.dropTable('kratix_works');
};
