// @ts-check

/**
 * Audit records of cluster requests and upgrades (who, what, when, outcome), written by the scaffolder module.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  // a database migrated before this store had its own migrations table has its tables already (recorded in
  // knex_migrations): they are kept as they are
  if (!(await knex.schema.hasTable('shipyard_audit'))) {
    await knex.schema.createTable('shipyard_audit', table => {
      table.comment('Cluster requests, upgrades and refusals');
      table.bigIncrements('id').primary();
      table.bigInteger('at_ms').notNullable();
      table.string('at', 40).notNullable();
      table.string('actor', 255).notNullable();
      table.string('action', 40).notNullable();
      table.string('outcome', 20).notNullable();
      table.string('management_cluster', 63).nullable();
      table.string('namespace', 63).nullable();
      table.string('cluster', 63).nullable();
      table.string('profile', 255).nullable();
      table.string('owner', 255).nullable();
      table.string('mode', 20).nullable();
      table.text('message').nullable();
      table.string('task_id', 100).nullable();
      table.text('details').nullable();
      table.index(['actor', 'id'], 'shipyard_audit_actor_id');
      table.index(
        ['management_cluster', 'namespace', 'cluster'],
        'shipyard_audit_cluster',
      );
    });
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('shipyard_audit');
};
