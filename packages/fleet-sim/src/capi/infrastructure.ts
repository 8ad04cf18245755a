/** The infrastructure cluster (DevCluster, AWSManagedCluster, …) and the status of infrastructure objects. */
import { Flavor, KindRef, REGIONS } from './distributions';
import { check, conditions, no, v1beta1Conditions } from './conditions';
import { MetaInput, apiVersion, objectMeta } from './kinds';
import { JsonObject } from '../util/json';

export function endpointHost(
  flavor: Flavor,
  clusterName: string,
  region: string,
  namespace: string,
): string {
  switch (flavor.provider) {
    case 'aws':
      return flavor.distribution === 'eks'
        ? `${clusterName}-${namespace}.gr7.${region}.eks.amazonaws.com`
        : `${clusterName}-apiserver-${namespace}.elb.${region}.amazonaws.com`;
    case 'azure':
      return `${clusterName}-${namespace}-dns.hcp.${region}.azmk8s.io`;
    case 'gcp':
      return `${clusterName}.${region}.gke.internal`;
    default:
      return `${clusterName}-lb.${namespace}.svc`;
  }
}

/** The infrastructure cluster object (DevCluster, AWSManagedCluster, …). */
export function infraClusterObject(
  flavor: Flavor,
  meta: MetaInput,
  clusterName: string,
  region: string,
  ready: boolean,
): JsonObject {
  const ref = flavor.infraCluster;
  const spec: JsonObject = {};
  const host = endpointHost(flavor, clusterName, region, meta.namespace);
  switch (ref.kind) {
    case 'DevCluster':
      spec.backend = {
        docker: {
          loadBalancer: {},
          failureDomains: [1, 2, 3].map(i => ({
            name: `fd${i}`,
            controlPlane: true,
          })),
        },
      };
      break;
    case 'AWSCluster':
    case 'AWSManagedCluster':
    case 'ROSACluster':
      spec.region = region;
      break;
    case 'AzureManagedCluster':
      break;
    case 'GCPManagedCluster':
      spec.project = `shipyard-${meta.namespace}`;
      spec.region = region;
      spec.network = { name: `${clusterName}-net` };
      break;
    default:
      break;
  }
  if (ready)
    spec.controlPlaneEndpoint = {
      host,
      port: flavor.provider === 'docker' ? 6443 : 443,
    };
  return {
    apiVersion: apiVersion(ref),
    kind: ref.kind,
    metadata: objectMeta(meta),
    spec,
  };
}

export function defaultRegion(flavor: Flavor): string {
  return REGIONS[flavor.provider][0];
}

export function infraStatus(
  kind: KindRef,
  ready: boolean,
  at: number,
  previous?: JsonObject,
): JsonObject {
  if (
    kind.version === 'v1beta2' &&
    (kind.kind.startsWith('Dev') || kind.kind.startsWith('Docker'))
  ) {
    return {
      initialization: { provisioned: ready },
      conditions: conditions(
        [
          check('Ready', ready, 'Ready', 'NotReady', 'provisioning'),
          no('Paused', 'NotPaused'),
        ],
        at,
        undefined,
        previous?.conditions,
      ),
    };
  }
  return {
    ready,
    conditions: v1beta1Conditions(
      [{ type: 'Ready', ok: ready, reason: 'Provisioning', severity: 'Info' }],
      at,
      previous?.conditions,
    ),
  };
}
