import { ClusterKey, ClusterTreeNode } from '@shipyard/plugin-shipyard-common';
import { ManagementClusterRecords } from './ManagementClusterRecords';
import { ClusterClassRecord } from './types';

/**
 * The records of every management cluster: a read model of the Cluster API objects beside the fleet index, for
 * what the index's summaries do not carry (a cluster's object tree, the ClusterClasses).
 */
export class FleetRecords {
  private readonly byManagementCluster = new Map<
    string,
    ManagementClusterRecords
  >();

  /** The records of a management cluster (created empty for its reconciler). */
  of(managementCluster: string): ManagementClusterRecords {
    let records = this.byManagementCluster.get(managementCluster);
    if (!records) {
      records = new ManagementClusterRecords(managementCluster);
      this.byManagementCluster.set(managementCluster, records);
    }
    return records;
  }

  /** The object tree of a cluster, or undefined when no records of it are held. */
  describe(key: ClusterKey): ClusterTreeNode | undefined {
    return this.byManagementCluster
      .get(key.managementCluster)
      ?.describe(key.namespace, key.name);
  }

  /** The topology variables of a cluster, or undefined when no records of it are held. */
  variablesOf(key: ClusterKey): Record<string, unknown> | undefined {
    const cluster = this.byManagementCluster
      .get(key.managementCluster)
      ?.clusters.get(`${key.namespace}/${key.name}`)?.cluster;
    if (!cluster) return undefined;
    return cluster.variables ?? {};
  }

  /** The ClusterClasses of every management cluster (or of one). */
  clusterClasses(
    managementCluster?: string,
  ): Array<{ managementCluster: string; record: ClusterClassRecord }> {
    const out: Array<{
      managementCluster: string;
      record: ClusterClassRecord;
    }> = [];
    for (const records of this.byManagementCluster.values()) {
      if (
        managementCluster !== undefined &&
        records.managementCluster !== managementCluster
      ) {
        continue;
      }
      for (const record of records.clusterClassRecords()) {
        out.push({ managementCluster: records.managementCluster, record });
      }
    }
    return out;
  }
}
