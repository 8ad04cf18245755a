/*
 * Deprecated APIs still requested on a workload cluster, from its API server's `/metrics`
 * (`apiserver_requested_deprecated_apis{group,version,resource,removed_release}`; the Prometheus text is read with
 * parse-prometheus-text-format), and which of them a target Kubernetes minor removes.
 */
import { compareKubernetesMinors } from '@shipyard/plugin-shipyard-common';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

/** One deprecated API a cluster's clients still request. */
export interface DeprecatedApiUse {
  group: string;
  version: string;
  resource: string;
  /** The Kubernetes minor that removes it (`1.32`), when announced. */
  removedRelease?: string;
}

export const DEPRECATED_APIS_METRIC = 'apiserver_requested_deprecated_apis';

/** The deprecated APIs that a `/metrics` text reports as requested (gauge value 1). */
export function parseDeprecatedApis(metricsText: string): DeprecatedApiUse[] {
  const families = parsePrometheusTextFormat(metricsText);
  const family = families.find(f => f.name === DEPRECATED_APIS_METRIC);
  const out: DeprecatedApiUse[] = [];
  for (const sample of family?.metrics ?? []) {
    if (Number(sample.value) !== 1) continue;
    const l = sample.labels ?? {};
    out.push({
      group: l.group ?? '',
      version: l.version ?? '',
      resource: l.resource ?? '',
      ...(l.removed_release ? { removedRelease: l.removed_release } : {}),
    });
  }
  return out;
}

/** The APIs in use that are gone on `targetMinor` (removed in it or before). */
export function removedBy(
  uses: readonly DeprecatedApiUse[],
  targetMinor: string,
): DeprecatedApiUse[] {
  return uses.filter(
    u =>
      u.removedRelease !== undefined &&
      compareKubernetesMinors(u.removedRelease, targetMinor) <= 0,
  );
}

/** `flowcontrol.apiserver.k8s.io/v1beta3 flowschemas` (`v1 pods` for the core group). */
export function describeApi(u: DeprecatedApiUse): string {
  return `${u.group ? `${u.group}/` : ''}${u.version} ${u.resource}`;
}
