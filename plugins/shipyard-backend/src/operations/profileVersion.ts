import { ConflictError, InputError } from '@backstage/errors';
import {
  ClusterKey,
  ClusterSummary,
  LABEL_PROFILE_VERSION,
  capiResource,
  compareKubernetesVersions,
  kubernetesMinorOf,
  parseKubernetesVersion,
  profileVersionNodes,
  resourcePath,
  rolloutProgress,
  ShipyardOpenApi,
  shipyardClusterUpdatePermission,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import semver from 'semver';
import {
  ClusterOperations,
  OPERATIONS_FIELD_MANAGER,
  OperationActor,
  checkSteady,
  clusterObjectPath,
  kubeRefusal,
} from './ClusterOperations';
import { OperationServices } from './services';
import { driftProfileOf } from '../drift/profiles';

/**
 * Body of `POST /clusters/:mc/:ns/:name/profile-version`: the profile version to move to (the profile's latest
 * released version by default) and the Kubernetes version to take, among those it allows within one minor of the
 * cluster's.
 */
export type MoveProfileVersionRequest =
  ShipyardOpenApi.MoveProfileVersionRequest;

type Variable = { name: string; value: unknown };

/** A value of the diff (before/after answer one scalar per field): objects and lists as JSON. */
function diffValue(value: unknown): string | number | boolean | null {
  if (value === undefined || value === null) return null;
  if (['string', 'number', 'boolean'].includes(typeof value)) {
    return value as string | number | boolean;
  }
  return JSON.stringify(value);
}

/** `a/b` → `a~1b` (a JSON pointer segment). */
function pointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * The Kubernetes version the move takes: the cluster's own when the new profile version allows it, else the newest
 * the new version allows in the cluster's minor, else in the next one. Never more than one minor up, never down.
 */
export function chooseKubernetesVersion(
  current: string,
  allowed: string[],
  requested: string | undefined,
  where: string,
): string {
  const minor = kubernetesMinorOf(current);
  const cur = parseKubernetesVersion(current);
  if (!minor || !cur) {
    throw new ConflictError(
      `Cluster ${where} has no known Kubernetes version; it cannot move to another profile version`,
    );
  }
  const next = `${cur.major}.${cur.minor + 1}`;
  const reachable = allowed.filter(v => {
    const m = kubernetesMinorOf(v);
    if (m !== minor && m !== next) return false;
    // a minor alone (`v1.35`, managed distributions) or a version not below the cluster's
    return (
      !/^v?\d+\.\d+\.\d+/.test(v) || compareKubernetesVersions(v, current) >= 0
    );
  });
  if (requested) {
    if (!allowed.includes(requested)) {
      throw new InputError(
        `Kubernetes ${requested} is not allowed by the new profile version; it allows ${allowed.join(
          ', ',
        )}`,
      );
    }
    if (!reachable.includes(requested)) {
      throw new InputError(
        `Kubernetes ${requested} is not within one minor above ${current}; move the cluster there with an upgrade or a rollout`,
      );
    }
    return requested;
  }
  if (allowed.includes(current)) return current;
  const pick = (m: string) =>
    reachable
      .filter(v => kubernetesMinorOf(v) === m)
      .sort(compareKubernetesVersions)
      .pop();
  const chosen = pick(minor) ?? pick(next);
  if (!chosen) {
    throw new ConflictError(
      `The new profile version allows Kubernetes ${allowed.join(
        ', ',
      )}, none within one minor above the cluster's ${current}; upgrade the cluster step by step first (a rollout plans the path)`,
    );
  }
  return chosen;
}

/**
 * `POST /clusters/:mc/:ns/:name/profile-version`: moves a topology cluster to a newer version of its profile (the
 * latest released one by default): the ClusterClass, the Kubernetes version (within one minor) and the pinned
 * variables of that version, and the `shipyard.io/profile-version` label (which the add-on layers of the version
 * select). Moving to the version the cluster is on puts back what drifted from its pins. Pre-flight:
 * `shipyard.cluster.update` on the cluster, a described, not deprecated version not older than the cluster's and one
 * the cluster's version may move to (`upgradesTo`), its ClusterClass on the management cluster, a healthy, unpaused, settled cluster, then a server-side dry run of the patch. The answer's
 * before/after is the `spec.topology` diff (a dry run previews it); the move is followed as an upgrade until every
 * machine runs the new spec (completed) or its deadline passes (stalled).
 */
export async function moveProfileVersion(
  deps: OperationServices,
  actor: OperationActor,
  key: ClusterKey,
  request: MoveProfileVersionRequest,
) {
  const { operations: ops } = deps;
  const where = stringifyClusterKey(key);
  let target: { profileVersion: string; kubernetesVersion: string } = {
    profileVersion: '',
    kubernetesVersion: '',
  };
  const result = await ops.runOnCluster(
    {
      action: 'cluster.update',
      actor,
      key,
      requested: {
        ...(request.version ? { version: request.version } : {}),
        ...(request.kubernetesVersion
          ? { kubernetesVersion: request.kubernetesVersion }
          : {}),
      },
      permission: shipyardClusterUpdatePermission,
    },
    request.dryRun === true,
    async summary => {
      if (request.version !== undefined && !semver.valid(request.version)) {
        throw new InputError(
          `version must be a semantic version (1.4.0), got "${request.version}"`,
        );
      }
      if (!summary.profile) {
        throw new ConflictError(
          `Cluster ${where} was not requested from a profile; it has no profile version to move`,
        );
      }
      const spec = await deps.profiles.specOf(summary.profile);
      const profile = driftProfileOf(summary.profile, spec);
      if (!spec || !profile) {
        throw new ConflictError(
          `Profile ${summary.profile} of ${where} is not in the catalog`,
        );
      }
      const version = request.version ?? profile.latestReleased;
      const wanted = version ? profile.versions.get(version) : undefined;
      if (!version || !wanted) {
        throw new InputError(
          `${summary.profile} has no version ${
            version ?? '(none released)'
          }; it describes ${[...profile.versions.keys()].join(', ')}`,
        );
      }
      if (wanted.deprecated) {
        throw new InputError(
          `${summary.profile} ${version} is deprecated; clusters do not move to it`,
        );
      }
      const from = summary.profileVersion;
      if (from && semver.valid(from) && semver.lt(version, from)) {
        throw new InputError(
          `Cluster ${where} runs ${summary.profile} ${from}; ${version} is older`,
        );
      }
      const node = profileVersionNodes({
        metadata: { name: summary.profile },
        spec,
      }).find(n => n.version === from);
      if (
        from !== version &&
        node &&
        node.upgradesTo.length > 0 &&
        !node.upgradesTo.some(
          t => t.profile === summary.profile && t.version === version,
        )
      ) {
        throw new InputError(
          `${summary.profile} ${from} may move to ${node.upgradesTo
            .map(t => `${t.profile}@${t.version}`)
            .join(', ')}, not to ${version}`,
        );
      }
      // the version's ClusterClass: its own, else the current version's (as drift reads it)
      const classOfVersion =
        spec.previousVersions?.find(p => p.version === version)?.clusterClass ??
        spec.clusterClass;
      checkSettled(summary, where);
      const api = ops.clientOf(key.managementCluster);
      const live = await api.get(clusterObjectPath(key)).catch(error => {
        throw kubeRefusal(error, where);
      });
      const topology = (live?.spec as any)?.topology;
      if (!live || !topology?.classRef) {
        throw new ConflictError(
          `Cluster ${where} has no spec.topology; only topology clusters move to another profile version`,
        );
      }
      const kubernetesVersion = chooseKubernetesVersion(
        String(topology.version ?? summary.kubernetesVersion ?? ''),
        wanted.kubernetesVersions,
        request.kubernetesVersion,
        where,
      );
      const classRef: Record<string, string> = classOfVersion
        ? {
            name: classOfVersion.name,
            ...(classOfVersion.namespace &&
            classOfVersion.namespace !== key.namespace
              ? { namespace: classOfVersion.namespace }
              : {}),
          }
        : topology.classRef;
      if (classOfVersion) {
        const cc = await api
          .get(
            resourcePath(capiResource('ClusterClass'), {
              namespace: classRef.namespace ?? key.namespace,
              name: classRef.name,
            }),
          )
          .catch(error => {
            throw kubeRefusal(error, where);
          });
        if (!cc) {
          throw new ConflictError(
            `ClusterClass ${classRef.name} of ${summary.profile} ${version} is not on management cluster ${key.managementCluster}`,
          );
        }
      }
      const before: Record<string, string | number | boolean | null> = {};
      const after: Record<string, string | number | boolean | null> = {};
      const patch: unknown[] = [
        {
          op: 'test',
          path: '/metadata/resourceVersion',
          value: live.metadata?.resourceVersion,
        },
      ];
      const currentLabel = live.metadata?.labels?.[LABEL_PROFILE_VERSION];
      if (currentLabel !== version) {
        before.profileVersion = currentLabel ?? null;
        after.profileVersion = version;
        patch.push(
          live.metadata?.labels
            ? {
                op: currentLabel === undefined ? 'add' : 'replace',
                path: `/metadata/labels/${pointer(LABEL_PROFILE_VERSION)}`,
                value: version,
              }
            : {
                op: 'add',
                path: '/metadata/labels',
                value: { [LABEL_PROFILE_VERSION]: version },
              },
        );
      }
      const sameClass =
        topology.classRef.name === classRef.name &&
        (topology.classRef.namespace ?? '') === (classRef.namespace ?? '');
      if (!sameClass) {
        before['topology.classRef'] = diffValue(topology.classRef);
        after['topology.classRef'] = diffValue(classRef);
        patch.push({
          op: 'replace',
          path: '/spec/topology/classRef',
          value: classRef,
        });
      }
      if (topology.version !== kubernetesVersion) {
        before['topology.version'] = topology.version ?? null;
        after['topology.version'] = kubernetesVersion;
        patch.push({
          op: topology.version === undefined ? 'add' : 'replace',
          path: '/spec/topology/version',
          value: kubernetesVersion,
        });
      }
      const variables: Variable[] = Array.isArray(topology.variables)
        ? topology.variables
        : [];
      // the values the version pins (defaults stay the requester's)
      const pinned = Object.entries(wanted.pinned);
      if (pinned.length > 0 && !Array.isArray(topology.variables)) {
        patch.push({ op: 'add', path: '/spec/topology/variables', value: [] });
      }
      for (const [name, value] of pinned) {
        const index = variables.findIndex(v => v.name === name);
        const old = index >= 0 ? variables[index].value : undefined;
        if (JSON.stringify(old) === JSON.stringify(value)) continue;
        before[`topology.variables.${name}`] = diffValue(old);
        after[`topology.variables.${name}`] = diffValue(value);
        if (index >= 0) {
          patch.push(
            {
              op: 'test',
              path: `/spec/topology/variables/${index}/name`,
              value: name,
            },
            {
              op: 'replace',
              path: `/spec/topology/variables/${index}/value`,
              value,
            },
          );
        } else {
          patch.push({
            op: 'add',
            path: '/spec/topology/variables/-',
            value: { name, value },
          });
        }
      }
      target = { profileVersion: version, kubernetesVersion };
      const unchanged = Object.keys(after).length === 0;
      const write = async (
        client: ReturnType<ClusterOperations['clientOf']>,
        dryRun: boolean,
      ) => {
        await client.jsonPatch(clusterObjectPath(key), patch, {
          fieldManager: OPERATIONS_FIELD_MANAGER,
          dryRun,
        });
      };
      // the management cluster checks the whole change (ClusterClass compatibility, variables) before it is made
      if (!unchanged && request.dryRun !== true) {
        await write(api, true).catch(error => {
          throw kubeRefusal(error, where);
        });
      }
      return {
        summary,
        before,
        after,
        unchanged,
        message: unchanged
          ? `${where} is on ${summary.profile} ${version} already`
          : `${where} moves to ${summary.profile} ${version}: ${Object.keys(
              after,
            )
              .map(k => `${k} ${before[k] ?? '(none)'} → ${after[k]}`)
              .join(', ')}`,
        write,
      };
    },
  );
  return deps.tracker.followChange(result, {
    action: 'cluster.update',
    actor: actor.ref,
    target,
    deadlineMs: deps.config.updateDeadlineMs,
  });
}

/** A move starts only from a healthy, unpaused cluster whose last rollout is over. */
function checkSettled(summary: ClusterSummary, where: string): void {
  checkSteady(summary, where, {
    resuming: 'moving it to another profile version',
    starting: 'a profile move starts',
  });
  const progress = rolloutProgress(summary);
  if (!progress.complete) {
    throw new ConflictError(
      `Cluster ${where} is still rolling out (${progress.pending.join(
        ', ',
      )}); wait until it settles`,
    );
  }
}
