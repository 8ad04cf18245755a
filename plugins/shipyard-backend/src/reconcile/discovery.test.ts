import type { KubeClient } from '@shipyard/plugin-shipyard-node/kube';
import { discoverTargets } from './discovery';

/** A discovery-only API server: `/apis` and one resource list per group version. */
function discoveryClient(
  groups: Record<string, Record<string, string[]>>,
): KubeClient {
  const getJson = async (path: string) => {
    if (path === '/apis') {
      return {
        groups: Object.entries(groups).map(([name, versions]) => ({
          name,
          versions: Object.keys(versions).map(version => ({
            groupVersion: `${name}/${version}`,
            version,
          })),
          preferredVersion: {
            groupVersion: `${name}/${Object.keys(versions)[0]}`,
            version: Object.keys(versions)[0],
          },
        })),
      };
    }
    const [, , group, version] = path.split('/');
    const kinds = groups[group]?.[version];
    if (!kinds) throw new Error(`404 ${path}`);
    return {
      resources: kinds.flatMap(kind => [
        { name: `${kind.toLowerCase()}s`, kind, verbs: ['list', 'watch'] },
        { name: `${kind.toLowerCase()}s/status`, kind, verbs: ['get'] },
      ]),
    };
  };
  return { getJson } as unknown as KubeClient;
}

describe('discoverTargets', () => {
  it('finds every control plane kind, in any provider group and served version', async () => {
    const client = discoveryClient({
      'cluster.x-k8s.io': {
        v1beta2: ['Cluster', 'Machine', 'MachineDeployment'],
        v1beta1: ['Cluster', 'Machine', 'MachineDeployment'],
      },
      'controlplane.cluster.x-k8s.io': {
        v1beta2: ['KubeadmControlPlane', 'KubeadmControlPlaneTemplate'],
        v1beta1: ['KubeadmControlPlane', 'K0sControlPlane'],
      },
      'infrastructure.cluster.x-k8s.io': {
        v1beta1: [
          'AzureManagedControlPlane',
          'GCPManagedControlPlane',
          'AzureManagedCluster',
        ],
      },
      'bootstrap.cluster.x-k8s.io': { v1beta2: ['KubeadmConfig'] },
    });
    const { capiVersion, targets } = await discoverTargets(client);
    expect(capiVersion).toBe('v1beta2');
    const controlPlanes = targets
      .filter(t => t.kind === 'ControlPlane')
      .map(t => `${t.group}/${t.version}/${t.resourceKind}`)
      .sort();
    expect(controlPlanes).toEqual([
      'controlplane.cluster.x-k8s.io/v1beta1/K0sControlPlane',
      'controlplane.cluster.x-k8s.io/v1beta2/KubeadmControlPlane',
      'infrastructure.cluster.x-k8s.io/v1beta1/AzureManagedControlPlane',
      'infrastructure.cluster.x-k8s.io/v1beta1/GCPManagedControlPlane',
    ]);
  });
});
