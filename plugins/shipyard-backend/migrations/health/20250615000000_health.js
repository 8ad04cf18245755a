// @ts-check

/**
 * Health aggregation: the last probe result of each workload cluster (written by the replica that ran the probe
 * round, read by every replica), the current health status of each cluster and its history of transitions.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  // a database migrated before this store had its own migrations table has its tables already (recorded in
  // knex_migrations): they are kept as they are
  if (!(await knex.schema.hasTable('shipyard_probe_results'))) {
    await knex.schema.createTable('shipyard_probe_results', table => {
      table.comment(
        'Last probe result of each workload cluster (no credentials)',
      );
      table.string('cluster_key', 400).primary().notNullable();
      table.string('management_cluster', 63).notNullable();
      table.text('result', 'longtext').notNullable();
      table.string('probed_at', 40).notNullable();
      table.bigInteger('updated_at').notNullable().index();
    });
  }
  if (!(await knex.schema.hasTable('shipyard_health_status'))) {
    await knex.schema.createTable('shipyard_health_status', table => {
      table.comment(
        'Last recorded health status of each cluster (the head of its history)',
      );
      table.string('cluster_key', 400).primary().notNullable();
      table.string('status', 20).notNullable();
      table.string('since', 40).notNullable();
      table.integer('entries').notNullable().defaultTo(0);
    });
  }
  if (!(await knex.schema.hasTable('shipyard_health_history'))) {
    await knex.schema.createTable('shipyard_health_history', table => {
      table.comment('Health transitions of each cluster');
      table.bigIncrements('id').primary();
      table.string('cluster_key', 400).notNullable();
      table.bigInteger('at_ms').notNullable();
      table.string('at', 40).notNullable();
      table.string('status', 20).notNullable();
      table.string('previous_status', 20).nullable();
      table.text('reasons', 'longtext').notNullable();
      table.index(['cluster_key', 'id'], 'shipyard_health_history_key_id');
      table.index(['at_ms'], 'shipyard_health_history_at');
    });
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('shipyard_health_history');
  await knex.schema.dropTable('shipyard_health_status');
  await knex.schema.dropTable('shipyard_probe_results');
};
