// @ts-check

/**
 * Availability objectives: whether a cluster was in maintenance (a rollout step in progress, paused) is part of its
 * history, so that maintenance can be left out of its error budget.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  for (const name of ['shipyard_health_history', 'shipyard_health_status']) {
    if (!(await knex.schema.hasColumn(name, 'maintenance'))) {
      await knex.schema.alterTable(name, table => {
        table.boolean('maintenance').notNullable().defaultTo(false);
      });
    }
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  for (const name of ['shipyard_health_history', 'shipyard_health_status']) {
    await knex.schema.alterTable(name, table => {
      table.dropColumn('maintenance');
    });
  }
};
