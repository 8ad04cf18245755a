import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import {
  ROLLOUT_OPERATIONS,
  ROLLOUT_STATES,
  RolloutState,
} from '@shipyard/plugin-shipyard-common';
import { Zod } from '../actions/zod';
import { RolloutService } from './RolloutService';

/**
 * The rollout operations as Backstage actions (the actions registry), for agents: the same service, the same
 * permissions (checked with the caller's credentials) and the same audit as the REST routes.
 */
export function registerRolloutActions(
  actionsRegistry: ActionsRegistryService,
  service: RolloutService,
): void {
  const rolloutInput = (z: Zod) =>
    z
      .object({
        name: z.string().describe('A name for the rollout'),
        target: z
          .object({
            kubernetesVersion: z.string().optional(),
            profile: z.string().optional(),
            profileVersion: z.string().optional(),
          })
          .describe(
            'A Kubernetes version (v1.35.2), or a profile and profile version',
          ),
        selector: z
          .record(z.array(z.string()))
          .optional()
          .describe(
            "The clusters, by the fleet page's filters: owner, profile, provider, distribution, kubernetesMinor, health, managementCluster, lifecycle, label, cluster",
          ),
        stages: z
          .array(z.record(z.unknown()))
          .describe(
            'Ordered stages: name, selector, maxClusters, concurrency (number or "25%"), soakSeconds, failureBudget, approval { groups }, maintenanceWindows [{ days, start, durationMinutes, timeZone }]',
          ),
      })
      .passthrough();
  const anyObject = (z: Zod) => z.object({}).passthrough();

  actionsRegistry.register({
    name: 'rollout-plan',
    title: 'Plan a fleet rollout',
    description:
      'Plans a rollout of many clusters to a Kubernetes or profile version without starting it: stages, each cluster’s chain of steps and its pre-flight problems.',
    attributes: { readOnly: true, destructive: false, idempotent: true },
    schema: {
      input: rolloutInput,
      output: z => z.object({ plan: anyObject(z) }),
    },
    action: async ({ input, credentials }) => ({
      output: { plan: { ...(await service.plan(input, credentials)) } },
    }),
  });
  actionsRegistry.register({
    name: 'rollout-create',
    title: 'Start a fleet rollout',
    description:
      'Plans and starts a rollout; its stages wait for their gates (approvals, maintenance windows).',
    attributes: { destructive: true, idempotent: false, readOnly: false },
    schema: {
      input: rolloutInput,
      output: z => z.object({ rollout: anyObject(z) }),
    },
    action: async ({ input, credentials }) => ({
      output: { rollout: { ...(await service.create(input, credentials)) } },
    }),
  });
  actionsRegistry.register({
    name: 'rollout-list',
    title: 'List fleet rollouts',
    description: 'Rollouts, newest first, optionally by state or cluster.',
    attributes: { readOnly: true, destructive: false, idempotent: true },
    schema: {
      input: z =>
        z.object({
          state: z
            .enum(ROLLOUT_STATES as [RolloutState, ...RolloutState[]])
            .optional(),
          cluster: z
            .string()
            .optional()
            .describe('managementCluster/namespace/name'),
        }),
      output: z => z.object({ items: z.array(anyObject(z)) }),
    },
    action: async ({ input, credentials }) => ({
      output: {
        items: (await service.list(input, credentials)).map(r => ({ ...r })),
      },
    }),
  });
  actionsRegistry.register({
    name: 'rollout-get',
    title: 'Get a fleet rollout',
    description:
      'One rollout with its stages, each cluster’s step and state, and the gate each stage waits on.',
    attributes: { readOnly: true, destructive: false, idempotent: true },
    schema: {
      input: z => z.object({ id: z.string() }),
      output: z => z.object({ rollout: anyObject(z) }),
    },
    action: async ({ input, credentials }) => ({
      output: { rollout: { ...(await service.get(input.id, credentials)) } },
    }),
  });
  actionsRegistry.register({
    name: 'rollout-approve',
    title: 'Approve a rollout stage',
    description:
      'Approves the gate of the stage that waits (or a named stage ahead of time); the caller must be in one of its approval groups.',
    attributes: { destructive: false, idempotent: false, readOnly: false },
    schema: {
      input: z =>
        z.object({
          id: z.string(),
          stage: z.string().optional(),
          comment: z.string().max(1000).optional(),
        }),
      output: z => z.object({ rollout: anyObject(z) }),
    },
    action: async ({ input, credentials }) => {
      const { id, ...body } = input;
      return {
        output: {
          rollout: { ...(await service.approve(id, body, credentials)) },
        },
      };
    },
  });
  for (const operation of ROLLOUT_OPERATIONS) {
    actionsRegistry.register({
      name: `rollout-${operation}`,
      title: `${operation[0].toUpperCase()}${operation.slice(1)} a rollout`,
      description: {
        pause:
          'Pauses a rollout: no further cluster starts (those upgrading finish).',
        resume: 'Resumes a paused or halted rollout.',
        abort:
          'Aborts a rollout: every cluster not started is skipped; none is rolled back.',
      }[operation],
      attributes: {
        destructive: operation === 'abort',
        idempotent: false,
        readOnly: false,
      },
      schema: {
        input: z =>
          z.object({ id: z.string(), reason: z.string().max(1000).optional() }),
        output: z => z.object({ rollout: anyObject(z) }),
      },
      action: async ({ input, credentials }) => ({
        output: {
          rollout: {
            ...(await service.operate(
              input.id,
              operation,
              { reason: input.reason },
              credentials,
            )),
          },
        },
      }),
    });
  }
}
