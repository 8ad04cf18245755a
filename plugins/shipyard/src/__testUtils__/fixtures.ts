import { Entity } from '@backstage/catalog-model';
import {
  ClusterClassSummary,
  ClusterDetails,
  ClusterKey,
  ClusterListItem,
  ClusterOperationName,
  ClusterLifecycleResponse,
  VersionDebtResponse,
  ClusterObjectiveResponse,
  ObjectivesResponse,
  ClusterSummary,
  FleetChangeEvent,
  FleetSummary,
  ListClustersRequest,
  ListClustersResponse,
  ManagementClusterStatus,
  clusterListItemOf,
} from '@shipyard/plugin-shipyard-common';
import { ShipyardApi } from '../api';
import { FleetEventsListener } from '../api/types';

/** A cluster summary for tests. */
export function makeCluster(
  overrides: Partial<ClusterSummary> = {},
): ClusterSummary {
  const name = overrides.name ?? 'prod-1';
  return {
    managementCluster: 'mgmt-eu',
    namespace: 'team-a',
    name,
    uid: `uid-${name}`,
    title: name,
    owner: 'group:default/team-a',
    profile: 'eks-standard',
    profileVersion: '1.2.0',
    clusterClass: 'eks-standard',
    provider: 'aws',
    distribution: 'eks',
    kubernetesVersion: 'v1.31.2',
    observedKubernetesVersion: 'v1.31.2',
    kubernetesMinor: '1.31',
    phase: 'Provisioned',
    health: 'healthy',
    healthReasons: [],
    conditions: [{ type: 'Available', status: 'True' }],
    controlPlane: { desired: 3, ready: 3, current: 3 },
    workers: { desired: 2, ready: 2, current: 2 },
    machineDeployments: [],
    machinePools: [],
    machinesByPhase: { Running: 5 },
    machineCount: 5,
    createdAt: '2024-01-01T00:00:00Z',
    labels: {},
    lastChangedAt: '2024-01-02T00:00:00Z',
    apiVersion: 'cluster.x-k8s.io/v1beta2',
    source: { state: 'connected', resynced: true },
    versionSupport: {
      status: 'supported',
      minor: '1.31',
      endOfLife: '2099-10-28',
    },
    ...overrides,
  };
}

/**
 * The catalog entity of a cluster: a `Resource` of type `kubernetes-cluster` annotated with the cluster's key
 * (by default mgmt-eu/team-a/prod-1, named `mgmt-eu--team-a--prod-1`).
 */
export function makeClusterEntity(
  options: { name?: string; owner?: string; cluster?: ClusterKey } = {},
): Entity {
  const { managementCluster, namespace, name } = options.cluster ?? {
    managementCluster: 'mgmt-eu',
    namespace: 'team-a',
    name: 'prod-1',
  };
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: options.name ?? `${managementCluster}--${namespace}--${name}`,
      namespace: 'default',
      annotations: {
        'shipyard.io/management-cluster': managementCluster,
        'shipyard.io/cluster-namespace': namespace,
        'shipyard.io/cluster-name': name,
      },
    },
    spec: {
      type: 'kubernetes-cluster',
      ...(options.owner ? { owner: options.owner } : {}),
    },
  };
}

/** A page of `GET /clusters` holding `items`, all there are. */
export function clusterList(items: ClusterSummary[]): ListClustersResponse {
  return { items, totalCount: items.length, revision: 1 };
}

export function makeSummary(
  overrides: Partial<FleetSummary> = {},
): FleetSummary {
  return {
    totalCount: 3,
    byHealth: { healthy: 2, unhealthy: 1 },
    byPhase: { Provisioned: 3 },
    byProvider: { aws: 2, docker: 1 },
    byDistribution: { eks: 2, kubeadm: 1 },
    byKubernetesMinor: { '1.99': 2, '1.19': 1 },
    byOwner: { 'group:default/team-a': 2, 'group:default/team-b': 1 },
    byManagementCluster: { 'mgmt-eu': 3 },
    byVersionSupport: { supported: 2, 'end-of-life': 1 },
    byDrift: {},
    driftedCount: 0,
    staleCount: 0,
    revision: 7,
    ...overrides,
  };
}

export function makeManagementCluster(
  overrides: Partial<ManagementClusterStatus> = {},
): ManagementClusterStatus {
  return {
    name: 'mgmt-eu',
    url: 'https://mgmt-eu:6443',
    state: 'connected',
    resynced: true,
    lastSyncAt: '2024-01-02T00:00:00Z',
    objectCounts: {
      clusters: 3,
      clusterClasses: 1,
      machineDeployments: 3,
      machineSets: 3,
      machines: 12,
      machinePools: 0,
      machineHealthChecks: 0,
      controlPlanes: 3,
      skipped: 0,
    },
    kinds: [],
    ...overrides,
  };
}

export function makeDetails(
  cluster: ClusterSummary = makeCluster(),
): ClusterDetails {
  return {
    summary: cluster,
    revision: 7,
    tree: {
      kind: 'Cluster',
      name: cluster.name,
      ready: 'True',
      reason: 'Available',
      since: '2024-01-01T00:10:00Z',
      children: [
        {
          kind: 'ClusterInfrastructure',
          name: `${cluster.name}-infra`,
          ready: 'True',
        },
        {
          kind: 'ControlPlane',
          name: `${cluster.name}-cp`,
          ready: 'True',
          replicas: cluster.controlPlane,
          children: [
            {
              kind: 'Machine',
              name: `${cluster.name}-cp-abc`,
              ready: 'True',
              phase: 'Running',
              version: cluster.kubernetesVersion,
              nodeName: 'ip-10-0-0-1',
            },
          ],
        },
        {
          kind: 'Workers',
          name: 'Workers',
          ready: 'False',
          children: [
            {
              kind: 'MachineDeployment',
              name: `${cluster.name}-md-0`,
              ready: 'False',
              replicas: { desired: 2, ready: 1 },
              reason: 'WaitingForNodeRef',
              message: '1 of 2 machines is not ready',
              children: [
                {
                  kind: 'Machine',
                  name: `${cluster.name}-md-0-xyz`,
                  ready: 'False',
                  phase: 'Provisioning',
                },
              ],
            },
          ],
        },
      ],
    },
  };
}

/** A version debt answer: three clusters, one of them in charged extended support. */
export function makeVersionDebt(
  overrides: Partial<VersionDebtResponse> = {},
): VersionDebtResponse {
  return {
    evaluatedAt: '2026-12-05T12:00:00.000Z',
    totalCount: 3,
    byStatus: { supported: 1, extended: 1, 'end-of-life': 1 },
    chargedExtendedCount: 1,
    byOwner: [
      {
        owner: 'group:default/team-a',
        total: 2,
        counts: { extended: 1, 'end-of-life': 1 },
      },
      { owner: 'group:default/team-b', total: 1, counts: { supported: 1 } },
    ],
    byDistribution: [
      {
        distribution: 'eks',
        calendar: 'eks',
        total: 2,
        counts: { supported: 1, extended: 1 },
      },
      {
        distribution: 'k3s',
        calendar: 'upstream',
        total: 1,
        counts: { 'end-of-life': 1 },
      },
    ],
    projection: [
      '2026-12-05',
      '2027-01-01',
      '2027-02-01',
      '2027-03-01',
      '2027-04-01',
      '2027-05-01',
      '2027-06-01',
      '2027-07-01',
      '2027-08-01',
      '2027-09-01',
      '2027-10-01',
      '2027-11-01',
      '2027-12-01',
    ].map((date, i) => ({
      date,
      counts:
        i < 4
          ? { supported: 1, extended: 1, 'end-of-life': 1 }
          : { extended: 2, 'end-of-life': 1 },
    })),
    ...overrides,
  };
}

/** A cluster lifecycle answer: EKS 1.33 in charged extended support, one step back into support. */
export function makeClusterLifecycle(
  overrides: Partial<ClusterLifecycleResponse> = {},
): ClusterLifecycleResponse {
  const source =
    'https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html';
  return {
    cluster: {
      managementCluster: 'mgmt-eu',
      namespace: 'team-a',
      name: 'prod-1',
      distribution: 'eks',
      kubernetesVersion: 'v1.33.4-eks-1',
      profile: 'eks-standard',
      profileVersion: '1.2.0',
    },
    evaluatedAt: '2026-12-05T12:00:00.000Z',
    support: {
      status: 'extended',
      minor: '1.33',
      distribution: 'eks',
      calendar: 'eks',
      releaseDate: '2025-05-29',
      endOfStandardSupport: '2026-07-29',
      endOfExtendedSupport: '2027-07-29',
      extendedSupportCharged: true,
      extendedSupportEnrolled: true,
      endOfLife: '2027-07-29',
      nextBoundary: { date: '2027-07-30', status: 'end-of-life' },
      daysToNextBoundary: 237,
      origin: 'bundled',
    },
    calendar: {
      name: 'eks',
      title: 'Amazon EKS',
      source,
      origin: 'bundled',
      extendedSupport: {
        name: 'extended support',
        charged: true,
        optIn: false,
      },
      records: [
        {
          distribution: 'eks',
          minor: '1.33',
          releaseDate: '2025-05-29',
          endOfStandardSupport: '2026-07-29',
          endOfExtendedSupport: '2027-07-29',
          extendedSupportCharged: true,
          source,
          fetchedAt: '2026-12-05',
          origin: 'bundled',
          calendar: 'eks',
          status: 'extended',
          nextBoundary: { date: '2027-07-30', status: 'end-of-life' },
          daysToNextBoundary: 237,
        },
        {
          distribution: 'eks',
          minor: '1.34',
          releaseDate: '2025-10-02',
          endOfStandardSupport: '2026-12-02',
          endOfExtendedSupport: '2027-12-02',
          extendedSupportCharged: true,
          source,
          fetchedAt: '2026-12-05',
          origin: 'bundled',
          calendar: 'eks',
          status: 'extended',
        },
        {
          distribution: 'eks',
          minor: '1.35',
          releaseDate: '2026-01-27',
          endOfStandardSupport: '2027-03-27',
          endOfExtendedSupport: '2028-03-27',
          extendedSupportCharged: true,
          source,
          fetchedAt: '2026-12-05',
          origin: 'bundled',
          calendar: 'eks',
          status: 'supported',
        },
      ],
    },
    upgrades: {
      current: {
        profile: 'eks-standard',
        profileVersion: '1.2.0',
        kubernetesVersion: 'v1.33.4-eks-1',
        minor: '1.33',
        status: 'extended',
      },
      profileKnown: true,
      available: [
        {
          kind: 'kubernetes',
          profile: 'eks-standard',
          profileVersion: '1.2.0',
          kubernetesVersion: 'v1.34',
          minor: '1.34',
          status: 'extended',
        },
      ],
      pathToSupport: [
        {
          kind: 'kubernetes',
          profile: 'eks-standard',
          profileVersion: '1.2.0',
          kubernetesVersion: 'v1.34',
          minor: '1.34',
          status: 'extended',
        },
        {
          kind: 'kubernetes',
          profile: 'eks-standard',
          profileVersion: '1.2.0',
          kubernetesVersion: 'v1.35',
          minor: '1.35',
          status: 'supported',
        },
      ],
    },
    profilesAvailable: true,
    ...overrides,
  };
}

/** The change event of revision `revision`: the cluster `name` of mgmt-eu/team-a was written (its entity unchanged). */
export function clusterUpserted(
  revision: number,
  name = 'prod-1',
): FleetChangeEvent {
  return {
    revision,
    changes: [
      {
        managementCluster: 'mgmt-eu',
        namespace: 'team-a',
        name,
        type: 'upserted',
        entityChanged: false,
      },
    ],
  };
}

/** A ShipyardApi mock whose event stream tests can drive with `emit`. */
export function mockShipyardApi(
  overrides: Partial<ShipyardApi> = {},
): jest.Mocked<ShipyardApi> & {
  emit(event: FleetChangeEvent): void;
  listeners: Set<FleetEventsListener>;
} {
  const listeners = new Set<FleetEventsListener>();
  const clusters = [
    makeCluster(),
    makeCluster({ name: 'prod-2', health: 'unhealthy' }),
    makeCluster({
      name: 'dev-1',
      owner: 'group:default/team-b',
      provider: 'docker',
    }),
  ];
  const api = {
    getHealth: jest.fn(async () => ({ status: 'ok' })),
    listClusters: jest.fn(
      async (
        request?: ListClustersRequest,
      ): Promise<ListClustersResponse<ClusterSummary | ClusterListItem>> => ({
        // as the backend answers: slim list items with fields=list
        items:
          request?.fields === 'list'
            ? clusters.map(c => clusterListItemOf(c))
            : clusters,
        totalCount: clusters.length,
        revision: 7,
        facets: {
          owner: [
            { value: 'group:default/team-a', count: 2 },
            { value: 'group:default/team-b', count: 1 },
          ],
          profile: [{ value: 'eks-standard', count: 3 }],
          provider: [
            { value: 'aws', count: 2 },
            { value: 'docker', count: 1 },
          ],
          distribution: [{ value: 'eks', count: 3 }],
          kubernetesMinor: [{ value: '1.31', count: 3 }],
          health: [
            { value: 'healthy', count: 2 },
            { value: 'unhealthy', count: 1 },
          ],
          phase: [{ value: 'Provisioned', count: 3 }],
          managementCluster: [{ value: 'mgmt-eu', count: 3 }],
          label: [],
          versionSupport: [{ value: 'supported', count: 3 }],
          drift: [],
          budget: [],
        },
      }),
    ),
    getCluster: jest.fn(async (key: ClusterKey) =>
      makeDetails(makeCluster({ ...key })),
    ),
    getSummary: jest.fn(async () => makeSummary()),
    listManagementClusters: jest.fn(async () => ({
      items: [makeManagementCluster()],
    })),
    listClusterClasses: jest.fn(async () => [makeClusterClass()]),
    getClusterHistory: jest.fn(async () => ({ items: [] })),
    listAuditRecords: jest.fn(async () => ({ items: [] })),
    getVersionSupport: jest.fn(async () => {
      throw new Error('not used');
    }),
    getClusterLifecycle: jest.fn(async () => makeClusterLifecycle()),
    getVersionDebt: jest.fn(async () => makeVersionDebt()),
    getClusterObjective: jest.fn(async () => makeClusterObjective()),
    getObjectives: jest.fn(async () => makeObjectives()),
    runClusterOperation: jest.fn(
      async (key: ClusterKey, operation: ClusterOperationName) => ({
        ...key,
        operation,
        dryRun: false,
        unchanged: false,
        before: {},
        after: {},
        message: `${key.name}: ${operation} done`,
      }),
    ),
    listClusterOperations: jest.fn(async () => []),
    subscribe: jest.fn((listener: FleetEventsListener) => {
      listeners.add(listener);
      listener.onState?.('open');
      return { unsubscribe: () => listeners.delete(listener) };
    }),
    ...overrides,
  };
  return Object.assign(api, {
    listeners,
    emit(event: FleetChangeEvent) {
      for (const l of listeners) l.onChange(event);
    },
  }) as unknown as jest.Mocked<ShipyardApi> & {
    emit(event: FleetChangeEvent): void;
    listeners: Set<FleetEventsListener>;
  };
}

/** A ClusterClass with a string, an enum, a boolean and an object variable. */
export function makeClusterClass(
  overrides: Partial<ClusterClassSummary> = {},
): ClusterClassSummary {
  return {
    managementCluster: 'mgmt-eu',
    namespace: 'team-a',
    name: 'eks-standard',
    machineDeploymentClasses: ['default-worker'],
    machinePoolClasses: [],
    labels: {},
    variables: [
      {
        name: 'region',
        required: true,
        schema: { type: 'string', enum: ['eu-west-1', 'us-east-1'] },
        description: 'AWS region',
      },
      {
        name: 'privateEndpoint',
        required: false,
        schema: { type: 'boolean', default: false },
      },
      {
        name: 'podSecurity',
        required: false,
        schema: {
          type: 'object',
          additionalProperties: false,
          properties: {
            enforce: { type: 'string', enum: ['baseline', 'restricted'] },
            audit: { type: 'boolean' },
          },
        },
      },
    ],
    ...overrides,
  };
}

/** The objective of a cluster that lost 10 minutes today (99.9 % over 30 days). */
export function makeClusterObjective(): ClusterObjectiveResponse {
  const start = Date.parse('2026-01-01T00:00:00Z');
  return {
    computedAt: '2026-01-31T00:00:00.000Z',
    rules: { badStates: ['unhealthy', 'unknown'], excludeMaintenance: true },
    objective: {
      objective: { name: 'production', target: 99.9, windowDays: 30 },
      state: 'burning',
      windowStart: new Date(start).toISOString(),
      availability: 99.976852,
      minutes: { good: 43190, bad: 10, excluded: 0, noData: 0 },
      budget: {
        totalMinutes: 43.2,
        remainingMinutes: 33.2,
        remainingPercent: 76.851852,
      },
      burnRates: { oneHour: 166.666667, sixHours: 27.777778, window: 0.231481 },
      alerts: [
        {
          name: 'fast-1h',
          severity: 'page',
          longWindowMinutes: 60,
          shortWindowMinutes: 5,
          threshold: 14.4,
          longBurnRate: 166.666667,
          shortBurnRate: 1000,
          firing: true,
        },
      ],
      fastBurn: true,
      days: Array.from({ length: 30 }, (_, i) => ({
        start: new Date(start + i * 86_400_000).toISOString(),
        badMinutes: i === 29 ? 10 : 0,
        availability: i === 29 ? 99.305556 : 100,
      })),
    },
  };
}

/** A team's objectives: an exhausted cluster, a burning one and a fine one, the least budget left first. */
export function makeObjectives(): ObjectivesResponse {
  const rollup = {
    clusters: 3,
    availability: 99.9,
    goodMinutes: 100000,
    badMinutes: 100,
    budget: { totalMinutes: 200, remainingMinutes: 100, remainingPercent: 50 },
    byState: { exhausted: 1, burning: 1, ok: 1 },
  };
  const item = (
    name: string,
    state: 'exhausted' | 'burning' | 'ok',
    remainingPercent: number,
  ) => ({
    managementCluster: 'mgmt-eu-1',
    namespace: 'team-a',
    name,
    title: name,
    owner: 'group:default/team-a',
    health: 'healthy' as const,
    objective: { name: 'production', target: 99.9, windowDays: 30 },
    state,
    availability: 99.9,
    budget: {
      totalMinutes: 43.2,
      remainingMinutes: (43.2 * remainingPercent) / 100,
      remainingPercent,
    },
    burnRates: { oneHour: 0, sixHours: 0, window: 1 },
    fastBurn: state === 'burning',
  });
  return {
    computedAt: '2026-01-31T00:00:00.000Z',
    rules: { badStates: ['unhealthy', 'unknown'], excludeMaintenance: true },
    total: rollup,
    byOwner: [{ ...rollup, owner: 'group:default/team-a' }],
    byProfile: [{ ...rollup, profile: 'standard' }],
    clusters: [
      item('payments', 'exhausted', -15.7),
      item('checkout', 'burning', 40),
      item('search', 'ok', 100),
    ],
    withoutObjective: 0,
  };
}
