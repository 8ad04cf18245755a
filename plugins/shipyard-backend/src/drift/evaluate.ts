import { isDeepStrictEqual } from 'node:util';
import {
  ClusterAddonSummary,
  DriftFinding,
  compareProfileVersions,
  kubernetesMinorOf,
  parseKubernetesVersion,
} from '@shipyard/plugin-shipyard-common';
import { StoredClusterSummary } from '../index/FleetIndex';
import { intern } from '../index/intern';
import { DriftProfile, DriftProfileVersion } from './profiles';

/** A finding before it is dated. */
export type UndatedFinding = Omit<DriftFinding, 'since'>;

/** What a cluster is compared on besides its summary. */
export interface DriftInputs {
  /** The values of the cluster's ClusterClass variables; undefined when not known (restored, not listed again). */
  variables?: Record<string, unknown>;
}

/** Whether a Kubernetes version is one of a profile's (a minor such as `v1.35` allows every patch of it). */
export function kubernetesVersionAllowed(
  version: string,
  allowed: readonly string[],
): boolean {
  const actual = parseKubernetesVersion(version);
  for (const entry of allowed) {
    if (entry === version) return true;
    const expected = parseKubernetesVersion(entry);
    if (!expected || !actual) continue;
    const minorOnly = !/^v?\d+\.\d+\.\d+/.test(entry);
    if (minorOnly) {
      if (kubernetesMinorOf(entry) === kubernetesMinorOf(version)) return true;
    } else if (expected.compare(actual) === 0) {
      return true;
    }
  }
  return false;
}

function json(value: unknown): string {
  return value === undefined ? 'missing' : JSON.stringify(value);
}

function range(values: number[]): string {
  const min = Math.min(...values);
  const max = Math.max(...values);
  return min === max ? `${min}` : `${min}–${max}`;
}

function addonFindings(
  expected: DriftProfileVersion['layers'],
  observed: ClusterAddonSummary[],
): UndatedFinding[] {
  const out: UndatedFinding[] = [];
  for (const layer of expected) {
    const found = observed.filter(a => a.name === layer.name);
    if (found.length === 0) {
      out.push({
        kind: 'addonMissing',
        subject: layer.name,
        expected: layer.version,
        actual: 'missing',
      });
      continue;
    }
    const failed = found.find(a => a.state === 'failed');
    if (failed) {
      out.push({
        kind: 'addonFailed',
        subject: layer.name,
        expected: layer.version,
        actual: failed.version
          ? intern(`failed (${failed.version})`)
          : 'failed',
        ...(failed.message ? { message: failed.message } : {}),
      });
      continue;
    }
    const other = found.find(
      a => a.version !== undefined && !sameVersion(a.version, layer.version),
    );
    if (other) {
      out.push({
        kind: 'addonVersion',
        subject: layer.name,
        expected: layer.version,
        actual: other.version!,
      });
    }
  }
  return out;
}

function sameVersion(a: string, b: string): boolean {
  return a.replace(/^v/, '') === b.replace(/^v/, '');
}

/**
 * What evaluation reads of one profile version, worked out once per version (not per cluster): the answer for each
 * Kubernetes version seen, the expected values as strings, the replica bounds.
 */
interface CompiledVersion {
  /** Kubernetes version → whether the profile version allows it. */
  kubernetes: Map<string, boolean>;
  kubernetesExpected: string;
  pinnedNames: string[];
  pinnedExpected: Map<string, string>;
  /** Control-plane replica counts allowed (none when the control plane is managed or no size says). */
  controlPlane?: { allowed: Set<number>; expected: string };
  workers?: { min: number; max: number; expected: string };
}

const compiledVersions = new WeakMap<DriftProfileVersion, CompiledVersion>();
/** Profile → profile version → whether it is behind the latest released one. */
const behindLatest = new WeakMap<DriftProfile, Map<string, boolean>>();

function compile(version: DriftProfileVersion): CompiledVersion {
  let c = compiledVersions.get(version);
  if (c) return c;
  c = {
    kubernetes: new Map(),
    kubernetesExpected: intern(version.kubernetesVersions.join(', ')),
    pinnedNames: Object.keys(version.pinned).sort(),
    pinnedExpected: new Map(
      Object.keys(version.pinned).map(name => [
        name,
        intern(json(version.pinned[name])),
      ]),
    ),
  };
  if (version.sizes.length > 0) {
    const cp = version.sizes.map(s => s.controlPlaneReplicas);
    // managed control planes (0 machines in the profile) have no replicas to compare
    if (cp.some(n => n > 0)) {
      c.controlPlane = {
        allowed: new Set(cp),
        expected: [...new Set(cp)].sort((a, b) => a - b).join(' or '),
      };
    }
    const workers = version.sizes
      .map(s => s.workerReplicas)
      .filter(n => Number.isInteger(n));
    if (workers.length > 0) {
      c.workers = {
        min: Math.min(...workers),
        max: Math.max(...workers),
        expected: range(workers),
      };
    }
  }
  compiledVersions.set(version, c);
  return c;
}

function kubernetesAllowed(
  compiled: CompiledVersion,
  version: DriftProfileVersion,
  k8s: string,
): boolean {
  let allowed = compiled.kubernetes.get(k8s);
  if (allowed === undefined) {
    allowed = kubernetesVersionAllowed(k8s, version.kubernetesVersions);
    // bounded: a fleet has a handful of Kubernetes versions, garbage in the field must not grow it without end
    if (compiled.kubernetes.size < 1000) compiled.kubernetes.set(k8s, allowed);
  }
  return allowed;
}

function isBehind(profile: DriftProfile, profileVersion: string): boolean {
  const latest = profile.latestReleased!;
  let memo = behindLatest.get(profile);
  if (!memo) {
    memo = new Map();
    behindLatest.set(profile, memo);
  }
  let behind = memo.get(profileVersion);
  if (behind === undefined) {
    behind = compareProfileVersions(profileVersion, latest) < 0;
    if (memo.size < 1000) memo.set(profileVersion, behind);
  }
  return behind;
}

/**
 * Compares one cluster with the version of its profile it carries (or, when the profile does not declare that
 * version, with the latest released one). Findings are in a stable order (by kind, then subject).
 */
export function evaluateDrift(
  summary: StoredClusterSummary,
  profile: DriftProfile,
  inputs: DriftInputs,
): UndatedFinding[] {
  const out: UndatedFinding[] = [];
  const latest = profile.latestReleased;
  const own = summary.profileVersion
    ? profile.versions.get(summary.profileVersion)
    : undefined;
  if (
    latest &&
    (!summary.profileVersion || isBehind(profile, summary.profileVersion))
  ) {
    out.push({
      kind: 'profileVersion',
      expected: latest,
      actual: summary.profileVersion ?? 'missing',
    });
  }
  const version = own ?? (latest ? profile.versions.get(latest) : undefined);
  if (!version) return out;
  const compiled = compile(version);

  if (version.clusterClass && summary.clusterClass !== version.clusterClass) {
    out.push({
      kind: 'clusterClass',
      expected: version.clusterClass,
      actual: summary.clusterClass ?? 'missing',
    });
  }

  const k8s = summary.kubernetesVersion;
  if (
    version.kubernetesVersions.length > 0 &&
    (!k8s || !kubernetesAllowed(compiled, version, k8s))
  ) {
    out.push({
      kind: 'kubernetesVersion',
      expected: compiled.kubernetesExpected,
      actual: k8s ?? 'missing',
    });
  }

  if (inputs.variables) {
    for (const name of compiled.pinnedNames) {
      const expected = version.pinned[name];
      const actual = inputs.variables[name];
      if (!isDeepStrictEqual(actual, expected)) {
        out.push({
          kind: 'variable',
          subject: name,
          expected: compiled.pinnedExpected.get(name)!,
          actual: intern(json(actual)),
        });
      }
    }
  }

  const cpDesired = summary.controlPlane.desired;
  if (
    compiled.controlPlane &&
    cpDesired !== undefined &&
    !compiled.controlPlane.allowed.has(cpDesired)
  ) {
    out.push({
      kind: 'replicas',
      subject: 'controlPlane',
      expected: compiled.controlPlane.expected,
      actual: intern(`${cpDesired}`),
    });
  }
  const workers = compiled.workers;
  if (workers) {
    const pools = [...summary.machineDeployments, ...summary.machinePools];
    if (pools.length > 1) pools.sort((a, b) => a.name.localeCompare(b.name));
    for (const pool of pools) {
      const desired = pool.replicas.desired;
      if (
        desired === undefined ||
        (desired >= workers.min && desired <= workers.max)
      ) {
        continue;
      }
      out.push({
        kind: 'replicas',
        subject: pool.name,
        expected: workers.expected,
        actual: intern(`${desired}`),
      });
    }
  }

  if (summary.addons) {
    out.push(...addonFindings(version.layers, summary.addons));
  }
  return out;
}
