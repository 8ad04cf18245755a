// @ts-check

/**
 * Version lifecycle: the last calendar read from each configured refresh source (endoflife.date v1 product format),
 * shared by every replica; the data file shipped with Shipyard stays the fallback.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  // a database migrated before this store had its own migrations table has its tables already (recorded in
  // knex_migrations): they are kept as they are
  if (!(await knex.schema.hasTable('shipyard_version_support'))) {
    await knex.schema.createTable('shipyard_version_support', table => {
      table.comment(
        'Support calendars refreshed from remote sources, one row per distribution',
      );
      table.string('distribution', 63).primary().notNullable();
      table.text('source_url').notNullable();
      table.text('records', 'longtext').nullable();
      table.string('fetched_at', 40).nullable();
      table.string('checked_at', 40).nullable();
      table.string('attempted_at', 40).notNullable();
      table.text('last_error').nullable();
      table.string('etag', 400).nullable();
    });
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('shipyard_version_support');
};
