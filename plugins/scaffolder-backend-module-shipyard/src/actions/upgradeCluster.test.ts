import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { ConfigReader } from '@backstage/config';
import { mockActionContext } from '../__testUtils__/actionContext';
import { readShipyardRequestsConfig } from '../config';
import { RequestAccess } from '../service/access';
import { ClusterRequestService } from '../service/ClusterRequestService';
import { createClusterUpgradeAction } from './upgradeCluster';

const profile = {
  apiVersion: 'shipyard.io/v1alpha1',
  kind: 'ClusterProfile',
  metadata: { name: 'kubeadm-standard', namespace: 'default' },
  spec: {
    version: '2.1.0',
    managementClusters: ['mgmt-eu-1'],
    kubernetes: { versions: ['v1.36.2', 'v1.35.5', 'v1.34.7'] },
    sizes: {},
    allowedGroups: ['group:default/team-a'],
  },
};

function summary(overrides: object = {}) {
  return {
    managementCluster: 'mgmt-eu-1',
    namespace: 'team-a',
    name: 'payments-dev',
    owner: 'group:default/team-a',
    profile: 'kubeadm-standard',
    kubernetesVersion: 'v1.35.5',
    observedKubernetesVersion: 'v1.35.5',
    health: 'healthy',
    healthReasons: [],
    phase: 'Provisioned',
    labels: {},
    controlPlane: {},
    workers: {},
    machineDeployments: [{ name: 'md-0', version: 'v1.35.5', replicas: {} }],
    ...overrides,
  };
}

function setup(options: { cluster?: object; decision?: any } = {}) {
  const api = {
    get: jest.fn(async () => ({
      spec: {
        topology: {
          classRef: { name: 'kubeadm-standard', namespace: 'fleet-shared' },
        },
      },
    })),
    apply: jest.fn(async () => ({})),
  };
  const permissions = mockServices.permissions.mock({
    authorizeConditional: async () => [
      options.decision ?? { result: AuthorizeResult.ALLOW },
    ],
  });
  const userInfo = mockServices.userInfo.mock({
    getUserInfo: async () => ({
      userEntityRef: 'user:default/alice',
      ownershipEntityRefs: ['user:default/alice', 'group:default/team-a'],
    }),
  });
  const requests = new ClusterRequestService({
    config: readShipyardRequestsConfig(new ConfigReader({})),
    backend: {
      getCluster: async () => (options.cluster ?? summary()) as any,
      countClustersOwnedBy: async () => 0,
      listManagementClusters: async () => [],
      listClusterClasses: async () => [],
      recordAudit: async () => {},
    },
    catalog: { getEntityByRef: async () => profile as any },
    access: new RequestAccess({
      permissions,
      userInfo,
      platformTeam: 'group:default/platform-team',
    }),
    managementCluster: async () => api as any,
    logger: mockServices.logger.mock(),
  });
  const audit = { record: jest.fn(async () => {}) };
  const action = createClusterUpgradeAction({
    requests,
    audit: audit as any,
    entityRefOf: k =>
      `resource:default/${k.managementCluster}--${k.namespace}--${k.name}`,
    clusterUrlOf: () => undefined,
  });
  return { action, api, audit };
}

const run = async (
  setupResult: ReturnType<typeof setup>,
  kubernetesVersion: string,
) => {
  const { ctx, outputs, cleanup } = mockActionContext({
    cluster: 'mgmt-eu-1/team-a/payments-dev',
    kubernetesVersion,
  });
  ctx.getInitiatorCredentials = async () =>
    mockCredentials.user('user:default/alice');
  try {
    await setupResult.action.handler(ctx);
  } finally {
    cleanup();
  }
  return outputs;
};

describe('shipyard:cluster:upgrade', () => {
  it('dry-runs, then applies spec.topology.version with the live classRef', async () => {
    const s = setup();
    const outputs = await run(s, 'v1.36.2');
    expect(outputs).toMatchObject({
      fromVersion: 'v1.35.5',
      toVersion: 'v1.36.2',
    });
    expect(s.api.apply).toHaveBeenCalledTimes(2);
    expect((s.api.apply.mock.calls[0] as any[])[2]).toMatchObject({
      dryRun: true,
      force: true,
    });
    expect((s.api.apply.mock.calls[1] as any[])[1]).toMatchObject({
      spec: {
        topology: {
          version: 'v1.36.2',
          classRef: { name: 'kubeadm-standard', namespace: 'fleet-shared' },
        },
      },
    });
    expect(s.audit.record).toHaveBeenCalledWith(
      expect.objectContaining({
        action: 'cluster.upgrade',
        outcome: 'succeeded',
      }),
    );
  });

  it.each([
    [
      'a version the profile does not offer',
      {},
      'v1.37.0',
      /not offered by profile/,
    ],
    [
      'a skipped minor',
      {
        kubernetesVersion: 'v1.34.7',
        observedKubernetesVersion: 'v1.34.7',
        machineDeployments: [],
      },
      'v1.36.2',
      /would skip a minor version; upgrade to 1.35 first/,
    ],
    ['a downgrade', {}, 'v1.34.7', /downgrading to v1.34.7 is not supported/],
    [
      'an unhealthy cluster',
      { health: 'degraded', healthReasons: [{ message: 'worker NotReady' }] },
      'v1.36.2',
      /is degraded \(worker NotReady\); upgrades start only from a healthy cluster/,
    ],
    [
      'a control plane still upgrading',
      { observedKubernetesVersion: 'v1.34.7' },
      'v1.36.2',
      /control plane .* still runs v1.34.7/,
    ],
    [
      'workers lagging behind',
      {
        machineDeployments: [
          { name: 'md-0', version: 'v1.34.7', replicas: {} },
        ],
      },
      'v1.36.2',
      /Workers of .* \(md-0 on v1.34.7\) have not caught up/,
    ],
  ])(
    'refuses %s before any write',
    async (_what, cluster, version, message) => {
      const s = setup({ cluster: summary(cluster) });
      await expect(run(s, version)).rejects.toThrow(message);
      expect(s.api.apply).not.toHaveBeenCalled();
      // the refusal carries the cluster's fields, so its owners see it in their audit trail
      expect(s.audit.record).toHaveBeenCalledWith(
        expect.objectContaining({
          outcome: 'refused',
          managementCluster: 'mgmt-eu-1',
          namespace: 'team-a',
          cluster: 'payments-dev',
          owner: 'group:default/team-a',
          details: expect.objectContaining({ toVersion: version }),
        }),
        expect.any(Error),
      );
    },
  );

  it('evaluates a conditional decision against the cluster (owner rule)', async () => {
    const conditional = (claims: string[]) => ({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'shipyard',
      resourceType: 'shipyard-cluster',
      conditions: {
        rule: 'IS_CLUSTER_OWNER',
        resourceType: 'shipyard-cluster',
        params: { claims },
      },
    });
    const allowed = setup({ decision: conditional(['group:default/team-a']) });
    await expect(run(allowed, 'v1.36.2')).resolves.toBeDefined();
    const denied = setup({ decision: conditional(['group:default/team-b']) });
    await expect(run(denied, 'v1.36.2')).rejects.toThrow(
      /may not change cluster mgmt-eu-1\/team-a\/payments-dev/,
    );
    expect(denied.api.apply).not.toHaveBeenCalled();
  });
});
