import type {
  FleetSimOptions,
  FleetSimRequestStats,
  LoadChange,
} from '@shipyard/fleet-sim';

export interface SimClusterAccess {
  name: string;
  url: string;
  caData: string;
  token: string;
}

export interface SimWorkloadAccess extends SimClusterAccess {
  management: string;
  namespace: string;
}

export interface SimLoadRequest {
  eventsPerSecond: number;
  durationMs?: number;
  mix?: Partial<Record<LoadChange, number>>;
}

export interface SimLoadFigures {
  changes: number;
  errors: number;
  dropped: number;
  byKind: Record<string, number>;
}

/** Workload clusters made unreachable (black-holed: connections never answer) and slow, as shares of the fleet. */
export interface SimFaultMix {
  unreachable: number;
  slow: number;
  /** Delay of every request to a slow cluster (ms). */
  slowMs: number;
}

/**
 * A write of a Cluster object that the summary shows: `managementCluster/namespace/name`, wall-clock ms, and digests
 * of what the summary showed before and after it (see `onShownClusterChanges`).
 */
export type SimClusterWrite = [
  key: string,
  at: number,
  before: string,
  after: string,
];

/** What the benchmark needs of a running fleet simulator, in this thread or in a worker. */
export interface SimHandle {
  managementClusters: SimClusterAccess[];
  workloadClusters: SimWorkloadAccess[];
  clusters: number;
  machines: number;
  requests(): Promise<FleetSimRequestStats>;
  startLoad(request: SimLoadRequest): Promise<void>;
  stopLoad(): Promise<SimLoadFigures | undefined>;
  /** Moves a cluster to another team (its `shipyard.io/owner` label); the new team and when it was written. */
  setOwner(cluster: SimClusterKey): Promise<SimOwnerChange>;
  /** Serializes every stored object once (a management cluster that has been running; see `FleetSim.warm`). */
  warm(): Promise<void>;
  /** Spreads the fault mix evenly over the workload clusters; returns how many clusters got each fault. */
  injectFaults(
    mix: SimFaultMix,
  ): Promise<{ unreachable: number; slow: number }>;
  /** Reports the shown writes of Cluster objects to `listener` (in batches) until it is called again with none. */
  reportClusterWrites(
    listener: ((writes: SimClusterWrite[]) => void) | undefined,
  ): Promise<void>;
  /** CPU time the simulator used so far (ms, all its threads). */
  cpuMs(): Promise<number>;
  stop(): Promise<void>;
}

/** A workload cluster of the simulator. */
export interface SimClusterKey {
  management: string;
  namespace: string;
  name: string;
}

/** An owner label written by {@link SimHandle.setOwner}. */
export interface SimOwnerChange {
  owner: string;
  /** Wall-clock time of the write (ms since the epoch). */
  writtenAt: number;
}

export type SimStartOptions = FleetSimOptions;

/** Messages to the simulator worker. */
export type SimWorkerRequest =
  | { id: number; type: 'requests' }
  | { id: number; type: 'startLoad'; load: SimLoadRequest }
  | { id: number; type: 'stopLoad' }
  | { id: number; type: 'setOwner'; cluster: SimClusterKey }
  | { id: number; type: 'warm' }
  | { id: number; type: 'faults'; mix: SimFaultMix }
  | { id: number; type: 'reportClusterWrites'; on: boolean }
  | { id: number; type: 'cpu' }
  | { id: number; type: 'stop' };

/** Messages from the simulator worker. */
export type SimWorkerReply =
  | {
      type: 'ready';
      managementClusters: SimClusterAccess[];
      workloadClusters: SimWorkloadAccess[];
      clusters: number;
      machines: number;
    }
  | { type: 'reply'; id: number; value?: unknown; error?: string }
  | { type: 'clusterWrites'; writes: SimClusterWrite[] }
  | { type: 'error'; error: string };
