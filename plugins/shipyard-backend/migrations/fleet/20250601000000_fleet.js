// @ts-check

/**
 * Persisted fleet state: the last known summary of every cluster and the state of every management cluster, so
 * that a restarted backend serves the fleet at once.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  // a database migrated before this store had its own migrations table has its tables already (recorded in
  // knex_migrations): they are kept as they are
  if (!(await knex.schema.hasTable('shipyard_clusters'))) {
    await knex.schema.createTable('shipyard_clusters', table => {
      table.comment('Last known summary of each workload cluster');
      table.string('cluster_key', 400).primary().notNullable();
      table.string('management_cluster', 63).notNullable().index();
      table.text('summary', 'longtext').notNullable();
      table.string('last_seen_at', 40).nullable();
      table.bigInteger('updated_at').notNullable();
    });
  }
  if (!(await knex.schema.hasTable('shipyard_management_clusters'))) {
    await knex.schema.createTable('shipyard_management_clusters', table => {
      table.comment('Last known state of each management cluster');
      table.string('name', 63).primary().notNullable();
      table.text('status', 'longtext').notNullable();
      table.bigInteger('updated_at').notNullable();
    });
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('shipyard_management_clusters');
  await knex.schema.dropTable('shipyard_clusters');
};
