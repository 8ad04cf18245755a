import { isDeepStrictEqual } from 'node:util';
import {
  ClusterAddonSummary,
  DriftFinding,
  compareProfileVersions,
  kubernetesMinorOf,
  parseKubernetesVersion,
} from '@shipyard/plugin-shipyard-common';
import { StoredClusterSummary } from '../index/FleetIndex';
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
        actual: failed.version ? `failed (${failed.version})` : 'failed',
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
    (!summary.profileVersion ||
      compareProfileVersions(summary.profileVersion, latest) < 0)
  ) {
    out.push({
      kind: 'profileVersion',
      expected: latest,
      actual: summary.profileVersion ?? 'missing',
    });
  }
  const version = own ?? (latest ? profile.versions.get(latest) : undefined);
  if (!version) return out;

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
    (!k8s || !kubernetesVersionAllowed(k8s, version.kubernetesVersions))
  ) {
    out.push({
      kind: 'kubernetesVersion',
      expected: version.kubernetesVersions.join(', '),
      actual: k8s ?? 'missing',
    });
  }

  if (inputs.variables) {
    for (const name of Object.keys(version.pinned).sort()) {
      const expected = version.pinned[name];
      const actual = inputs.variables[name];
      if (!isDeepStrictEqual(actual, expected)) {
        out.push({
          kind: 'variable',
          subject: name,
          expected: json(expected),
          actual: json(actual),
        });
      }
    }
  }

  if (version.sizes.length > 0) {
    const cp = version.sizes.map(s => s.controlPlaneReplicas);
    const cpDesired = summary.controlPlane.desired;
    // managed control planes (0 machines in the profile) have no replicas to compare
    if (
      cpDesired !== undefined &&
      cp.some(n => n > 0) &&
      !cp.includes(cpDesired)
    ) {
      out.push({
        kind: 'replicas',
        subject: 'controlPlane',
        expected: [...new Set(cp)].sort((a, b) => a - b).join(' or '),
        actual: `${cpDesired}`,
      });
    }
    const workers = version.sizes
      .map(s => s.workerReplicas)
      .filter(n => Number.isInteger(n));
    if (workers.length > 0) {
      const min = Math.min(...workers);
      const max = Math.max(...workers);
      const pools = [...summary.machineDeployments, ...summary.machinePools];
      for (const pool of [...pools].sort((a, b) =>
        a.name.localeCompare(b.name),
      )) {
        const desired = pool.replicas.desired;
        if (desired === undefined || (desired >= min && desired <= max)) {
          continue;
        }
        out.push({
          kind: 'replicas',
          subject: pool.name,
          expected: range(workers),
          actual: `${desired}`,
        });
      }
    }
  }

  if (summary.addons) {
    out.push(...addonFindings(version.layers, summary.addons));
  }
  return out;
}
