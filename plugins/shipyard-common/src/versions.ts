import semver, { SemVer } from 'semver';

/*
 * Version strings, read and compared with semver. A Kubernetes version (`v1.31.2`, `1.31`, `v1.31.2+k3s1`,
 * `v1.31.2-eks-1234`) counts as its major.minor.patch: the `v` prefix and distribution suffixes do not order it.
 * Profile versions are semver.
 */

/** What a Kubernetes version starts with: its major.minor. */
const KUBERNETES_VERSION_START = /^v?\d+\.\d+/;

/**
 * A Kubernetes version as semver (`v1.31.2+k3s1` → 1.31.2, `1.31` → 1.31.0); undefined unless the string starts
 * with a major.minor.
 */
export function parseKubernetesVersion(
  version: string | undefined,
): SemVer | undefined {
  if (!version || !KUBERNETES_VERSION_START.test(version)) return undefined;
  return semver.coerce(version) ?? undefined;
}

/** The Kubernetes minor (`1.31`) of a version string (`v1.31.2`, `1.31.2+k3s1`), if it has one. */
export function kubernetesMinorOf(
  version: string | undefined,
): string | undefined {
  const v = parseKubernetesVersion(version);
  return v ? `${v.major}.${v.minor}` : undefined;
}

/** Compares two Kubernetes versions (`v1.30.2` before `v1.31.0`, `v1.31` equal to `1.31.0+k3s1`); unparsable ones sort first. */
export function compareKubernetesVersions(a: string, b: string): number {
  const va = parseKubernetesVersion(a);
  const vb = parseKubernetesVersion(b);
  if (!va || !vb) return (va ? 1 : 0) - (vb ? 1 : 0);
  return semver.compare(va, vb);
}

/**
 * Compares two profile versions by semver (`1.2.0` before `1.10.0`, `2.0.0-rc.1` before `2.0.0`); a version that is not
 * semver sorts before those that are, and among its kind by its text with numbers as numbers.
 */
export function compareProfileVersions(a: string, b: string): number {
  const va = semver.valid(a);
  const vb = semver.valid(b);
  if (va && vb) return semver.compare(va, vb);
  if (va || vb) return va ? 1 : -1;
  return a.localeCompare(b, undefined, { numeric: true });
}
