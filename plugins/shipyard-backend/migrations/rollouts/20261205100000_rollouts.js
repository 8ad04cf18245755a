// @ts-check

/**
 * Fleet rollouts: one row per rollout with its request and the state of its stages and clusters, written with an
 * optimistic revision so that one replica drives it while any replica serves it. Applied with its own migrations
 * table (`shipyard_rollouts_migrations`).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('shipyard_rollouts', table => {
    table.comment('Fleet rollouts: request, stages, clusters and their state');
    table.string('id', 64).primary().notNullable();
    table.string('name', 100).notNullable();
    table.string('state', 20).notNullable();
    table.string('created_by', 255).notNullable();
    table.string('created_at', 40).notNullable();
    table.string('updated_at', 40).notNullable();
    table.bigInteger('created_at_ms').notNullable();
    table.integer('revision').notNullable();
    table.text('spec', 'longtext').notNullable();
    table.text('stages', 'longtext').notNullable();
    table.text('excluded', 'longtext').notNullable();
    table.text('message').nullable();
    table.index(['state'], 'shipyard_rollouts_state');
    table.index(['created_at_ms'], 'shipyard_rollouts_created');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('shipyard_rollouts');
};
