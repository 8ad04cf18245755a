import { kubernetesMinorFor } from '@shipyard/plugin-shipyard-common';

/** Minors already read, per distribution family and version (a fleet has a few dozen versions; read on every fold). */
const minors = new Map<string, string | undefined>();
const MAX_MINORS = 4096;

/**
 * The Kubernetes minor of a cluster's version. OpenShift control planes (ROSA) carry the OpenShift version, whose
 * minor 4.N ships Kubernetes 1.(N+13) (4.17 → 1.30).
 */
export function kubernetesMinorOfDistribution(
  distribution: string | undefined,
  version: string | undefined,
): string | undefined {
  if (version === undefined) return undefined;
  const family = distribution === 'openshift' ? 'openshift' : 'kubernetes';
  const key = `${family} ${version}`;
  const known = minors.get(key);
  if (known !== undefined || minors.has(key)) return known;
  const minor = kubernetesMinorFor(version, family);
  if (minors.size >= MAX_MINORS) minors.clear();
  minors.set(key, minor);
  return minor;
}
