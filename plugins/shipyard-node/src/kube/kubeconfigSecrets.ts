import {
  CAPI_LABELS,
  CORE_RESOURCES,
  kubeconfigSecretName,
  resourcePath,
} from '@shipyard/plugin-shipyard-common';
import type { KubeClient } from './KubeClient';
import { KubeCredentials } from './credentials';
import { KubeconfigError, parseKubeconfig } from './kubeconfig';
import { KubeObject } from './types';

/** A Secret as the kubeconfig readers see it. */
type SecretObject = KubeObject & { data?: Record<string, string> };

/**
 * The kubeconfig stored under `key` of a Secret, read into credentials (see {@link parseKubeconfig}), or why it
 * cannot be used.
 */
export function kubeconfigOfSecret(
  secret: SecretObject,
  key: string,
): KubeCredentials | KubeconfigError {
  const value = secret.data?.[key];
  if (!value) {
    return new KubeconfigError(
      `Secret ${secret.metadata.name} has no key "${key}"`,
    );
  }
  try {
    return parseKubeconfig(Buffer.from(value, 'base64').toString('utf8'));
  } catch (error) {
    return error instanceof KubeconfigError
      ? error
      : new KubeconfigError('kubeconfig cannot be parsed');
  }
}

/**
 * The Cluster API kubeconfig Secrets of a namespace (`<cluster>-kubeconfig`, key `value`), listed page by page with
 * the `cluster.x-k8s.io/cluster-name` label: cluster name → its credentials or why its kubeconfig cannot be used.
 * Each kubeconfig is parsed as its page arrives and the Secret objects are dropped, so the credentials are the only
 * thing kept. Errors of the list itself are thrown.
 */
export async function listKubeconfigSecrets(
  client: KubeClient,
  namespace: string,
): Promise<Map<string, KubeCredentials | KubeconfigError>> {
  const clusters = new Map<string, KubeCredentials | KubeconfigError>();
  for await (const page of client.list<SecretObject>(
    resourcePath(CORE_RESOURCES.Secret, { namespace }),
    { labelSelector: CAPI_LABELS.clusterName, pageSize: 100 },
  )) {
    for (const secret of page.items) {
      const clusterName = secret.metadata.labels?.[CAPI_LABELS.clusterName];
      if (
        !clusterName ||
        secret.metadata.name !== kubeconfigSecretName(clusterName)
      )
        continue;
      clusters.set(clusterName, kubeconfigOfSecret(secret, 'value'));
    }
  }
  return clusters;
}

/**
 * The Secret `namespace/name` read with one `get` and its kubeconfig under `key`; undefined when the Secret does not
 * exist. Errors of the request are thrown.
 */
export async function readKubeconfigSecret(
  client: KubeClient,
  ref: { namespace: string; name: string; key: string },
): Promise<KubeCredentials | KubeconfigError | undefined> {
  const secret = await client.get<SecretObject>(
    resourcePath(CORE_RESOURCES.Secret, {
      namespace: ref.namespace,
      name: ref.name,
    }),
  );
  return secret ? kubeconfigOfSecret(secret, ref.key) : undefined;
}
