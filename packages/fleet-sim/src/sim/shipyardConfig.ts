import type { ManagementClusterInfo } from './types';

/**
 * One `shipyard.managementClusters[]` entry that reads a simulated management cluster (a type alias, not an
 * interface, so that it fits where configuration data is typed as JSON).
 */
export type SimManagementClusterConfig = {
  name: string;
  url: string;
  caData: string;
  auth: { type: 'serviceAccountToken'; token: string };
};

/**
 * The `shipyard.managementClusters` configuration that points a Shipyard backend at the simulated management
 * clusters: their URL, the simulator's CA, and the full-access service-account token.
 */
export function shipyardManagementClusters(
  managementClusters: ReadonlyArray<
    Pick<ManagementClusterInfo, 'name' | 'url' | 'caData' | 'token'>
  >,
): SimManagementClusterConfig[] {
  return managementClusters.map(m => ({
    name: m.name,
    url: m.url,
    caData: m.caData,
    auth: { type: 'serviceAccountToken', token: m.token },
  }));
}
