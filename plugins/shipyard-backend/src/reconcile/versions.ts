import { kubernetesMinorFor } from '@shipyard/plugin-shipyard-common';

/**
 * The Kubernetes minor of a cluster's version. OpenShift control planes (ROSA) carry the OpenShift version, whose
 * minor 4.N ships Kubernetes 1.(N+13) (4.17 → 1.30).
 */
export function kubernetesMinorOfDistribution(
  distribution: string | undefined,
  version: string | undefined,
): string | undefined {
  return kubernetesMinorFor(
    version,
    distribution === 'openshift' ? 'openshift' : 'kubernetes',
  );
}
