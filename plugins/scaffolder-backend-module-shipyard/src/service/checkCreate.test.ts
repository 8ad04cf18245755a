import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { noObjectCounts } from '@shipyard/plugin-shipyard-common';
import { readShipyardRequestsConfig } from '../config';
import { RequestAccess } from './access';
import { ClusterRequestService } from './ClusterRequestService';

function profile(spec: object = {}) {
  return {
    apiVersion: 'shipyard.io/v1alpha1',
    kind: 'ClusterProfile',
    metadata: { name: 'kubeadm-standard', namespace: 'default' },
    spec: {
      version: '2.1.0',
      managementClusters: ['mgmt-eu-1'],
      clusterClass: { name: 'kubeadm-standard' },
      kubernetes: { versions: ['v1.36.2', 'v1.35.5'] },
      sizes: { small: { controlPlaneReplicas: 1, workerReplicas: 2 } },
      defaultSize: 'small',
      allowedGroups: ['group:default/team-a'],
      ...spec,
    },
  };
}

function service(entity: object, classOverrides: object = {}) {
  const api = {
    get: jest.fn(async () => undefined),
    create: jest.fn(async () => ({})),
  };
  const requests = new ClusterRequestService({
    config: readShipyardRequestsConfig(new ConfigReader({})),
    backend: {
      getCluster: async () => undefined,
      countClustersOwnedBy: async () => 0,
      listManagementClusters: async () => [
        {
          name: 'mgmt-eu-1',
          url: 'https://mgmt-eu-1:6443',
          state: 'connected',
          resynced: true,
          objectCounts: noObjectCounts(),
          kinds: [],
        },
      ],
      listClusterClasses: async () => [
        {
          managementCluster: 'mgmt-eu-1',
          namespace: 'fleet-shared',
          name: 'kubeadm-standard',
          machineDeploymentClasses: ['default-worker'],
          machinePoolClasses: [],
          variables: [],
          labels: {},
          ...classOverrides,
        },
      ],
      recordAudit: async () => {},
    },
    catalog: { getEntityByRef: async () => entity as any },
    access: new RequestAccess({
      permissions: mockServices.permissions(),
      userInfo: mockServices.userInfo.mock({
        getUserInfo: async () => ({
          userEntityRef: 'user:default/alice',
          ownershipEntityRefs: ['user:default/alice', 'group:default/team-a'],
        }),
      }),
      platformTeam: 'group:default/platform-team',
    }),
    managementCluster: async () => api as any,
    logger: mockServices.logger.mock(),
  });
  return { requests, api };
}

async function check(entity: object, classOverrides: object = {}) {
  const { requests, api } = service(entity, classOverrides);
  const requester = await requests.requester(
    mockCredentials.user('user:default/alice'),
  );
  const result = await requests.checkCreate(
    {
      profile: 'clusterprofile:default/kubeadm-standard',
      name: 'alice-dev',
      owner: 'group:default/team-a',
    },
    requester,
  );
  return { result, api, requests, requester };
}

describe('checkCreate', () => {
  it('passes a request for a profile version that may be requested', async () => {
    const { result } = await check(profile());
    expect(result.problems).toEqual([]);
    expect(result.resolved?.spec.version).toBe('2.1.0');
  });

  it('refuses a deprecated profile version, saying which and what to do, and writes nothing', async () => {
    const { result, api, requests, requester } = await check(
      profile({ deprecated: true }),
    );
    expect(result.resolved).toBeUndefined();
    expect(result.problems.map(p => ({ ...p, error: undefined }))).toEqual([
      {
        field: 'profile',
        message:
          'Version 2.1.0 of cluster profile clusterprofile:default/kubeadm-standard is deprecated and can no longer be requested; choose another profile or ask its owners for a new version',
        error: undefined,
      },
    ]);
    expect(result.problems[0].error.name).toBe('InputError');
    // the action's plan refuses with the same error before any write or dry run
    await expect(
      requests.planCreate(
        {
          profile: 'kubeadm-standard',
          name: 'alice-dev',
          owner: 'group:default/team-a',
        },
        requester,
        'task-1',
      ),
    ).rejects.toThrow(
      /2\.1\.0 .* is deprecated and can no longer be requested/,
    );
    expect(api.create).not.toHaveBeenCalled();
  });

  it('names a deprecated profile version together with the other problems of the request', async () => {
    const { requests, requester } = await check(profile());
    const { requests: deprecated } = service(
      profile({ deprecated: true, kubernetes: { versions: ['v1.36.2'] } }),
    );
    const request = {
      profile: 'kubeadm-standard',
      name: 'Alice_Dev',
      owner: 'group:default/team-a',
      kubernetesVersion: 'v1.30.0',
    };
    expect(
      (await requests.checkCreate(request, requester)).problems.map(
        p => p.field,
      ),
    ).toEqual(['name', 'kubernetesVersion']);
    expect(
      (await deprecated.checkCreate(request, requester)).problems.map(
        p => p.field,
      ),
    ).toEqual(['name', 'profile', 'kubernetesVersion']);
  });

  describe('a profile of a hosted control plane', () => {
    const hosted = (sizes: object) =>
      profile({
        hostedControlPlane: { provider: 'k0smotron' },
        clusterClass: { name: 'k0smotron-hosted' },
        sizes,
      });
    const k0smotronClass = {
      name: 'k0smotron-hosted',
      controlPlaneKind: 'K0smotronControlPlaneTemplate',
    };

    it('takes any number of control plane pods (no etcd quorum among them)', async () => {
      const { result } = await check(
        hosted({ small: { controlPlaneReplicas: 2, workerReplicas: 2 } }),
        k0smotronClass,
      );
      expect(result.problems).toEqual([]);
      expect(result.resolved?.controlPlaneReplicas).toBe(2);
      expect(result.resolved?.clusterClass.name).toBe('k0smotron-hosted');
    });

    it('refuses a ClusterClass on the host whose control plane is not of the profile’s provider', async () => {
      const { result, api } = await check(
        hosted({ small: { controlPlaneReplicas: 2, workerReplicas: 2 } }),
        {
          name: 'k0smotron-hosted',
          controlPlaneKind: 'KubeadmControlPlaneTemplate',
        },
      );
      expect(result.resolved).toBeUndefined();
      expect(result.problems.map(p => [p.field, p.message])).toEqual([
        [
          'managementCluster',
          "ClusterClass fleet-shared/k0smotron-hosted on mgmt-eu-1 cannot host the control plane of profile clusterprofile:default/kubeadm-standard as k0smotron pods: its control plane template is a KubeadmControlPlaneTemplate, not a K0smotronControlPlaneTemplate; choose another management cluster or ask the profile's owners",
        ],
      ]);
      expect(api.create).not.toHaveBeenCalled();
    });

    it('refuses a control plane of no pods', async () => {
      const { result } = await check(
        hosted({ small: { controlPlaneReplicas: 0, workerReplicas: 2 } }),
        k0smotronClass,
      );
      expect(result.problems.map(p => [p.field, p.message])).toEqual([
        [
          'size',
          'controlPlaneReplicas must be at least 1: profile clusterprofile:default/kubeadm-standard runs the control plane as pods on the management cluster',
        ],
      ]);
    });

    it('still wants an odd number of control plane machines elsewhere', async () => {
      const { result } = await check(
        profile({
          sizes: { small: { controlPlaneReplicas: 2, workerReplicas: 2 } },
        }),
      );
      expect(result.problems.map(p => p.field)).toEqual(['size']);
    });
  });
});
