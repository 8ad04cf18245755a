/** The kubeconfig of a workload cluster and the `<name>-kubeconfig` Secret that carries it. */
import { MetaInput, objectMeta } from './kinds';
import { JsonObject } from '../util/json';

export function kubeconfigText(
  clusterName: string,
  server: string,
  caData: string,
  token: string,
): string {
  const user = `${clusterName}-admin`;
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${clusterName}`,
    '  cluster:',
    `    server: ${server}`,
    ...(caData ? [`    certificate-authority-data: ${caData}`] : []),
    'users:',
    `- name: ${user}`,
    '  user:',
    `    token: ${token}`,
    'contexts:',
    `- name: ${user}@${clusterName}`,
    '  context:',
    `    cluster: ${clusterName}`,
    `    user: ${user}`,
    `current-context: ${user}@${clusterName}`,
    '',
  ].join('\n');
}

export function kubeconfigSecret(
  meta: MetaInput,
  kubeconfig: string,
): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: objectMeta(meta),
    type: 'cluster.x-k8s.io/secret',
    data: { value: Buffer.from(kubeconfig).toString('base64') },
  };
}
