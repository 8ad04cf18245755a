import { HEALTH_STATUSES } from '@shipyard/plugin-shipyard-common';
import { StoredClusterSummary } from '../index/FleetIndex';
// this folder serves the test suites only: the shared test utilities are a dev dependency
// eslint-disable-next-line @backstage/no-undeclared-imports
import { seededRandom } from '@shipyard/test-utils';

/** A cluster summary for tests. */
export function makeSummary(
  overrides: Partial<StoredClusterSummary> & { name: string },
): StoredClusterSummary {
  return {
    managementCluster: 'mc-a',
    namespace: 'default',
    uid: `uid-${overrides.name}`,
    title: overrides.name,
    owner: 'group:default/team-a',
    phase: 'Provisioned',
    health: 'healthy',
    healthReasons: [],
    conditions: [],
    controlPlane: {},
    workers: {},
    machineDeployments: [],
    machinePools: [],
    machinesByPhase: {},
    machineCount: 0,
    labels: {},
    lastChangedAt: '2025-01-01T00:00:00.000Z',
    apiVersion: 'cluster.x-k8s.io/v1beta2',
    ...overrides,
  };
}

/** `n` varied summaries over several management clusters, owners, providers, versions and health states. */
export function makeFleet(n: number, seed = 1): StoredClusterSummary[] {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const out: StoredClusterSummary[] = [];
  for (let i = 0; i < n; i++) {
    const minor = pick(['1.29', '1.30', '1.31', '1.32']);
    const profile = rnd() < 0.2 ? undefined : pick(['web', 'data', 'edge']);
    out.push(
      makeSummary({
        name: `c-${String(i).padStart(5, '0')}`,
        managementCluster: pick(['mc-a', 'mc-b', 'mc-c']),
        namespace: pick(['default', 'team-a', 'team-b']),
        owner: pick([
          'group:default/team-a',
          'group:default/team-b',
          'group:default/team-c',
          'group:default/platform',
        ]),
        provider: pick(['aws', 'azure', 'gcp', 'docker']),
        distribution: pick(['kubeadm', 'eks', 'k3s', 'rke2']),
        kubernetesVersion: `v${minor}.${Math.floor(rnd() * 10)}`,
        kubernetesMinor: minor,
        health: pick(HEALTH_STATUSES),
        phase: pick(['Provisioned', 'Provisioning', 'Pending']),
        machineCount: Math.floor(rnd() * 20),
        createdAt: new Date(1.7e12 + Math.floor(rnd() * 1e10)).toISOString(),
        labels: {
          env: pick(['prod', 'dev', 'staging']),
          ...(rnd() < 0.3
            ? { 'shipyard.io/tier': pick(['gold', 'silver']) }
            : {}),
        },
        ...(profile ? { profile } : {}),
      }),
    );
  }
  return out;
}
