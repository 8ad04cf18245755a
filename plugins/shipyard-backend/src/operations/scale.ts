import { ConflictError, InputError, NotAllowedError } from '@backstage/errors';
import {
  CAPI_LABELS,
  ClusterKey,
  ClusterSummary,
  capiResource,
  resourcePath,
  ShipyardOpenApi,
  shipyardClusterScalePermission,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import {
  ClusterOperations,
  OPERATIONS_FIELD_MANAGER,
  OperationActor,
  checkSteady,
  clusterObjectPath,
  kubeRefusal,
} from './ClusterOperations';
import { OperationServices } from './services';
import { workerBounds } from './profiles';

/**
 * Body of `POST /clusters/:mc/:ns/:name/scale`: a named size of the cluster's profile (its worker count for the
 * first pool, its control plane), worker replicas by MachineDeployment or MachinePool name, or control plane
 * machines (machine-based control planes only; 1, 3 or 5).
 */
export type ScaleClusterRequest = ShipyardOpenApi.ScaleClusterRequest;

/** Control planes made of machines, whose replicas can change. */
const MACHINE_CONTROL_PLANES = new Set([
  'KubeadmControlPlane',
  'KThreesControlPlane',
  'RKE2ControlPlane',
  'K0sControlPlane',
]);

/** The machines a team owns across the fleet. */
function machinesOwnedBy(ops: ClusterOperations, owner: string): number {
  let total = 0;
  for (const s of ops.index.matching({ owner: [owner] })) {
    total += s.machineCount;
  }
  return total;
}

/** A pool's current desired replicas. */
function desiredOf(summary: ClusterSummary, name: string): number | undefined {
  const pool =
    summary.machineDeployments.find(m => m.name === name) ??
    summary.machinePools.find(m => m.name === name);
  return pool?.replicas.desired;
}

/**
 * `POST /clusters/:mc/:ns/:name/scale`: changes the replicas of worker pools (and of a machine-based control plane)
 * or switches to a named size of the cluster's profile. Pre-flight: `shipyard.cluster.scale` on the cluster, the
 * pools exist, the replicas are within the profile's sizes, the team's machine quota, and a healthy, unpaused,
 * settled cluster; then a server-side dry run. The resize is followed until every pool settles (audited as
 * completed) or its deadline passes (stalled).
 */
export async function scaleCluster(
  deps: OperationServices,
  actor: OperationActor,
  key: ClusterKey,
  request: ScaleClusterRequest,
) {
  const { operations: ops, config } = deps;
  const where = stringifyClusterKey(key);
  let target: {
    workers: Record<string, number>;
    controlPlaneReplicas?: number;
  };
  let topologyNames: Record<string, string> = {};
  let isTopology = false;
  const result = await ops.runOnCluster(
    {
      action: 'cluster.scale',
      actor,
      key,
      requested: {
        ...(request.size ? { size: request.size } : {}),
        ...Object.fromEntries(
          (request.workers ?? []).map(w => [
            `requested.${String(w.name).slice(0, 40)}`,
            w.replicas,
          ]),
        ),
        ...(request.controlPlaneReplicas !== undefined
          ? { 'requested.controlPlane': request.controlPlaneReplicas }
          : {}),
      },
      permission: shipyardClusterScalePermission,
    },
    request.dryRun === true,
    async summary => {
      if (
        !request.size &&
        !request.workers?.length &&
        request.controlPlaneReplicas === undefined
      ) {
        throw new InputError(
          'Say what to change: a size, workers (name and replicas) or controlPlaneReplicas',
        );
      }
      if (request.size && request.workers?.length) {
        throw new InputError('Give either a size or workers, not both');
      }
      const sizes = summary.profile
        ? await deps.profiles.sizesOf(summary.profile)
        : undefined;
      const pools = [
        ...summary.machineDeployments.map(m => m.name),
        ...summary.machinePools.map(m => m.name),
      ];
      const workers: Record<string, number> = {};
      let controlPlaneReplicas = request.controlPlaneReplicas;
      if (request.size) {
        const size = sizes?.[request.size];
        if (!size) {
          throw new InputError(
            `Size ${request.size} is not a size of profile ${
              summary.profile ?? '(none)'
            }; choose one of ${Object.keys(sizes ?? {}).join(', ') || 'none'}`,
          );
        }
        if (pools.length === 0) {
          throw new ConflictError(`Cluster ${where} has no worker pools`);
        }
        workers[pools[0]] = size.workerReplicas;
        if (
          size.controlPlaneReplicas > 0 &&
          MACHINE_CONTROL_PLANES.has(summary.controlPlaneKind ?? '')
        ) {
          controlPlaneReplicas = size.controlPlaneReplicas;
        }
      }
      const bounds = workerBounds(sizes, config.maxWorkerReplicas);
      for (const w of request.workers ?? []) {
        if (!pools.includes(w.name)) {
          throw new InputError(
            `Cluster ${where} has no worker pool ${w.name}; its pools are ${
              pools.join(', ') || 'none'
            }`,
          );
        }
        if (!Number.isInteger(w.replicas)) {
          throw new InputError(`Replicas of ${w.name} must be a whole number`);
        }
        workers[w.name] = w.replicas;
      }
      for (const [name, replicas] of Object.entries(workers)) {
        if (replicas < bounds.min || replicas > bounds.max) {
          throw new InputError(
            `${replicas} workers for ${name} is outside the bounds of ${
              sizes ? `profile ${summary.profile}'s sizes` : 'this backend'
            } (${bounds.min}–${bounds.max})`,
          );
        }
      }
      if (controlPlaneReplicas !== undefined) {
        if (!MACHINE_CONTROL_PLANES.has(summary.controlPlaneKind ?? '')) {
          throw new InputError(
            `The control plane of ${where} (${
              summary.controlPlaneKind ?? 'unknown'
            }) is managed by its provider; its machines cannot be changed here`,
          );
        }
        if (![1, 3, 5].includes(controlPlaneReplicas)) {
          throw new InputError(
            'Control plane replicas must be 1, 3 or 5 (an odd number keeps etcd quorum)',
          );
        }
      }
      checkSteady(summary, where, {
        resuming: 'resizing',
        starting: 'resizes start',
      });
      const before: Record<string, number | null> = {};
      const after: Record<string, number | null> = {};
      let delta = 0;
      for (const [name, replicas] of Object.entries(workers)) {
        const current = desiredOf(summary, name);
        before[`workers.${name}`] = current ?? null;
        after[`workers.${name}`] = replicas;
        delta += replicas - (current ?? 0);
      }
      if (controlPlaneReplicas !== undefined) {
        before.controlPlane = summary.controlPlane.desired ?? null;
        after.controlPlane = controlPlaneReplicas;
        delta += controlPlaneReplicas - (summary.controlPlane.desired ?? 0);
      }
      const quota = config.machineQuota;
      const limit = quota
        ? quota.teams[summary.owner.toLocaleLowerCase('en-US')] ?? quota.default
        : undefined;
      if (limit !== undefined && delta > 0) {
        const owned = machinesOwnedBy(ops, summary.owner);
        if (owned + delta > limit) {
          throw new NotAllowedError(
            `${summary.owner} owns ${owned} machines; ${delta} more would exceed its quota of ${limit}`,
          );
        }
      }
      target = {
        workers,
        ...(controlPlaneReplicas !== undefined ? { controlPlaneReplicas } : {}),
      };
      const unchanged = Object.keys(after).every(k => after[k] === before[k]);
      // topology clusters are resized through spec.topology; others through their objects
      const api = ops.clientOf(key.managementCluster);
      const live = await api.get(clusterObjectPath(key)).catch(error => {
        throw kubeRefusal(error, where);
      });
      isTopology = Boolean(live?.spec?.topology);
      if (isTopology) {
        topologyNames = {};
        for (const name of Object.keys(workers)) {
          const md = await api
            .get(
              resourcePath(capiResource('MachineDeployment'), {
                namespace: key.namespace,
                name,
              }),
            )
            .catch(() => undefined);
          const mp = md
            ? undefined
            : await api
                .get(
                  resourcePath(capiResource('MachinePool'), {
                    namespace: key.namespace,
                    name,
                  }),
                )
                .catch(() => undefined);
          const topologyName = (md ?? mp)?.metadata?.labels?.[
            md
              ? CAPI_LABELS.topologyDeploymentName
              : 'topology.cluster.x-k8s.io/pool-name'
          ];
          if (!topologyName) {
            throw new ConflictError(
              `Worker pool ${name} of ${where} is not one of its topology's; it cannot be resized here`,
            );
          }
          topologyNames[name] = topologyName;
        }
      }
      const topology = live?.spec?.topology;
      return {
        summary,
        before,
        after,
        unchanged,
        message: `${where} resized: ${Object.entries(after)
          .map(([k, v]) => `${k} ${before[k] ?? '?'} → ${v}`)
          .join(', ')}`,
        write: async (client, dryRun) => {
          if (isTopology) {
            const patch: unknown[] = [];
            for (const [name, replicas] of Object.entries(workers)) {
              const topologyName = topologyNames[name];
              const listName = topology.workers?.machineDeployments?.some(
                (m: { name?: string }) => m.name === topologyName,
              )
                ? 'machineDeployments'
                : 'machinePools';
              const list = topology.workers?.[listName] ?? [];
              const index = list.findIndex(
                (m: { name?: string }) => m.name === topologyName,
              );
              if (index < 0) {
                throw new ConflictError(
                  `Worker pool ${name} of ${where} is not in its topology`,
                );
              }
              const path = `/spec/topology/workers/${listName}/${index}`;
              patch.push(
                {
                  op: 'test',
                  path: `${path}/name`,
                  value: topologyNames[name],
                },
                {
                  op: list[index].replicas === undefined ? 'add' : 'replace',
                  path: `${path}/replicas`,
                  value: replicas,
                },
              );
            }
            if (controlPlaneReplicas !== undefined) {
              patch.push({
                op:
                  topology.controlPlane?.replicas === undefined
                    ? 'add'
                    : 'replace',
                path: '/spec/topology/controlPlane/replicas',
                value: controlPlaneReplicas,
              });
            }
            await client.jsonPatch(clusterObjectPath(key), patch, {
              fieldManager: OPERATIONS_FIELD_MANAGER,
              dryRun,
            });
            return;
          }
          for (const [name, replicas] of Object.entries(workers)) {
            const kind = summary.machineDeployments.some(m => m.name === name)
              ? 'MachineDeployment'
              : 'MachinePool';
            await client.mergePatch(
              resourcePath(capiResource(kind), {
                namespace: key.namespace,
                name,
              }),
              { spec: { replicas } },
              { fieldManager: OPERATIONS_FIELD_MANAGER, dryRun },
            );
          }
          if (controlPlaneReplicas !== undefined) {
            const ref = live?.spec?.controlPlaneRef;
            const group = String(ref?.apiGroup ?? ref?.apiVersion ?? '').split(
              '/',
            )[0];
            const version =
              String(ref?.apiVersion ?? '').split('/')[1] ?? 'v1beta2';
            await client.mergePatch(
              `/apis/${group}/${version}/namespaces/${key.namespace}/${String(
                ref?.kind ?? '',
              ).toLowerCase()}s/${ref?.name}`,
              { spec: { replicas: controlPlaneReplicas } },
              { fieldManager: OPERATIONS_FIELD_MANAGER, dryRun },
            );
          }
        },
      };
    },
  );
  return deps.tracker.followChange(result, {
    action: 'cluster.scale',
    actor: actor.ref,
    target: target!,
    deadlineMs: config.scaleDeadlineMs,
  });
}
