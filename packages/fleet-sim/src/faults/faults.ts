/** Injected faults: which clusters are unreachable, slow, failing, NotReady or without control plane, and how the server treats each request of theirs. */
import { ApiError, errors } from '../api/errors';
import { FaultDecision, FaultGate } from '../server/server';
import { Random } from '../util/random';

/** A management cluster name, or a workload cluster as `management/namespace/name` or an object. */
export type ClusterRef =
  | string
  | { management: string; namespace?: string; name?: string };

export type UnreachableMode = 'refuse' | 'blackhole';

/** The faults injected into one cluster. */
export interface ClusterFaults {
  unreachable?: UnreachableMode;
  slowMs?: number;
  /**
   * The cluster's API server is saturated: each request but a watch needs this many milliseconds of a server time
   * shared among those in flight (`n` at once take `n` times as long each).
   */
  saturatedMs?: number;
  errorRate?: number;
  errorCode?: number;
  /** How many worker nodes report NotReady (`Infinity`: all). */
  nodesNotReady?: number;
  controlPlaneDown?: boolean;
  /**
   * How many pods of a hosted control plane (k0smotron, Kamaji) report NotReady (`Infinity`: all); with none ready
   * the workload cluster's API server is down.
   */
  hostedPodsNotReady?: number;
  /** New machines never finish provisioning (the provider has no capacity): a scale-up stalls. */
  provisioningStalled?: boolean;
  /** Deleted machines never finish draining (a PodDisruptionBudget blocks it): a scale-down or deletion stalls. */
  drainStalled?: boolean;
  /**
   * The deprecated APIs the workload cluster's clients request (its `/metrics` `apiserver_requested_deprecated_apis`),
   * instead of the ones seeded for it; an empty list: none.
   */
  deprecatedApis?: DeprecatedApiRequest[];
}

/** A deprecated API that a workload cluster's clients still request. */
export interface DeprecatedApiRequest {
  group: string;
  version: string;
  resource: string;
  /** The Kubernetes minor that removes it (`1.32`). */
  removedRelease: string;
}

export function clusterId(ref: ClusterRef): string {
  if (typeof ref === 'string') return ref;
  if (ref.namespace && ref.name)
    return `${ref.management}/${ref.namespace}/${ref.name}`;
  return ref.management;
}

const HEALTH_PATHS = /^\/(readyz|livez|healthz)(\/|$)/;

/** Holds injected faults and decides how the server treats each request. */
export class FaultRegistry implements FaultGate {
  private readonly faults = new Map<string, ClusterFaults>();
  private readonly listeners = new Set<(id: string) => void>();
  /** Bumped on every change of a cluster's faults, so that what was computed from them can tell it is stale. */
  private readonly generations = new Map<string, number>();
  private changes = 0;
  private readonly random: Random;

  constructor(seed: string) {
    this.random = new Random(`faults:${seed}`);
  }

  onChange(listener: (id: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(id: string): ClusterFaults | undefined {
    return this.faults.get(id);
  }

  set(id: string, patch: Partial<ClusterFaults>): void {
    const next: ClusterFaults = { ...(this.faults.get(id) ?? {}), ...patch };
    for (const key of Object.keys(next) as Array<keyof ClusterFaults>) {
      const v = next[key];
      if (v === undefined || v === false || v === 0) delete next[key];
    }
    if (Object.keys(next).length) this.faults.set(id, next);
    else this.faults.delete(id);
    this.notify(id);
  }

  clear(id?: string): void {
    if (id === undefined) {
      const ids = [...this.faults.keys()];
      this.faults.clear();
      ids.forEach(i => this.notify(i));
      return;
    }
    this.faults.delete(id);
    this.notify(id);
  }

  list(): Record<string, ClusterFaults> {
    const out: Record<string, ClusterFaults> = {};
    for (const [id, f] of this.faults) out[id] = { ...f };
    return out;
  }

  /** Changes whenever the faults of `id` change (0 while none were ever set). */
  generation(id: string): number {
    return this.generations.get(id) ?? 0;
  }

  private notify(id: string): void {
    this.generations.set(id, ++this.changes);
    for (const l of this.listeners) l(id);
  }

  silenced(id: string): boolean {
    return this.faults.get(id)?.unreachable === 'blackhole';
  }

  isUnreachable(id: string): boolean {
    return this.faults.get(id)?.unreachable !== undefined;
  }

  isProvisioningStalled(id: string): boolean {
    return this.faults.get(id)?.provisioningStalled === true;
  }

  isDrainStalled(id: string): boolean {
    return this.faults.get(id)?.drainStalled === true;
  }

  isControlPlaneDown(id: string): boolean {
    const f = this.faults.get(id);
    return f?.controlPlaneDown === true || f?.hostedPodsNotReady === Infinity;
  }

  /** How many pods of the cluster's hosted control plane are held NotReady. */
  hostedPodsNotReady(id: string): number {
    return this.faults.get(id)?.hostedPodsNotReady ?? 0;
  }

  /** The worker node names (of `sortedWorkers`) that are NotReady. */
  notReadyNodes(id: string, sortedWorkers: readonly string[]): Set<string> {
    const n = this.faults.get(id)?.nodesNotReady;
    if (!n) return new Set();
    return new Set(sortedWorkers.slice(0, Math.min(n, sortedWorkers.length)));
  }

  decide(id: string, path: string): FaultDecision {
    const f = this.faults.get(id);
    if (!f) return { kind: 'pass', delayMs: 0 };
    if (f.unreachable === 'refuse') return { kind: 'refuse' };
    if (f.unreachable === 'blackhole') return { kind: 'blackhole' };
    const delayMs = f.slowMs ?? 0;
    const sharedMs = f.saturatedMs;
    if (
      (f.controlPlaneDown || f.hostedPodsNotReady === Infinity) &&
      !HEALTH_PATHS.test(path)
    ) {
      return {
        kind: 'error',
        error: errors.serviceUnavailable('etcdserver: request timed out'),
        delayMs,
        sharedMs,
      };
    }
    if (f.errorRate && this.random.next() < f.errorRate) {
      const code = f.errorCode ?? 500;
      let error: ApiError;
      if (code === 429) error = errors.tooManyRequests(1);
      else if (code === 503)
        error = errors.serviceUnavailable(
          'the server is currently unable to handle the request',
        );
      else if (code === 504)
        error = errors.timeout(
          'the server was unable to return a response in the time allotted, but may still be processing the request',
        );
      else error = errors.internal('simulated fault');
      return { kind: 'error', error, delayMs, sharedMs };
    }
    return { kind: 'pass', delayMs, sharedMs };
  }
}
