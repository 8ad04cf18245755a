/*
 * Which writes of the simulator the backend's summary shows: shared by the benchmarks that time a write of a
 * Cluster object to its becoming visible (the backend benchmark in a worker thread, the mixed-load benchmark with
 * the simulator in a child process).
 */
import { FLEET_SIM_TYPE_IDS } from '@shipyard/fleet-sim';
import type { FleetSim } from '@shipyard/fleet-sim';

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
  report: (key: string, at: number) => void,
): () => void {
  return sim.onChange(change => {
    if (change.resource !== FLEET_SIM_TYPE_IDS.cluster) return;
    const part = change.type === 'DELETED' ? '' : relevantPart(change.json);
    if (change.type === 'MODIFIED') {
      const previous = change.previousJson();
      if (previous !== undefined && relevantPart(previous) === part) return;
    }
    report(
      `${change.managementCluster}/${change.namespace}/${change.name}`,
      wallClock(),
    );
  });
}
