/**
 * Structural schema (v1alpha1) of the SIG-Multicluster cluster inventory API's `ClusterProfile`
 * (`multicluster.x-k8s.io`, KEP-4322): one object per cluster of a multi-cluster fleet, written by a
 * cluster manager (spec: display name and the manager; status: conditions, Kubernetes version,
 * properties and the access providers of the credential-plugin design, KEP-5339). Not to be confused
 * with Shipyard's catalog kind of the same name. Extensions of an access provider are kept as given.
 */
import {
  Schema,
  bool,
  conditions,
  freeObject,
  kindSchema,
  list,
  name,
  obj,
  str,
  time,
} from './dsl';

/** The `cluster` of a kubeconfig (`clientcmdv1.Cluster`): how to reach and verify an API server. */
const kubeconfigCluster = (): Schema =>
  obj(
    {
      'certificate-authority': str(),
      'certificate-authority-data': str({ format: 'byte' }),
      'disable-compression': bool(),
      extensions: list(
        obj({ extension: freeObject(), name: str() }, ['extension', 'name']),
      ),
      'insecure-skip-tls-verify': bool(),
      'proxy-url': str(),
      server: str(),
      'tls-server-name': str(),
    },
    ['server'],
  );

/** An access provider: the name of a credential plugin the consumer runs, and the cluster it reaches. */
const accessProvider = (): Schema =>
  obj({ cluster: kubeconfigCluster(), name: str() }, ['name']);

export const INVENTORY_CLUSTER_PROFILE = kindSchema(
  obj(
    {
      clusterManager: obj({ name: str() }, ['name']),
      displayName: str(),
    },
    ['clusterManager'],
  ),
  obj({
    accessProviders: list(accessProvider()),
    conditions: conditions(),
    // the earlier name of `accessProviders`, still read by consumers of older producers
    credentialProviders: list(accessProvider()),
    properties: list(
      obj(
        {
          lastObservedTime: time(),
          name: name(),
          value: str({ minLength: 1, maxLength: 1024 }),
        },
        ['name', 'value'],
      ),
    ),
    version: obj({ kubernetes: str() }),
  }),
);
