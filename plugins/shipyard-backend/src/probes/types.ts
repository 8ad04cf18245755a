import { ClusterNodesSummary } from '@shipyard/plugin-shipyard-common';

/** A workload cluster to probe. */
export interface ProbeTarget {
  /** Cluster key (`managementCluster/namespace/name`). */
  key: string;
  managementCluster: string;
  namespace: string;
  name: string;
  provider?: string;
  controlPlaneKind?: string;
  infrastructureKind?: string;
}

/** Why a probe failed, as far as health cares. */
export type ProbeFailure =
  /** No TCP/TLS connection, or the connection was reset. */
  | 'unreachable'
  /** No answer within the probe timeout. */
  | 'timeout'
  /** The server certificate did not verify. */
  | 'tls'
  /** The API server rejected the credentials. */
  | 'unauthorized'
  /** `/readyz` reported failing checks. */
  | 'not-ready'
  /** Every request was answered with an error. */
  | 'errors'
  /** No kubeconfig Secret and no credential provider. */
  | 'no-credentials'
  /** The kubeconfig cannot be used (exec plugin, no server …). */
  | 'bad-credentials';

/**
 * The outcome of probing one workload cluster. Persisted and shared between replicas; holds no credential and no
 * response body beyond short, parsed facts.
 */
export interface ProbeResult {
  key: string;
  /** ISO-8601 time the probe started. */
  at: string;
  /** The API server was reached and reported ready. */
  ok: boolean;
  latencyMs: number;
  failure?: ProbeFailure;
  /** Short explanation of `failure` (never a credential). */
  error?: string;
  /** ISO-8601 time of the last successful probe (this one or an earlier one). */
  lastSuccessAt?: string;
  consecutiveFailures: number;
  /** ISO-8601 time of the next probe when it is delayed by backoff. */
  nextProbeAt?: string;
  /** Failing `/readyz` checks (`etcd`, …). */
  failedChecks?: string[];
  /** The `/version` gitVersion. */
  gitVersion?: string;
  nodes?: ClusterNodesSummary;
  /** Names of (up to 5) NotReady nodes. */
  notReadyNodes?: string[];
  kubeSystem?: {
    pods: number;
    notReady: number;
    /** Names of (up to 5) kube-system pods that are not running or not ready. */
    notReadyPods: string[];
  };
  /** How long `/readyz` (or `/healthz`) took to answer (ms). */
  readyzMs?: number;
  /**
   * How long `/readyz` spent opening its connection (TCP and TLS, ms), when the probe did not find one kept alive:
   * the prober's and the network's time, not the server's answering (see `slowThresholdMs`).
   */
  connectMs?: number;
  /**
   * Connections the probe opened (each a TLS handshake): none when it went over the cluster's kept-alive connection,
   * more while the server answers slowly (see `PARALLEL_SOCKETS`).
   */
  connectionsOpened?: number;
  /** Requests after `/readyz` still unanswered when the probe's deadline ended it (a slow server, not a failure). */
  unanswered?: number;
  /** Requests of this probe answered with HTTP errors (5xx, 429), and all requests. */
  apiErrors?: { failed: number; total: number; example: string };
  /** Distribution detected from the workload cluster. */
  distribution?: string;
  /** API groups that matter for detection, with the time they were read (discovery is not repeated every round). */
  apiGroups?: string[];
  apiGroupsAt?: string;
}
