import type {
  ManagementClusterStatus,
  operations,
} from '../schema/openapi/generated/models';

/*
 * REST API types of the Shipyard backend (`/api/shipyard`): the state of the management clusters
 * (`GET /management-clusters`). The shapes are the models generated from
 * `plugins/shipyard-backend/src/schema/openapi.yaml`; this file names their parts.
 */

export type {
  ManagementClusterBlastRadius,
  ManagementClusterStatus,
} from '../schema/openapi/generated/models';

/** Counts of objects of one management cluster. */
export type ManagementClusterObjectCounts =
  ManagementClusterStatus['objectCounts'];

/** The object counts of a management cluster nothing has been listed from: all zero. */
export function noObjectCounts(): ManagementClusterObjectCounts {
  return {
    clusters: 0,
    clusterClasses: 0,
    machineDeployments: 0,
    machineSets: 0,
    machines: 0,
    machinePools: 0,
    machineHealthChecks: 0,
    controlPlanes: 0,
    skipped: 0,
  };
}

/** One watched kind of a management cluster. */
export type ManagementClusterKindStatus =
  ManagementClusterStatus['kinds'][number];

/** Response of `GET /management-clusters`. */
export type ListManagementClustersResponse =
  operations['listManagementClusters']['responses'][200]['content']['application/json'];
