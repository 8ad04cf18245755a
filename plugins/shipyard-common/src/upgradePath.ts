/*
 * Upgrade paths per profile: which moves a cluster can make now (a newer Kubernetes version its profile version
 * allows, or another profile version it may move to), and the shortest chain of such moves that brings it back into
 * support, one Kubernetes minor at a time. The issue "Fleet rollouts" executes these steps.
 */
import semver from 'semver';
import { ClusterProfileSpec } from './profile';
import type {
  ClusterUpgradePlan,
  UpgradeStep,
} from './schema/openapi/generated/models';
import { VersionSupportCalendar, kubernetesMinorFor } from './versionSupport';

/** One version of a profile as the planner sees it. */
export interface ProfileVersionNode {
  profile: string;
  version: string;
  distribution?: string;
  /** Kubernetes versions or minors it allows (`v1.33.9`, `v1.33`). */
  kubernetesVersions: string[];
  /** Profile versions it may move to. */
  upgradesTo: Array<{ profile: string; version: string }>;
}

/**
 * Finds among `nodes` the one of a profile and version: undefined when it is not among them, or when the profile
 * or the version is missing.
 */
export function profileVersionFinder(
  nodes: readonly ProfileVersionNode[],
): (
  profile: string | undefined,
  version: string | undefined,
) => ProfileVersionNode | undefined {
  const byKey = new Map(nodes.map(n => [`${n.profile}@${n.version}`, n]));
  return (profile, version) =>
    profile && version ? byKey.get(`${profile}@${version}`) : undefined;
}

/** Reads `profile@version` or `version` (of `profile`). */
export function parseUpgradeTarget(
  target: string,
  profile: string,
): { profile: string; version: string } | undefined {
  const at = target.lastIndexOf('@');
  const name = at >= 0 ? target.slice(0, at) : profile;
  const version = at >= 0 ? target.slice(at + 1) : target;
  if (!name || !semver.valid(version)) return undefined;
  return { profile: name, version };
}

/** The versions of a profile entity: the current one (its spec) and the earlier ones it lists. */
export function profileVersionNodes(entity: {
  metadata: { name: string };
  spec: Pick<
    ClusterProfileSpec,
    | 'version'
    | 'distribution'
    | 'kubernetes'
    | 'upgradesTo'
    | 'previousVersions'
  >;
}): ProfileVersionNode[] {
  const name = entity.metadata.name;
  const targets = (list: string[] | undefined) =>
    (list ?? [])
      .map(t => parseUpgradeTarget(t, name))
      .filter((t): t is { profile: string; version: string } => !!t);
  const nodes: ProfileVersionNode[] = [
    {
      profile: name,
      version: entity.spec.version,
      kubernetesVersions: entity.spec.kubernetes?.versions ?? [],
      upgradesTo: targets(entity.spec.upgradesTo),
    },
  ];
  if (entity.spec.distribution)
    nodes[0].distribution = entity.spec.distribution;
  for (const previous of entity.spec.previousVersions ?? []) {
    nodes.push({
      profile: name,
      version: previous.version,
      ...(entity.spec.distribution
        ? { distribution: entity.spec.distribution }
        : {}),
      kubernetesVersions: previous.kubernetes?.versions ?? [],
      upgradesTo: targets(previous.upgradesTo),
    });
  }
  return nodes;
}

export type {
  ClusterUpgradePlan,
  UpgradeStep,
} from './schema/openapi/generated/models';

/** What {@link planClusterUpgrades} looks at. */
export interface UpgradePlanInput {
  calendar: VersionSupportCalendar;
  now: Date | number;
  distribution?: string;
  /** The cluster's Kubernetes version (observed, else desired). */
  kubernetesVersion?: string;
  /** Whether the cluster is enrolled in extended support (see `VersionSupportQuery`). */
  extendedSupport?: boolean;
  profile?: string;
  profileVersion?: string;
  /** Every known profile version (of every profile: `upgradesTo` may cross profiles). */
  profiles: readonly ProfileVersionNode[];
  /** Longest path searched (default 12 steps). */
  maxSteps?: number;
}

function nextMinor(minor: string): string | undefined {
  const v = semver.coerce(minor);
  return v ? `${v.major}.${v.minor + 1}` : undefined;
}

/** The newest version a profile version allows per minor. */
function allowedByMinor(node: ProfileVersionNode): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of node.kubernetesVersions) {
    const minor = kubernetesMinorFor(v);
    if (!minor) continue;
    const known = out.get(minor);
    const cv = semver.coerce(v);
    const ck = known ? semver.coerce(known) : null;
    if (!known || (cv && ck && semver.gt(cv, ck))) out.set(minor, v);
  }
  return out;
}

interface State {
  node?: ProfileVersionNode;
  minor: string;
  steps: UpgradeStep[];
}

/**
 * Plans a cluster's upgrades from its profile version and the support calendar of its distribution. Without a known
 * profile version the plan follows the calendar alone (every released minor is allowed).
 */
export function planClusterUpgrades(
  input: UpgradePlanInput,
): ClusterUpgradePlan {
  const { calendar, now } = input;
  // the cluster's detected distribution decides its calendar; a profile's only stands in when nothing was detected
  const status = (minor: string, distribution?: string) =>
    calendar.evaluate(
      {
        distribution: input.distribution ?? distribution,
        version: minor,
        ...(input.extendedSupport === undefined
          ? {}
          : { extendedSupport: input.extendedSupport }),
      },
      now,
    );
  const minor = kubernetesMinorFor(input.kubernetesVersion);
  const current = minor ? status(minor) : { status: 'unknown' as const };
  const plan: ClusterUpgradePlan = {
    current: {
      ...(input.profile ? { profile: input.profile } : {}),
      ...(input.profileVersion ? { profileVersion: input.profileVersion } : {}),
      ...(input.kubernetesVersion
        ? { kubernetesVersion: input.kubernetesVersion }
        : {}),
      ...(minor ? { minor } : {}),
      status: current.status,
    },
    profileKnown: false,
    available: [],
  };
  if (!minor) {
    plan.note = 'The cluster reports no Kubernetes version yet.';
    return plan;
  }
  const nodeOf = profileVersionFinder(input.profiles);
  const start = nodeOf(input.profile, input.profileVersion);
  plan.profileKnown = start !== undefined;
  if (!start && input.profile) {
    plan.note = `Profile ${input.profile}${
      input.profileVersion ? ` ${input.profileVersion}` : ''
    } is not in the catalog; the path follows the support calendar alone.`;
  }

  const stepTo = (
    kind: UpgradeStep['kind'],
    node: ProfileVersionNode | undefined,
    target: string,
    kubernetesVersion: string,
  ): UpgradeStep | undefined => {
    const s = status(target, node?.distribution);
    // a minor not yet released on the distribution cannot be moved to
    if (s.status === 'preview' || s.status === 'unknown') return undefined;
    const step: UpgradeStep = {
      kind,
      kubernetesVersion,
      minor: target,
      status: s.status,
    };
    if (node) {
      step.profile = node.profile;
      step.profileVersion = node.version;
    }
    if (s.endOfLife) step.endOfLife = s.endOfLife;
    return step;
  };

  const neighbours = (state: State): Array<[State['node'], UpgradeStep]> => {
    const out: Array<[State['node'], UpgradeStep]> = [];
    const next = nextMinor(state.minor);
    if (!state.node) {
      if (!next) return out;
      const known = calendar.record(input.distribution, next);
      const step = known
        ? stepTo('kubernetes', undefined, next, `v${next}`)
        : undefined;
      if (step) out.push([undefined, step]);
      return out;
    }
    const allowed = allowedByMinor(state.node);
    const within = next ? allowed.get(next) : undefined;
    if (next && within) {
      const step = stepTo('kubernetes', state.node, next, within);
      if (step) out.push([state.node, step]);
    }
    const targets = state.node.upgradesTo
      .map(t => nodeOf(t.profile, t.version))
      .filter((n): n is ProfileVersionNode => !!n)
      .sort((a, b) => semver.compare(a.version, b.version));
    for (const target of targets) {
      const targetAllowed = allowedByMinor(target);
      const same = targetAllowed.get(state.minor);
      if (same) {
        const step = stepTo('profile', target, state.minor, same);
        if (step) out.push([target, step]);
      }
      const up = next ? targetAllowed.get(next) : undefined;
      if (next && up) {
        const step = stepTo('profile-and-kubernetes', target, next, up);
        if (step) out.push([target, step]);
      }
    }
    return out;
  };

  // what the cluster can do now: its profile version's newer patch of the same minor, then the moves above
  if (start) {
    const same = allowedByMinor(start).get(minor);
    const cv = semver.coerce(input.kubernetesVersion ?? '');
    const sv = same ? semver.coerce(same) : null;
    if (same && cv && sv && semver.gt(sv, cv)) {
      const step = stepTo('kubernetes', start, minor, same);
      if (step) plan.available.push(step);
    }
  }
  plan.available.push(
    ...neighbours({ node: start, minor, steps: [] }).map(([, step]) => step),
  );

  if (current.status === 'supported') {
    plan.pathToSupport = [];
    return plan;
  }
  // breadth first: the fewest moves back into standard support
  const maxSteps = input.maxSteps ?? 12;
  const seen = new Set<string>([
    `${start?.profile}@${start?.version}|${minor}`,
  ]);
  let frontier: State[] = [{ node: start, minor, steps: [] }];
  while (frontier.length > 0) {
    const nextFrontier: State[] = [];
    for (const state of frontier) {
      if (state.steps.length >= maxSteps) continue;
      for (const [node, step] of neighbours(state)) {
        const key = `${node?.profile}@${node?.version}|${step.minor}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const steps = [...state.steps, step];
        if (step.status === 'supported') {
          plan.pathToSupport = steps;
          return plan;
        }
        nextFrontier.push({ node, minor: step.minor, steps });
      }
    }
    frontier = nextFrontier;
  }
  plan.note = [
    plan.note,
    start
      ? `No chain of allowed versions and profile versions leads from ${start.profile} ${start.version} (Kubernetes ${minor}) back into support; publish a profile version that allows the next minor.`
      : `No released minor after ${minor} is in support.`,
  ]
    .filter(Boolean)
    .join(' ');
  return plan;
}
