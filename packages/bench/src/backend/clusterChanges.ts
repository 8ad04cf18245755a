/*
 * Which writes of the simulator the backend's summary shows: shared by the benchmarks that time a write of a
 * Cluster object to its becoming visible (the backend benchmark in a worker thread, the mixed-load benchmark with
 * the simulator in a child process).
 */
import { createHash } from 'node:crypto';
import { FLEET_SIM_TYPE_IDS } from '@shipyard/fleet-sim';
import type { FleetSim } from '@shipyard/fleet-sim';
import type { SimClusterWrite } from '../sim/types';

/**
 * What of a Cluster object the backend's summary shows (a change of anything else is not expected to show). A
 * condition's `observedGeneration` is not shown: after a spec change the controller bumps it on every condition,
 * and a benchmark that counted that write would wait for the next change that does show.
 */
export function relevantPart(json: string): string {
  const o = JSON.parse(json);
  const status = o.status ?? {};
  const topology = o.spec?.topology ?? {};
  const conditions = Array.isArray(status.conditions)
    ? status.conditions.map(
        ({ observedGeneration: _, ...shown }: Record<string, unknown>) => shown,
      )
    : status.conditions;
  return JSON.stringify([
    o.metadata?.labels,
    o.metadata?.deletionTimestamp,
    topology.version,
    topology.classRef,
    o.spec?.controlPlaneEndpoint,
    status.phase,
    conditions,
    status.controlPlane,
    status.workers,
  ]);
}

function wallClock(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Calls `report` with every change of a Cluster object that the summary reflects (spec, status, labels, deletion;
 * not annotations) as `[managementCluster/namespace/name, wall-clock ms of the write]`. Returns a function that stops.
 */
export function onShownClusterChanges(
  sim: Pick<FleetSim, 'onChange'>,
  report: (key: string, at: number, before: string, after: string) => void,
): () => void {
  return sim.onChange(change => {
    if (change.resource !== FLEET_SIM_TYPE_IDS.cluster) return;
    const part = change.type === 'DELETED' ? '' : relevantPart(change.json);
    let previousPart = '';
    if (change.type !== 'ADDED') {
      const previous = change.previousJson();
      previousPart = previous === undefined ? '' : relevantPart(previous);
      if (change.type === 'MODIFIED' && previousPart === part) return;
    }
    report(
      `${change.managementCluster}/${change.namespace}/${change.name}`,
      wallClock(),
      digest(previousPart),
      digest(part),
    );
  });
}

/** A short digest of what the summary shows ('' for nothing: before an ADDED, after a DELETED). */
function digest(part: string): string {
  return part === ''
    ? ''
    : createHash('sha1').update(part).digest('base64').slice(0, 16);
}

/** Which shown writes of a window became visible on the event stream, and when. */
export interface WritesSeen {
  /** A write and the first arrival of its cluster on the event stream at or after it. */
  visible: Array<{ key: string; at: number; shown: number }>;
  /** Writes without an arrival after them, the cluster's last writes leaving it other than it was last shown. */
  notVisible: Array<{ key: string; at: number }>;
  /**
   * Writes without an arrival after them whose cluster's later writes took it back to what it was before them (a
   * machine made unhealthy and healed again between two folds): there was nothing new to show.
   */
  reverted: number;
}

/**
 * Matches the shown writes of `[from, to]` to the arrivals of their clusters on the event stream. A write is visible
 * when its cluster arrives at or after it. A cluster's writes without an arrival after them are its last ones (an
 * arrival after a write is after every earlier one too); when the last of all its writes leaves it where the first of
 * those found it, the backend rightly showed nothing, and they count as `reverted`, not as not visible.
 */
export function writesSeen(
  writes: readonly SimClusterWrite[],
  arrivals: ReadonlyMap<string, readonly number[]>,
  from: number,
  to: number,
): WritesSeen {
  const byKey = new Map<string, SimClusterWrite[]>();
  for (const w of writes) {
    const list = byKey.get(w[0]);
    if (list) list.push(w);
    else byKey.set(w[0], [w]);
  }
  const seen: WritesSeen = { visible: [], notVisible: [], reverted: 0 };
  for (const [key, list] of byKey) {
    list.sort((a, b) => a[1] - b[1]);
    const times = arrivals.get(key) ?? [];
    const unseen: SimClusterWrite[] = [];
    for (const w of list) {
      const shown = times.find(x => x >= w[1]);
      if (shown !== undefined) {
        if (w[1] >= from && w[1] <= to)
          seen.visible.push({ key, at: w[1], shown });
      } else unseen.push(w);
    }
    if (unseen.length === 0) continue;
    const counted = unseen.filter(w => w[1] >= from && w[1] <= to);
    if (unseen[0][2] === list[list.length - 1][3])
      seen.reverted += counted.length;
    else for (const w of counted) seen.notVisible.push({ key, at: w[1] });
  }
  return seen;
}
