/*
 * The rollout planner: which clusters a rollout takes, in which stage, by which chain of steps (one Kubernetes minor
 * at a time, each version one its profile allows), and the pre-flight of each cluster before its turn (allowed by
 * its profile and the support data, kubelet skew, healthy now, no other upgrade in progress, no deprecated API in use
 * that the target removes). Pure functions of the fleet, the profiles, the calendar and the time.
 */
import {
  ProfileVersionNode,
  VersionSupportCalendar,
  compareKubernetesMinors,
  kubeletSkew,
  kubernetesMinorFor,
  profileVersionFinder,
  parseKubernetesVersion,
  rolloutProgress,
  runsOtherVersion,
  ShipyardOpenApi,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import semver from 'semver';
import type { StoredClusterSummary } from '../index/FleetIndex';
import { DeprecatedApiUse, describeApi, removedBy } from './deprecatedApis';
import {
  PreflightProblem,
  RolloutCluster,
  RolloutSpec,
  RolloutStep,
  RolloutTarget,
} from './model';
import { selectorPredicate } from './selector';

/** What the planner reads besides the rollout. */
export interface PlanContext {
  clusters: Iterable<StoredClusterSummary>;
  profiles: readonly ProfileVersionNode[];
  calendar: VersionSupportCalendar;
  now: number;
  /** Deprecated APIs in use per cluster key (absent: not read; an error text: unreadable). */
  deprecatedApis?: (key: string) => DeprecatedApiUse[] | string | undefined;
}

function minorOf(version: string | undefined): string | undefined {
  return kubernetesMinorFor(version);
}

function nextMinor(minor: string): string {
  const v = parseKubernetesVersion(minor)!;
  return `${v.major}.${v.minor + 1}`;
}

function withV(version: string): string {
  return version.startsWith('v') ? version : `v${version}`;
}

/** The newest version a profile version allows of a minor (a bare minor `v1.34` stands for itself). */
function allowedVersion(
  node: ProfileVersionNode | undefined,
  minor: string,
): string | undefined {
  let best: string | undefined;
  for (const v of node?.kubernetesVersions ?? []) {
    if (minorOf(v) !== minor) continue;
    const cv = semver.coerce(v);
    const cb = best ? semver.coerce(best) : null;
    if (!best || (cv && cb && semver.gt(cv, cb))) best = v;
  }
  return best;
}

function hasPatch(version: string): boolean {
  return /^v?\d+\.\d+\.\d+/.test(version);
}

/** The chain of steps of a cluster to the target, or why there is none. */
export function chainFor(
  cluster: StoredClusterSummary,
  target: RolloutTarget,
  ctx: Pick<PlanContext, 'profiles' | 'calendar' | 'now'>,
):
  | { steps: RolloutStep[]; alreadyOnTarget?: boolean }
  | { problem: PreflightProblem } {
  if (!cluster.clusterClass) {
    return {
      problem: {
        check: 'topology',
        message:
          'not a topology cluster (no ClusterClass): a rollout moves spec.topology.version',
      },
    };
  }
  const current = cluster.kubernetesVersion;
  const fromMinor = minorOf(current);
  if (!current || !fromMinor) {
    return {
      problem: {
        check: 'version',
        message: 'the cluster reports no Kubernetes version',
      },
    };
  }
  const nodeOf = profileVersionFinder(ctx.profiles);
  const currentNode = nodeOf(cluster.profile, cluster.profileVersion);
  let targetNode: ProfileVersionNode | undefined;
  let targetVersion: string;
  if ('kubernetesVersion' in target) {
    targetVersion = withV(target.kubernetesVersion);
    if (cluster.profile && !currentNode) {
      return {
        problem: {
          check: 'profile',
          message: `profile ${cluster.profile}${
            cluster.profileVersion ? ` ${cluster.profileVersion}` : ''
          } is not in the catalog, so no versions are approved for the cluster`,
        },
      };
    }
    targetNode = currentNode;
  } else {
    targetNode = nodeOf(target.profile, target.profileVersion);
    if (!targetNode) {
      return {
        problem: {
          check: 'profile',
          message: `profile version ${target.profile} ${target.profileVersion} is not in the catalog`,
        },
      };
    }
    const onTarget =
      cluster.profile === target.profile &&
      cluster.profileVersion === target.profileVersion;
    const mayMove =
      onTarget ||
      currentNode?.upgradesTo.some(
        t =>
          t.profile === target.profile && t.version === target.profileVersion,
      ) ||
      (cluster.profile === target.profile &&
        cluster.profileVersion !== undefined &&
        semver.valid(cluster.profileVersion) !== null &&
        semver.lt(cluster.profileVersion, target.profileVersion));
    if (!mayMove) {
      return {
        problem: {
          check: 'profile',
          message: `${cluster.profile ?? 'a cluster without profile'}${
            cluster.profileVersion ? ` ${cluster.profileVersion}` : ''
          } may not move to ${target.profile} ${target.profileVersion}`,
        },
      };
    }
    const newest = [...targetNode.kubernetesVersions].sort((a, b) =>
      compareKubernetesMinors(b, a),
    )[0];
    if (!newest) {
      return {
        problem: {
          check: 'profile',
          message: `${target.profile} ${target.profileVersion} allows no Kubernetes version`,
        },
      };
    }
    // the target profile version's newest minor, at least the cluster's own (never a downgrade)
    targetVersion =
      compareKubernetesMinors(newest, fromMinor) >= 0
        ? withV(newest)
        : withV(current);
  }
  const toMinor = minorOf(targetVersion);
  if (!toMinor) {
    return {
      problem: { check: 'version', message: `cannot read ${targetVersion}` },
    };
  }
  const profileVersion =
    'profile' in target ? target.profileVersion : undefined;
  const cmp = compareKubernetesMinors(fromMinor, toMinor);
  if (cmp > 0) {
    return {
      problem: {
        check: 'version',
        message: `the cluster runs ${current}, newer than ${targetVersion}; Kubernetes cannot be downgraded`,
      },
    };
  }
  const sameVersion =
    withV(current) === targetVersion ||
    (!hasPatch(targetVersion) && fromMinor === toMinor);
  if (
    sameVersion &&
    (!profileVersion || cluster.profileVersion === profileVersion)
  ) {
    return { steps: [], alreadyOnTarget: true };
  }
  const steps: RolloutStep[] = [];
  let minor = fromMinor;
  const versionFor = (m: string): string | undefined => {
    if (m === toMinor && hasPatch(targetVersion)) return targetVersion;
    const allowed =
      allowedVersion(targetNode, m) ?? allowedVersion(currentNode, m);
    if (allowed) return hasPatch(allowed) ? withV(allowed) : undefined;
    return undefined;
  };
  if (cmp === 0) {
    steps.push({
      kubernetesVersion: sameVersion ? withV(current) : targetVersion,
    });
  }
  while (compareKubernetesMinors(minor, toMinor) < 0) {
    minor = nextMinor(minor);
    const version = versionFor(minor);
    if (!version) {
      return {
        problem: {
          check: 'profile',
          message: `no version of Kubernetes ${minor} is approved for the cluster${
            targetNode ? ` by ${targetNode.profile} ${targetNode.version}` : ''
          }; a chained upgrade needs one per minor`,
        },
      };
    }
    steps.push({ kubernetesVersion: version });
  }
  // the target must be one its profile allows
  const finalNode = targetNode ?? currentNode;
  if (finalNode) {
    const last = steps[steps.length - 1].kubernetesVersion;
    const allowed = finalNode.kubernetesVersions.some(
      v => withV(v) === last || (!hasPatch(v) && minorOf(v) === minorOf(last)),
    );
    if (!allowed) {
      return {
        problem: {
          check: 'profile',
          message: `Kubernetes ${last} is not allowed by profile ${
            finalNode.profile
          } ${finalNode.version} (${finalNode.kubernetesVersions.join(', ')})`,
        },
      };
    }
  }
  for (const step of steps) {
    const m = minorOf(step.kubernetesVersion)!;
    const s = ctx.calendar.evaluate(
      { distribution: cluster.distribution, version: m },
      ctx.now,
    );
    if (s.status === 'preview' || s.status === 'unknown') {
      return {
        problem: {
          check: 'support',
          message: `Kubernetes ${m} is ${
            s.status === 'preview' ? 'not released yet' : 'unknown'
          } on ${cluster.distribution ?? 'upstream'}`,
        },
      };
    }
  }
  if (profileVersion) steps[steps.length - 1].profileVersion = profileVersion;
  return { steps };
}

/**
 * The checks of a cluster that may change until its turn: healthy now, no other upgrade in progress, kubelets
 * within the skew policy of the next step, no deprecated API in use that the target removes.
 */
export function preflight(
  cluster: StoredClusterSummary,
  steps: readonly RolloutStep[],
  deprecatedApis: DeprecatedApiUse[] | string | undefined,
): PreflightProblem[] {
  const problems: PreflightProblem[] = [];
  if (cluster.health !== 'healthy') {
    problems.push({
      check: 'health',
      message: `the cluster is ${cluster.health}${
        cluster.healthReasons[0] ? ` (${cluster.healthReasons[0].message})` : ''
      }; upgrades start only from a healthy cluster`,
    });
  }
  const progress = rolloutProgress(cluster);
  if (!progress.complete || runsOtherVersion(cluster)) {
    problems.push({
      check: 'in-progress',
      message: `another upgrade is in progress (${
        progress.pending.join(', ') ||
        `runs ${cluster.observedKubernetesVersion}`
      })`,
    });
  }
  if (steps.length === 0) return problems;
  const firstMinor = minorOf(steps[0].kubernetesVersion)!;
  const kubelets = new Set<string>(
    Object.keys(cluster.nodes?.kubeletVersions ?? {}),
  );
  for (const pool of [...cluster.machineDeployments, ...cluster.machinePools]) {
    if (pool.version) kubelets.add(pool.version);
  }
  const skewed = [...kubelets].filter(v => {
    const m = minorOf(v);
    const skew = m ? kubeletSkew(firstMinor, m) : undefined;
    return skew !== undefined && !skew.supported;
  });
  if (skewed.length > 0) {
    problems.push({
      check: 'skew',
      message: `kubelets on ${skewed.join(
        ', ',
      )} would be outside the supported skew of a ${firstMinor} control plane`,
    });
  }
  const targetMinor = minorOf(steps[steps.length - 1].kubernetesVersion)!;
  if (typeof deprecatedApis === 'string') {
    problems.push({
      check: 'deprecated-apis',
      message: `the deprecated APIs in use could not be read (${deprecatedApis})`,
    });
  } else if (deprecatedApis) {
    const removed = removedBy(deprecatedApis, targetMinor);
    if (removed.length > 0) {
      problems.push({
        check: 'deprecated-apis',
        message: `still in use and removed by ${targetMinor}: ${removed
          .map(u => `${describeApi(u)} (removed in ${u.removedRelease})`)
          .join(', ')}`,
      });
    }
  }
  return problems;
}

/** A planned rollout before it is stored: its stages with their clusters, and the clusters left out. */
export type RolloutPlan = ShipyardOpenApi.RolloutPlan;

/** Assigns the selected clusters to stages in order and plans each one's chain and pre-flight. */
export function planRollout(spec: RolloutSpec, ctx: PlanContext): RolloutPlan {
  const inSelection = selectorPredicate(spec.selector);
  const selected = [...ctx.clusters]
    .filter(inSelection)
    .sort((a, b) =>
      stringifyClusterKey(a).localeCompare(stringifyClusterKey(b)),
    );
  const entryOf = (c: StoredClusterSummary): RolloutCluster => {
    const key = stringifyClusterKey(c);
    const entry: RolloutCluster = {
      key,
      owner: c.owner,
      ...(c.profile ? { profile: c.profile } : {}),
      ...(c.kubernetesVersion ? { fromVersion: c.kubernetesVersion } : {}),
      steps: [],
      state: 'pending',
      step: 0,
      bumped: [],
    };
    const chain = chainFor(c, spec.target, ctx);
    if ('problem' in chain) {
      entry.state = 'skipped';
      entry.problems = [chain.problem];
      entry.message = chain.problem.message;
      return entry;
    }
    if (chain.alreadyOnTarget) {
      entry.state = 'skipped';
      entry.message = `already on ${c.kubernetesVersion}`;
      return entry;
    }
    entry.steps = chain.steps;
    const problems = preflight(c, chain.steps, ctx.deprecatedApis?.(key));
    if (problems.length > 0) {
      // checked again before the cluster's turn: the plan shows what would stop it now
      entry.problems = problems;
      entry.message = `pre-flight: ${problems.map(p => p.message).join('; ')}`;
    }
    return entry;
  };
  // clusters that cannot reach the target, or are on it, take no place in a stage (nor a canary's)
  const excluded: RolloutCluster[] = [];
  let remaining: StoredClusterSummary[] = [];
  for (const c of selected) {
    const chain = chainFor(c, spec.target, ctx);
    if ('problem' in chain || chain.alreadyOnTarget) excluded.push(entryOf(c));
    else remaining.push(c);
  }
  const stages: RolloutPlan['stages'] = spec.stages.map(stage => {
    const matches = selectorPredicate(stage.selector);
    const taken: StoredClusterSummary[] = [];
    const rest: StoredClusterSummary[] = [];
    for (const c of remaining) {
      if (
        matches(c) &&
        (stage.maxClusters === undefined || taken.length < stage.maxClusters)
      ) {
        taken.push(c);
      } else {
        rest.push(c);
      }
    }
    remaining = rest;
    return {
      name: stage.name,
      state: 'pending',
      clusters: taken.map(entryOf),
    };
  });
  for (const c of remaining) {
    excluded.push({
      ...entryOf(c),
      state: 'skipped' as const,
      steps: [],
      message: 'no stage takes this cluster',
      problems: [
        { check: 'selection' as const, message: 'no stage takes this cluster' },
      ],
    });
  }
  excluded.sort((a, b) => a.key.localeCompare(b.key));
  return { stages, excluded };
}
