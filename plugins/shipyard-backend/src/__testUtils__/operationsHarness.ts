import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { FleetSim, startFleetSim } from '@shipyard/fleet-sim';
import type {
  ClusterAuditRecord,
  ClusterSummary,
} from '@shipyard/plugin-shipyard-common';
import request from 'supertest';
import { ownerDecision } from './access';
import {
  Backend,
  PLATFORM_TEAM,
  eventually,
  keyOf,
  proofConfig,
  startShipyardBackend,
  waitConnected,
} from './proofUtils';

/*
 * The real backend against the fleet simulator for the day-2 operation suites, with the portal's permission model:
 * members of the platform team may do everything, others change only the clusters their groups own.
 */

export const TEAM_A = 'group:default/team-a';
/** A member of team-a. */
export const ALICE = 'user:default/alice';
/** A member of team-b (owns nothing of team-a). */
export const BOB = 'user:default/bob';
/** A member of the platform team. */
export const PAT = 'user:default/pat';
/** A second member of the platform team. */
export const PAM = 'user:default/pam';

const MEMBERSHIP: Record<string, string[]> = {
  [ALICE]: [TEAM_A],
  [BOB]: ['group:default/team-b'],
  [PAT]: [PLATFORM_TEAM],
  [PAM]: [PLATFORM_TEAM],
};

export const CLUSTERS = 'cluster.x-k8s.io/clusters';

/** The sizes every profile of the harness's catalog offers: 1 to 6 workers. */
export const PROFILE_SIZES = {
  small: { controlPlaneReplicas: 1, workerReplicas: 1 },
  medium: { controlPlaneReplicas: 3, workerReplicas: 3 },
  large: { controlPlaneReplicas: 3, workerReplicas: 6 },
};

/** A ClusterProfile entity for each profile the simulated clusters name. */
function profileEntities(sim: FleetSim) {
  const names = new Set(
    sim.model.clusters
      .map(c => c.labels['shipyard.io/profile'])
      .filter((n): n is string => Boolean(n)),
  );
  return [...names].map(name => ({
    apiVersion: 'shipyard.io/v1alpha1',
    kind: 'ClusterProfile',
    metadata: { name, namespace: 'default' },
    spec: { version: '1.0.0', sizes: PROFILE_SIZES },
  }));
}

export { eventually, keyOf };

export interface OperationsHarness {
  sim: FleetSim;
  backend: Backend;
  logs: string[];
  /** A request as a user. */
  as(user: string): (method: 'get' | 'post', path: string) => request.Test;
  /** The cluster as the API serves it. */
  summary(key: string): Promise<ClusterSummary | undefined>;
  /** The audit records of a cluster, newest first. */
  audit(cluster: string): Promise<ClusterAuditRecord[]>;
  /** The audit records of a cluster as `[action, outcome, actor]`, newest first. */
  auditTrail(cluster: string): Promise<string[][]>;
  /** Waits until the cluster is gone from the simulator and from the fleet (Cluster API confirmed its deletion). */
  waitGone(key: string, timeoutMs: number): Promise<void>;
  /** The operations of a cluster as `user` reads them (`GET /clusters/:mc/:ns/:name/operations`), newest first. */
  operations(key: string, user: string): Promise<any[]>;
  /** The CAPI Cluster object in the simulator. */
  clusterObject(key: string): any;
  /** The ClusterProfile entities of the catalog; a test may change their spec while the backend runs. */
  profiles: Array<{ metadata: { name: string }; spec: Record<string, any> }>;
  stop(): Promise<void>;
}

/** Starts a simulator and the backend with the portal-like permission policy. */
export async function startOperationsHarness(options: {
  seed: string;
  clusters?: number;
  config?: Record<string, any>;
  sim?: FleetSim;
  features?: any[];
}): Promise<OperationsHarness> {
  const sim =
    options.sim ??
    (await startFleetSim({
      managementClusters: 1,
      clusters: options.clusters ?? 30,
      seed: options.seed,
      anomalies: false,
      timing: { stepMs: 20 },
    }));
  const permissions = mockServices.permissions.mock({
    authorize: async requests =>
      requests.map(() => ({ result: AuthorizeResult.ALLOW })) as any,
    authorizeConditional: async (requests, opts) => {
      const user = (opts.credentials.principal as any)?.userEntityRef;
      const groups = MEMBERSHIP[user] ?? [];
      return requests.map(r => {
        if (
          groups.includes(PLATFORM_TEAM) ||
          r.permission.name === 'shipyard.cluster.read'
        ) {
          return { result: AuthorizeResult.ALLOW };
        }
        return ownerDecision(groups);
      }) as any;
    },
  });
  const logs: string[] = [];
  const profiles = profileEntities(sim);
  const backend = await startShipyardBackend({
    logs,
    config: proofConfig(sim, options.config ?? {}),
    membership: MEMBERSHIP,
    features: [
      permissions.factory,
      schedulerServiceFactory,
      catalogServiceMock.factory({ entities: profiles }),
      ...(options.features ?? []),
    ],
  });
  await waitConnected(
    backend.client,
    sim.managementClusters.map(m => m.name),
  );
  const as =
    (user: string) =>
    (method: 'get' | 'post', path: string): request.Test =>
      request(backend.server)
        [method](`/api/shipyard${path}`)
        .set('authorization', mockCredentials.user.header(user));
  const harness: OperationsHarness = {
    sim,
    backend,
    logs,
    as,
    async summary(key) {
      const res = await as(PAT)('get', `/clusters/${key}`);
      if (res.status === 404) return undefined;
      if (res.status !== 200) throw new Error(`${res.status} ${res.text}`);
      return res.body.summary;
    },
    async audit(cluster) {
      const res = await as(PAT)('get', `/audit?cluster=${cluster}&limit=100`);
      if (res.status !== 200) throw new Error(`${res.status} ${res.text}`);
      return res.body.items;
    },
    async auditTrail(cluster) {
      return (await harness.audit(cluster)).map(r => [
        r.action,
        r.outcome,
        r.actor,
      ]);
    },
    async waitGone(key, timeoutMs) {
      await eventually(async () => {
        if (harness.clusterObject(key) !== undefined) {
          throw new Error(`${key} is still in the simulator`);
        }
        if ((await harness.summary(key)) !== undefined) {
          throw new Error(`${key} is still in the fleet`);
        }
      }, timeoutMs);
    },
    async operations(key, user) {
      const res = await as(user)('get', `/clusters/${key}/operations`).expect(
        200,
      );
      return res.body.items;
    },
    profiles,
    clusterObject(key) {
      const [mc, ns, name] = key.split('/');
      const api = sim.management(mc).api;
      return api.tryGet(api.type(CLUSTERS), ns, name);
    },
    async stop() {
      await backend.stop();
      if (!options.sim) await sim.stop();
    },
  };
  return harness;
}

/** The simulator's reference of a cluster the API serves (for its faults and objects). */
export function simRefOf(cluster: {
  managementCluster: string;
  namespace: string;
  name: string;
}) {
  return {
    management: cluster.managementCluster,
    namespace: cluster.namespace,
    name: cluster.name,
  };
}

/**
 * A healthy topology cluster of team-a with MachineDeployment workers, as the API serves it (with `anyKind`, a
 * cluster without a ClusterClass will do too).
 */
export async function pickTeamCluster(
  h: OperationsHarness,
  except: string[] = [],
  filter: (c: ClusterSummary) => boolean = () => true,
  anyKind = false,
): Promise<ClusterSummary> {
  let found: ClusterSummary | undefined;
  await eventually(async () => {
    const res = await h.as(PAT)(
      'get',
      `/clusters?owner=${encodeURIComponent(
        TEAM_A,
      )}&health=healthy&limit=100&facets=false`,
    );
    found = (res.body.items as ClusterSummary[]).find(
      c =>
        !except.includes(keyOf(c)) &&
        filter(c) &&
        (anyKind || (c.clusterClass && c.machineDeployments.length > 0)) &&
        c.phase === 'Provisioned',
    );
    if (!found) throw new Error('no healthy topology cluster of team-a yet');
  }, 20_000);
  return found!;
}

/**
 * What the tests of one suite take: each call picks a cluster ({@link pickTeamCluster}, matching `base` and the
 * call's own filter) that no earlier call of the suite took, so that no two tests act on the same cluster.
 */
export function teamClusterTaker(
  harness: () => OperationsHarness,
  options: { base?: (c: ClusterSummary) => boolean; anyKind?: boolean } = {},
): (filter?: (c: ClusterSummary) => boolean) => Promise<ClusterSummary> {
  const taken: string[] = [];
  return async filter => {
    const cluster = await pickTeamCluster(
      harness(),
      taken,
      c => (options.base?.(c) ?? true) && (filter?.(c) ?? true),
      options.anyKind,
    );
    taken.push(keyOf(cluster));
    return cluster;
  };
}
