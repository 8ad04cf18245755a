/** API requests the simulator received, by kind of endpoint and by management cluster. */
export interface FleetSimRequestStats {
  /** Every request to a simulated cluster's API (management and workload). */
  total: number;
  /** Requests to management cluster APIs (`/clusters/<management>/…`). */
  management: number;
  /** Requests to workload cluster APIs (`/clusters/<management>/workloads/…`). */
  workload: number;
  /** Requests per management cluster, its workload clusters included. */
  byManagement: Record<string, number>;
}

/**
 * Counts the requests that reach a simulated cluster (once per HTTP request, watches included,
 * whether a fault then drops them or not), so that benchmarks can compare upstream API traffic.
 */
export class RequestCounter {
  private management = 0;
  private workload = 0;
  private readonly byManagement = new Map<string, number>();

  count(managementCluster: string, workload: boolean): void {
    if (workload) this.workload++;
    else this.management++;
    this.byManagement.set(
      managementCluster,
      (this.byManagement.get(managementCluster) ?? 0) + 1,
    );
  }

  stats(): FleetSimRequestStats {
    return {
      total: this.management + this.workload,
      management: this.management,
      workload: this.workload,
      byManagement: Object.fromEntries(this.byManagement),
    };
  }
}
