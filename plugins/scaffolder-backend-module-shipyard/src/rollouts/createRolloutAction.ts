import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  RolloutAnswer,
  RolloutRequest,
  RolloutsClient,
} from './RolloutsClient';

/** Drops the fields a template left empty (null, undefined or ''), at any depth of plain objects. */
function compact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(compact);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null && v !== undefined && v !== '')
      .map(([k, v]) => [k, compact(v)]),
  );
}

/** The portal's page of a rollout. */
export function rolloutPagePath(id: string): string {
  return `/shipyard/rollouts/${encodeURIComponent(id)}`;
}

/**
 * `shipyard:rollout:create`: plans and starts a fleet rollout as the task's initiator (the backend checks the input,
 * `shipyard.rollout.create` on every cluster of the plan, and audits the start); with `dryRun`, plans only.
 */
export function createRolloutCreateAction(deps: { rollouts: RolloutsClient }) {
  return createTemplateAction({
    id: 'shipyard:rollout:create',
    description:
      'Plans and starts a fleet rollout (a target Kubernetes or profile version, a selection of clusters, ordered stages with concurrency, soak, failure budget, approval and maintenance windows) as the initiator; the backend checks shipyard.rollout.create on every cluster and audits it. With dryRun, only plans.',
    examples: [
      {
        description:
          'Move the clusters of profile web behind version 2.1.0 to it: canaries, then development, then production after an approval',
        example: [
          'steps:',
          '  - id: rollout',
          '    action: shipyard:rollout:create',
          '    input:',
          '      name: web to 2.1.0',
          '      target: { profile: web, profileVersion: 2.1.0 }',
          '      selector: { profile: [web], behind: { profileVersion: 2.1.0 } }',
          '      stages:',
          '        - { name: canary, maxClusters: 1 }',
          '        - { name: development, selector: { lifecycle: [development] }, concurrency: 25% }',
          '        - { name: production, approval: { groups: [group:default/platform-team] } }',
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        name: z => z.string().min(1).max(100).describe('Name of the rollout'),
        description: z => z.string().max(2000).optional(),
        target: z =>
          z
            .record(z.string())
            .describe(
              'kubernetesVersion, or profile and profileVersion (the backend checks it)',
            ),
        selector: z =>
          z
            .record(z.unknown())
            .nullable()
            .optional()
            .describe(
              "The clusters: the fleet page's filters, lifecycle, cluster, behind (the backend checks it)",
            ),
        stages: z =>
          z
            .array(z.record(z.unknown()))
            .min(1)
            .describe('Ordered stages (the backend checks them)'),
        dryRun: z =>
          z.boolean().optional().describe('Plan only; start nothing'),
      },
      output: {
        id: z => z.string().optional(),
        rolloutPath: z => z.string().optional(),
        stages: z => z.number(),
        clusters: z => z.number(),
        excluded: z => z.number(),
      },
    },
    async handler(ctx) {
      const credentials = await ctx.getInitiatorCredentials();
      const spec = {
        name: ctx.input.name,
        ...(ctx.input.description
          ? { description: ctx.input.description }
          : {}),
        target: ctx.input.target,
        ...(ctx.input.selector
          ? { selector: compact(ctx.input.selector) }
          : {}),
        stages: compact(ctx.input.stages),
      } as RolloutRequest;
      const answer = ctx.input.dryRun
        ? await deps.rollouts.plan(credentials, spec)
        : await deps.rollouts.create(credentials, spec);
      const clusters = answer.stages.reduce((n, s) => n + s.clusters.length, 0);
      const stages = answer.stages
        .map(s => `${s.name} (${s.clusters.length})`)
        .join(', ');
      ctx.logger.info(
        `${
          ctx.input.dryRun ? 'Planned' : 'Started'
        }: ${clusters} cluster(s) in ${
          answer.stages.length
        } stage(s): ${stages}; ${answer.excluded.length} left out`,
      );
      for (const c of answer.excluded) {
        ctx.logger.info(`left out ${c.key}: ${c.message ?? ''}`);
      }
      const id = ctx.input.dryRun ? undefined : (answer as RolloutAnswer).id;
      if (id) {
        ctx.output('id', id);
        ctx.output('rolloutPath', rolloutPagePath(id));
      }
      ctx.output('stages', answer.stages.length);
      ctx.output('clusters', clusters);
      ctx.output('excluded', answer.excluded.length);
    },
  });
}
