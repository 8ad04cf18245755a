/*
 * The rollout suites' backend on the fleet simulator, started through the test harness (`startShipyardBackend`):
 * the real Shipyard plugin with the real scheduler on a shared database, ClusterProfile entities for the
 * simulator's profiles, a platform user and a user who may not approve, and an optional clock for the rollouts.
 */
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
// eslint-disable-next-line @backstage/no-undeclared-imports
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
// this folder serves the test suites only: the test utilities are dev dependencies
// eslint-disable-next-line @backstage/no-undeclared-imports
import { mockServices } from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  isPermission,
} from '@backstage/plugin-permission-common';
// eslint-disable-next-line @backstage/no-undeclared-imports
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
// eslint-disable-next-line @backstage/no-undeclared-imports
import { FleetSim } from '@shipyard/fleet-sim';
import {
  CLUSTER_PROFILE_API_VERSION,
  CLUSTER_PROFILE_KIND,
  shipyardRolloutApprovePermission,
} from '@shipyard/plugin-shipyard-common';
// eslint-disable-next-line @backstage/no-undeclared-imports
import {
  PLATFORM_TEAM,
  shipyardTestConfig,
  startShipyardBackend,
} from '@shipyard/test-utils';
import { Knex } from 'knex';
import { DEFAULT_SYNC_CONFIG } from '../config/config';
import { shipyardPlugin } from '../plugin';
import { RolloutClock, rolloutClockServiceRef } from '../rollouts/clock';

export const PLATFORM = PLATFORM_TEAM;
/** A member of the platform team. */
export const PAT = 'user:default/pat';
/** A member of team-b who may do everything but approve rollouts. */
export const BOB = 'user:default/bob';
/** The Kubernetes versions every profile version allows. */
export const ROLLOUT_VERSIONS = ['v1.33.9', 'v1.34.7', 'v1.35.5', 'v1.36.2'];

/** ClusterProfile entities for every profile version the simulator's clusters name, allowing the versions above. */
export function profileEntities(sim: FleetSim) {
  const seen = new Map<string, Set<string>>();
  for (const w of sim.workloadClusters()) {
    const name = w.labels['shipyard.io/profile'];
    const version = w.labels['shipyard.io/profile-version'];
    if (!name || !version) continue;
    if (!seen.has(name)) seen.set(name, new Set());
    seen.get(name)!.add(version);
  }
  return [...seen].map(([name, versions]) => {
    const [current, ...previous] = [...versions].sort().reverse();
    return {
      apiVersion: CLUSTER_PROFILE_API_VERSION,
      kind: CLUSTER_PROFILE_KIND,
      metadata: { name, namespace: 'default' },
      spec: {
        version: current,
        kubernetes: { versions: ROLLOUT_VERSIONS },
        previousVersions: previous.map(v => ({
          version: v,
          kubernetes: { versions: ROLLOUT_VERSIONS },
        })),
      },
    };
  });
}

/**
 * Records every change of a Cluster's topology version on the simulator's management clusters: `mc/ns/name` → the
 * versions it was changed to, in order.
 */
export function recordVersionChanges(sim: FleetSim): Map<string, string[]> {
  const versionChanges = new Map<string, string[]>();
  sim.onChange(change => {
    if (change.kind !== 'Cluster' || change.type !== 'MODIFIED') return;
    const now = JSON.parse(change.json).spec?.topology?.version;
    const before = JSON.parse(change.previousJson() ?? '{}').spec?.topology
      ?.version;
    if (now && before && now !== before) {
      const key = `${change.managementCluster}/${change.namespace}/${change.name}`;
      versionChanges.set(key, [...(versionChanges.get(key) ?? []), now]);
    }
  });
  return versionChanges;
}

/** Starts the backend on the simulator's management clusters and the given database. */
export function startRolloutsBackend(options: {
  sim: FleetSim;
  knex: Knex;
  clock?: RolloutClock;
  unhealthyGraceSeconds?: number;
  /** More services or plugins (the actions registry). */
  features?: Parameters<typeof startShipyardBackend>[0]['features'];
}) {
  const { sim, knex, clock } = options;
  return startShipyardBackend({
    plugin: shipyardPlugin,
    config: shipyardTestConfig(sim, {
      shipyard: {
        // the production staleness and backoff: a rollout waits for healthy clusters, which a slow answer of a
        // loaded machine must not turn stale
        sync: {
          staleAfterMs: DEFAULT_SYNC_CONFIG.staleAfterMs,
          backoff: DEFAULT_SYNC_CONFIG.backoff,
        },
        rollouts: {
          tickSeconds: 1,
          unhealthyGraceSeconds: options.unhealthyGraceSeconds ?? 1,
        },
      },
    }),
    features: [
      // the real scheduler: the executor runs as a global task whose state is in the database
      schedulerServiceFactory,
      mockServices.database.factory({ knex }),
      catalogServiceMock.factory({ entities: profileEntities(sim) }),
      ...(clock
        ? [
            createServiceFactory({
              service: rolloutClockServiceRef,
              deps: {},
              factory: () => clock,
            }),
          ]
        : []),
      createServiceFactory({
        service: coreServices.userInfo,
        deps: {},
        factory: () =>
          mockServices.userInfo.mock({
            getUserInfo: async credentials => {
              const principal = credentials.principal as {
                type: string;
                userEntityRef: string;
              };
              // as the backend's own user info: a user's credentials only
              if (principal.type !== 'user') {
                throw new Error(
                  `no user info for a ${principal.type} principal`,
                );
              }
              const ref = principal.userEntityRef;
              return {
                userEntityRef: ref,
                ownershipEntityRefs:
                  ref === PAT ? [ref, PLATFORM] : [ref, 'group:default/team-b'],
              };
            },
          }),
      }),
      // bob may do everything but approve rollouts
      createServiceFactory({
        service: coreServices.permissions,
        deps: {},
        factory: () => {
          const decide = (permission: any, credentials: any) =>
            credentials.principal?.userEntityRef === BOB &&
            isPermission(permission, shipyardRolloutApprovePermission)
              ? AuthorizeResult.DENY
              : AuthorizeResult.ALLOW;
          return mockServices.permissions.mock({
            authorize: async (reqs, { credentials }) =>
              reqs.map(r => ({ result: decide(r.permission, credentials) })),
            authorizeConditional: async (reqs, { credentials }) =>
              reqs.map(r => ({
                result: decide(r.permission, credentials),
              })) as any,
          });
        },
      }),
      ...(options.features ?? []),
    ],
  });
}
