/** The load driver: changes objects across the fleet at a requested rate, as a busy fleet does. */
import type { ApiServer } from '../api/apiserver';
import { ApiError } from '../api/errors';
import type { CapiController } from '../controllers/manager';
import {
  KUBERNETES_VERSIONS,
  kubeVersionOf,
  specVersion,
} from '../capi/distributions';
import { LABELS, TYPE_IDS } from '../capi/kinds';
import { SeedCluster } from '../fleet/model';
import { objectKey } from '../store/store';
import { JsonObject, asArray, asObject, isObject } from '../util/json';
import { Random } from '../util/random';

export interface LoadOptions {
  /** Changes per second across the fleet. */
  eventsPerSecond: number;
  /** Relative weights of the kinds of change. */
  mix?: Partial<Record<LoadChange, number>>;
  /** Stop after this many milliseconds. */
  durationMs?: number;
}

export type LoadChange = 'health' | 'scale' | 'upgrade' | 'annotate';

export interface LoadStats {
  /** Changes made. */
  changes: number;
  byKind: Record<LoadChange, number>;
  errors: number;
  /** Changes due at the requested rate so far. */
  requested: number;
  /** Changes given up: the driver fell more than a second behind the requested rate, or the run ended first. */
  dropped: number;
  startedAt: number;
  running: boolean;
}

export interface LoadDriver {
  stop(): void;
  stats(): LoadStats;
}

export interface LoadTarget {
  api: ApiServer;
  controller: CapiController;
}

const DEFAULT_MIX: Record<LoadChange, number> = {
  health: 55,
  annotate: 25,
  scale: 15,
  upgrade: 5,
};

/**
 * Changes `eventsPerSecond` objects per second: node health flips on machines, heartbeat
 * annotations, MachineDeployment scaling and Kubernetes upgrades of topology clusters.
 */
export function startLoad(
  targets: Map<string, LoadTarget>,
  clusters: () => SeedCluster[],
  options: LoadOptions,
  random: Random,
): LoadDriver {
  const mix = { ...DEFAULT_MIX, ...(options.mix ?? {}) };
  const weights = (Object.keys(mix) as LoadChange[])
    .filter(k => mix[k] > 0)
    .map(k => [k, mix[k]] as const);
  const stats: LoadStats = {
    changes: 0,
    byKind: { health: 0, scale: 0, upgrade: 0, annotate: 0 },
    errors: 0,
    requested: 0,
    dropped: 0,
    startedAt: Date.now(),
    running: true,
  };
  const unhealthy: Array<{ target: LoadTarget; ns: string; name: string }> = [];
  /**
   * Changes due so far that were made, failed or given up. The changes due are counted in whole changes from the
   * time run (not summed tick by tick in floating point), so the driver never makes more than are due.
   */
  let consumed = 0;
  let heartbeat = 0;
  const tickMs = 20;

  /** Makes one change of this kind on a random cluster; false when that cluster offers none. */
  const one = (kind: LoadChange): boolean => {
    const all = clusters();
    if (all.length === 0) return false;
    const c = random.pick(all);
    const target = targets.get(c.management);
    if (!target) return false;
    const { api } = target;
    const clusterEntry = api.store.get(
      TYPE_IDS.cluster,
      objectKey(c.namespace, c.name),
    );
    if (!clusterEntry) return false;
    switch (kind) {
      case 'health': {
        if (
          unhealthy.length > 0 &&
          (unhealthy.length > 50 || random.chance(0.5))
        ) {
          const healed = unhealthy.shift();
          if (healed)
            healed.target.controller.setNodeHealth(
              healed.ns,
              healed.name,
              true,
            );
          break;
        }
        const machines =
          api.store
            .collection(TYPE_IDS.machine)
            .keysWithLabel(LABELS.clusterName, c.namespace, c.name) ?? [];
        if (machines.length === 0) return false;
        const key = random.pick(machines);
        const name = key.slice(key.indexOf('/') + 1);
        target.controller.setNodeHealth(c.namespace, name, false);
        unhealthy.push({ target, ns: c.namespace, name });
        break;
      }
      case 'annotate': {
        heartbeat++;
        api.patch(
          api.type(TYPE_IDS.cluster),
          c.namespace,
          c.name,
          'merge',
          {
            metadata: {
              annotations: {
                'fleet-sim.shipyard.io/heartbeat': String(heartbeat),
              },
            },
          },
          { internal: true },
        );
        break;
      }
      case 'scale': {
        const obj = clusterEntry.object();
        const topology = asObject(asObject(obj.spec)?.topology);
        const mds = asArray(asObject(topology?.workers)?.machineDeployments);
        if (topology && mds && mds.length) {
          const md = random.pick(mds.filter(isObject));
          const replicas = typeof md.replicas === 'number' ? md.replicas : 1;
          md.replicas = Math.max(
            1,
            Math.min(8, replicas + (random.chance(0.5) ? 1 : -1)),
          );
          api.patch(
            api.type(TYPE_IDS.cluster),
            c.namespace,
            c.name,
            'merge',
            { spec: { topology: { workers: { machineDeployments: mds } } } },
            { internal: true },
          );
          break;
        }
        const keys =
          api.store
            .collection(TYPE_IDS.machineDeployment)
            .keysWithLabel(LABELS.clusterName, c.namespace, c.name) ?? [];
        const poolKeys =
          api.store
            .collection(TYPE_IDS.machinePool)
            .keysWithLabel(LABELS.clusterName, c.namespace, c.name) ?? [];
        const typeId = keys.length
          ? TYPE_IDS.machineDeployment
          : TYPE_IDS.machinePool;
        const list = keys.length ? keys : poolKeys;
        if (!list.length) return false;
        const key = random.pick(list);
        const current = api.store.get(typeId, key)?.object();
        const replicas = Number(asObject(current?.spec)?.replicas ?? 1);
        const next = Math.max(
          1,
          Math.min(8, replicas + (random.chance(0.5) ? 1 : -1)),
        );
        api.patch(
          api.type(typeId),
          c.namespace,
          key.slice(key.indexOf('/') + 1),
          'merge',
          { spec: { replicas: next } },
          { internal: true },
        );
        break;
      }
      case 'upgrade': {
        const obj = clusterEntry.object();
        const topology = asObject(asObject(obj.spec)?.topology);
        if (!topology || typeof topology.version !== 'string') return false;
        const kube = kubeVersionOf(c.flavor.distribution, topology.version);
        const idx = KUBERNETES_VERSIONS.findIndex(([v]) => v === kube);
        if (idx <= 0) return false;
        const next = specVersion(
          c.flavor.distribution,
          KUBERNETES_VERSIONS[idx - 1][0],
        );
        api.patch(
          api.type(TYPE_IDS.cluster),
          c.namespace,
          c.name,
          'merge',
          { spec: { topology: { version: next } } } as JsonObject,
          { internal: true },
        );
        break;
      }
      default:
        return false;
    }
    stats.changes++;
    stats.byKind[kind]++;
    return true;
  };

  /** Makes one change of a random kind, trying other clusters (and kinds) when one offers nothing to change. */
  const change = (): void => {
    let kind = random.weighted(weights);
    for (let attempt = 0; attempt < 16; attempt++) {
      if (attempt === 8) kind = random.weighted(weights);
      if (one(kind)) return;
    }
  };

  const handle: { timer?: NodeJS.Timeout } = {};
  function stop(): void {
    if (!stats.running) return;
    stats.running = false;
    clearInterval(handle.timer);
    // a backlog left at the end is given up too: changes + dropped account for every change due
    stats.dropped += stats.requested - consumed;
    consumed = stats.requested;
    for (const u of unhealthy.splice(0))
      u.target.controller.setNodeHealth(u.ns, u.name, true);
  }

  handle.timer = setInterval(() => {
    const now = Date.now();
    if (
      options.durationMs !== undefined &&
      now - stats.startedAt >= options.durationMs
    ) {
      stop();
      return;
    }
    stats.requested = Math.floor(
      (options.eventsPerSecond * (now - stats.startedAt)) / 1000,
    );
    // a backlog is caught up on later ticks; beyond a second's worth it is given up (and counted)
    const maxBacklog = Math.floor(Math.max(1, options.eventsPerSecond));
    const backlog = stats.requested - consumed;
    if (backlog > maxBacklog) {
      stats.dropped += backlog - maxBacklog;
      consumed += backlog - maxBacklog;
    }
    const deadline = now + tickMs * 0.8;
    while (consumed < stats.requested) {
      consumed++;
      try {
        change();
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        stats.errors++;
      }
      if (Date.now() > deadline) break;
    }
  }, tickMs);
  handle.timer.unref();

  return {
    stop,
    stats() {
      return {
        ...stats,
        byKind: { ...stats.byKind },
      };
    },
  };
}
