/**
 * The controller manager of one management cluster: it registers one reconciler per kind on the shared work
 * queue and turns store events and fault changes into queued objects, as the Cluster API controllers' watches do.
 * Every phase takes `stepMs`.
 *
 * Where things happen:
 * - `cluster.ts`: Cluster phases, conditions and counters, the kubeconfig Secret, deletion of everything in a cluster
 * - `topology.ts`: what a topology Cluster asks for (infrastructure, control plane, MachineDeployments, versions)
 * - `controlPlane.ts`: control plane machines (one at a time, roll outdated ones) and managed control planes
 * - `machineDeployment.ts`: MachineSets of a MachineDeployment, and how it rolls out (surge one, then scale down)
 * - `machineSet.ts`: Machines of a MachineSet; `machine.ts`: Machine phases, nodes, addresses and health
 * - `machinePool.ts`: MachinePool replicas; `infrastructure.ts`: infrastructure clusters and machines
 */
import { ApiServer } from '../api/apiserver';
import { LABELS, TYPE_IDS } from '../capi/kinds';
import { StoreEvent, objectKey } from '../store/store';
import { asObject } from '../util/json';
import { reconcileCluster } from './cluster';
import {
  ControllerContext,
  ControllerOptions,
  isPausedCluster,
} from './context';
import { reconcileControlPlane } from './controlPlane';
import { reconcileInfraCluster } from './infrastructure';
import { reconcileMachine } from './machine';
import { reconcileMachineDeployment } from './machineDeployment';
import { reconcileMachinePool } from './machinePool';
import { reconcileMachineSet } from './machineSet';
import { WorkQueue } from './queue';

export type { ControllerOptions } from './context';

const CONTROL_PLANE_KINDS = new Set([
  'KubeadmControlPlane',
  'KThreesControlPlane',
  'RKE2ControlPlane',
  'K0sControlPlane',
  'AWSManagedControlPlane',
  'ROSAControlPlane',
  'AzureManagedControlPlane',
  'GCPManagedControlPlane',
  'K0smotronControlPlane',
  'KamajiControlPlane',
]);

const INFRA_CLUSTER_KINDS = new Set([
  'DevCluster',
  'DockerCluster',
  'AWSCluster',
  'AWSManagedCluster',
  'ROSACluster',
  'AzureManagedCluster',
  'GCPManagedCluster',
]);

/**
 * Simulates the Cluster API controllers of one management cluster: topology, control planes,
 * MachineDeployments, MachineSets, Machines, MachinePools and infrastructure, level-triggered
 * over the object store.
 */
export class CapiController {
  private readonly queue: WorkQueue;
  private readonly ctx: ControllerContext;
  private readonly unsubscribe: Array<() => void> = [];
  /** Clusters seen paused: resuming one wakes everything in it. */
  private readonly pausedClusters = new Set<string>();

  constructor(
    private readonly api: ApiServer,
    private readonly options: ControllerOptions,
  ) {
    const queue = new WorkQueue(options.stepMs);
    this.queue = queue;
    const ctx = new ControllerContext(api, options, queue);
    this.ctx = ctx;
    // what a paused Cluster (spec.paused) or a paused object holds still; the Cluster reconciler says so itself
    const unlessPaused = {
      register(typeId: string, fn: (ns: string, name: string) => void) {
        queue.register(typeId, (ns, n) => {
          if (!ctx.isPaused(typeId, ns, n)) fn(ns, n);
        });
      },
    };
    for (const t of api.registry.types) {
      if (t.kind === 'Cluster' && t.group === 'cluster.x-k8s.io')
        this.queue.register(t.id, (ns, n) => reconcileCluster(ctx, ns, n));
      else if (t.kind === 'MachineDeployment')
        unlessPaused.register(t.id, (ns, n) =>
          reconcileMachineDeployment(ctx, ns, n),
        );
      else if (t.kind === 'MachineSet')
        unlessPaused.register(t.id, (ns, n) => reconcileMachineSet(ctx, ns, n));
      else if (t.kind === 'Machine')
        unlessPaused.register(t.id, (ns, n) => reconcileMachine(ctx, ns, n));
      else if (t.kind === 'MachinePool')
        unlessPaused.register(t.id, (ns, n) =>
          reconcileMachinePool(ctx, ns, n),
        );
      else if (CONTROL_PLANE_KINDS.has(t.kind))
        unlessPaused.register(t.id, (ns, n) =>
          reconcileControlPlane(ctx, t, ns, n),
        );
      else if (INFRA_CLUSTER_KINDS.has(t.kind))
        unlessPaused.register(t.id, (ns, n) =>
          reconcileInfraCluster(ctx, t, ns, n),
        );
    }
    this.unsubscribe.push(api.store.subscribe(e => this.onEvent(e)));
    this.unsubscribe.push(options.faults.onChange(id => this.onFault(id)));
  }

  get isPaused(): boolean {
    return this.queue.isPaused;
  }

  get pending(): number {
    return this.queue.size;
  }

  /** Reconciles run so far. */
  get reconciles(): number {
    return this.queue.reconciles;
  }

  pause(): void {
    this.queue.pause();
  }

  resume(): void {
    this.queue.resume();
  }

  stop(): void {
    this.unsubscribe.forEach(u => u());
    this.queue.stop();
  }

  /** Marks the Node of a machine unhealthy (or healthy again); used by the load driver. */
  setNodeHealth(namespace: string, machine: string, healthy: boolean): void {
    const key = objectKey(namespace, machine);
    if (healthy) this.ctx.unhealthy.delete(key);
    else this.ctx.unhealthy.add(key);
    this.queue.add(TYPE_IDS.machine, key, 0);
  }

  /** Resolves when nothing is queued. */
  whenIdle(): Promise<void> {
    return this.queue.whenIdle();
  }

  /** Reconciles a cluster and everything in it soon (after seeding or a fault change). */
  touchCluster(namespace: string, name: string): void {
    this.queue.add(TYPE_IDS.cluster, objectKey(namespace, name), 0);
    const machines = this.api.store.collection(TYPE_IDS.machine);
    for (const key of machines.keysWithLabel(
      LABELS.clusterName,
      namespace,
      name,
    ) ?? [])
      this.queue.add(TYPE_IDS.machine, key, 0);
    for (const id of [
      TYPE_IDS.machineDeployment,
      TYPE_IDS.machineSet,
      TYPE_IDS.machinePool,
    ]) {
      const c = this.api.store.collection(id);
      for (const key of c.keysWithLabel(LABELS.clusterName, namespace, name) ??
        [])
        this.queue.add(id, key, 0);
    }
    const cluster = this.ctx.peek(TYPE_IDS.cluster, namespace, name);
    const ref = asObject(asObject(cluster?.spec)?.controlPlaneRef);
    if (ref) {
      const t = this.api.registry.byKind(
        String(ref.apiGroup ?? ''),
        String(ref.kind ?? ''),
      );
      if (t) this.queue.add(t.id, objectKey(namespace, String(ref.name)), 0);
    }
  }

  private onFault(id: string): void {
    const parts = id.split('/');
    if (parts.length !== 3 || parts[0] !== this.options.management) return;
    this.touchCluster(parts[1], parts[2]);
  }

  /** Which objects a stored change wakes: the object itself and the owners that count it. */
  private onEvent(e: StoreEvent): void {
    const t = e.collection.type;
    const ns = e.key.includes('/') ? e.key.slice(0, e.key.indexOf('/')) : '';
    if (!ns) return;
    const labels = e.labels ?? e.prevLabels ?? {};
    const clusterName = labels[LABELS.clusterName];
    const enqueueCluster = () => {
      if (clusterName)
        this.queue.add(TYPE_IDS.cluster, objectKey(ns, clusterName), 0);
    };
    switch (t.kind) {
      case 'Cluster':
        if (t.group !== 'cluster.x-k8s.io') return;
        this.queue.add(t.id, e.key, 0);
        if (e.type === 'DELETED') {
          this.ctx.flavors.delete(e.key);
          this.pausedClusters.delete(e.key);
          return;
        }
        {
          const cluster = this.ctx.peek(t.id, ns, e.key.slice(ns.length + 1));
          if (cluster && isPausedCluster(cluster)) {
            this.pausedClusters.add(e.key);
          } else if (this.pausedClusters.delete(e.key)) {
            this.touchCluster(ns, e.key.slice(ns.length + 1));
          }
        }
        {
          const ref = asObject(
            asObject(this.ctx.peek(t.id, ns, e.key.slice(ns.length + 1))?.spec)
              ?.controlPlaneRef,
          );
          const cpType = this.ctx.typeOfRef(ref);
          if (cpType && ref)
            this.queue.add(cpType.id, objectKey(ns, String(ref.name)), 0);
        }
        return;
      case 'ClusterClass':
        return;
      case 'Machine': {
        this.queue.add(t.id, e.key, 0);
        const set = labels[LABELS.setName];
        if (set) this.queue.add(TYPE_IDS.machineSet, objectKey(ns, set), 0);
        const deployment = labels[LABELS.deploymentName];
        if (deployment && e.type === 'DELETED')
          this.queue.add(
            TYPE_IDS.machineDeployment,
            objectKey(ns, deployment),
            0,
          );
        const cp = labels[LABELS.controlPlaneName];
        if (cp && clusterName) {
          const cluster = this.ctx.peek(TYPE_IDS.cluster, ns, clusterName);
          const ref = asObject(asObject(cluster?.spec)?.controlPlaneRef);
          const cpType = ref
            ? this.api.registry.byKind(
                String(ref.apiGroup ?? ''),
                String(ref.kind ?? ''),
              )
            : undefined;
          if (cpType) this.queue.add(cpType.id, objectKey(ns, cp), 0);
        }
        if (e.type !== 'MODIFIED') enqueueCluster();
        return;
      }
      case 'MachineSet': {
        this.queue.add(t.id, e.key, 0);
        const md = labels[LABELS.deploymentName];
        if (md)
          this.queue.add(TYPE_IDS.machineDeployment, objectKey(ns, md), 0);
        return;
      }
      case 'MachineDeployment':
      case 'MachinePool':
        this.queue.add(t.id, e.key, 0);
        enqueueCluster();
        return;
      default:
        if (
          CONTROL_PLANE_KINDS.has(t.kind) ||
          INFRA_CLUSTER_KINDS.has(t.kind)
        ) {
          this.queue.add(t.id, e.key, 0);
          enqueueCluster();
        } else if (t.kind.endsWith('MachinePool') && clusterName) {
          enqueueCluster();
        }
    }
  }
}
