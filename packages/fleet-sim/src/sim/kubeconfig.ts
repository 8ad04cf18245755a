import { stringify } from 'yaml';

export interface KubeconfigEntry {
  name: string;
  server: string;
  caData: string;
  token: string;
}

/** A kubeconfig with one cluster, user and context per entry, each named after the cluster. */
export function renderKubeconfig(
  entries: KubeconfigEntry[],
  current?: string,
): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: entries.map(e => ({
      name: e.name,
      cluster: e.caData
        ? { server: e.server, 'certificate-authority-data': e.caData }
        : { server: e.server },
    })),
    users: entries.map(e => ({ name: e.name, user: { token: e.token } })),
    contexts: entries.map(e => ({
      name: e.name,
      context: { cluster: e.name, user: e.name },
    })),
    'current-context': current ?? entries[0]?.name ?? '',
  });
}
