/**
 * Who asked for a work's current version, and why: its annotations (a
 * ticket id a template passes, the scaffolder task and template) and the
 * user or service who submitted it last, for commit messages and object
 * metadata. The owners stay the creator's.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('kratix_works', table => {
    table.text('annotations').nullable().comment('JSON: the annotations of the current version');
    table
      .string('submitted_by')
      .nullable()
      .comment('entity ref of who submitted the current version');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('kratix_works', table => {
    table.dropColumn('annotations');
    table.dropColumn('submitted_by');
  });
};
