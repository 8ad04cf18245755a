// @ts-check

/**
 * Day-2 operations that the fleet carries out after the write (resize, decommission, profile version): one row per
 * operation, followed by a `global` task until the fleet shows the result, so that any replica, and a restarted
 * one, completes what another started. Applied with its own migrations table (`shipyard_operations_migrations`).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('shipyard_cluster_operations', table => {
    table.comment('Day-2 operations on clusters, followed until they complete');
    table.string('id', 64).primary().notNullable();
    table.string('action', 40).notNullable();
    table.string('management_cluster', 63).notNullable();
    table.string('namespace', 63).notNullable();
    table.string('cluster', 63).notNullable();
    table.string('actor', 255).notNullable();
    table.string('owner', 255).nullable();
    table.string('profile', 255).nullable();
    table.string('state', 20).notNullable();
    table.text('target').notNullable();
    table.bigInteger('started_at_ms').notNullable();
    table.bigInteger('deadline_at_ms').notNullable();
    table.bigInteger('updated_at_ms').notNullable();
    table.text('message').nullable();
    table.index(['state'], 'shipyard_cluster_operations_state');
    table.index(
      ['management_cluster', 'namespace', 'cluster'],
      'shipyard_cluster_operations_cluster',
    );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('shipyard_cluster_operations');
};
