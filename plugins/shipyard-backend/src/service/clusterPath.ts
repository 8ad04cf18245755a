import { InputError } from '@backstage/errors';
import { ClusterKey } from '@shipyard/plugin-shipyard-common';

/** A Kubernetes object name (DNS subdomain) as one segment of a route's path. */
const NAME_SEGMENT = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * The cluster named by a route's path (`/clusters/:managementCluster/:namespace/:name/…`), each segment checked;
 * an InputError (400) names the first segment that is not a Kubernetes name.
 */
export function clusterKeyOf(params: Record<string, string>): ClusterKey {
  const { managementCluster, namespace, name } = params;
  for (const [field, value] of Object.entries({
    managementCluster,
    namespace,
    name,
  })) {
    if (!NAME_SEGMENT.test(value ?? '')) {
      throw new InputError(`Invalid path parameter ${field}: "${value}"`);
    }
  }
  return { managementCluster, namespace, name };
}
