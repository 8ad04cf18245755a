import { mockCredentials } from '@backstage/backend-test-utils';
import type { ListClustersResponse } from '@shipyard/plugin-shipyard-common';
import { teamEntity } from './backends';

/** One team's clusters with their state, as a view shows them. */
export interface TeamView {
  /** `managementCluster/namespace/name` of each cluster. */
  keys: string[];
  /** State of each cluster (health for Shipyard, Available condition or phase for the fan-out). */
  states: Record<string, string>;
  /** Clusters (of the fan-out) that answered with errors. */
  clusterErrors: number;
  bytes: number;
}

const headers = () => ({
  Authorization: mockCredentials.user.header(),
  'Content-Type': 'application/json',
});

/** Shipyard: `GET /api/shipyard/clusters?owner=…`, following cursors until the team is complete. */
export async function shipyardTeamView(
  baseUrl: string,
  team: string,
): Promise<TeamView> {
  const keys: string[] = [];
  const states: Record<string, string> = {};
  let bytes = 0;
  let cursor: string | undefined;
  do {
    const params = new URLSearchParams({
      owner: `group:default/${team}`,
      limit: '500',
    });
    if (cursor) params.set('cursor', cursor);
    const res = await fetch(`${baseUrl}/api/shipyard/clusters?${params}`, {
      headers: headers(),
    });
    const text = await res.text();
    bytes += text.length;
    if (!res.ok)
      throw new Error(
        `shipyard view: HTTP ${res.status} ${text.slice(0, 200)}`,
      );
    const page = JSON.parse(text) as ListClustersResponse;
    for (const s of page.items) {
      const key = `${s.managementCluster}/${s.namespace}/${s.name}`;
      keys.push(key);
      states[key] = String(s.health);
    }
    cursor = page.nextCursor;
  } while (cursor);
  return { keys, states, clusterErrors: 0, bytes };
}

interface FanOutResponse {
  items: Array<{
    cluster: { name: string };
    errors?: unknown[];
    resources?: Array<{
      type: string;
      resources?: Array<{
        kind?: string;
        metadata?: { name?: string; namespace?: string };
        status?: {
          phase?: string;
          conditions?: Array<{ type?: string; status?: string }>;
        };
      }>;
    }>;
  }>;
}

/**
 * The Kubernetes plugin: `POST /api/kubernetes/services/:entityName` for the team entity (as its Kubernetes tab
 * does), which fans out to every configured cluster; the team's CAPI Clusters come back from the management clusters.
 */
export async function kubernetesTeamView(
  baseUrl: string,
  team: string,
): Promise<TeamView> {
  const entity = teamEntity(team);
  const res = await fetch(`${baseUrl}/api/kubernetes/services/${team}`, {
    method: 'POST',
    headers: headers(),
    body: JSON.stringify({ entity, auth: {} }),
  });
  const text = await res.text();
  if (!res.ok)
    throw new Error(
      `kubernetes view: HTTP ${res.status} ${text.slice(0, 200)}`,
    );
  const body = JSON.parse(text) as FanOutResponse;
  const keys: string[] = [];
  const states: Record<string, string> = {};
  let clusterErrors = 0;
  for (const item of body.items) {
    if (item.errors?.length) clusterErrors++;
    for (const group of item.resources ?? []) {
      if (group.type !== 'customresources') continue;
      for (const o of group.resources ?? []) {
        if (o.kind !== 'Cluster') continue;
        const key = `${item.cluster.name}/${o.metadata?.namespace}/${o.metadata?.name}`;
        keys.push(key);
        const available = o.status?.conditions?.find(
          c => c.type === 'Available',
        );
        states[key] = available?.status ?? o.status?.phase ?? 'Unknown';
      }
    }
  }
  return { keys, states, clusterErrors, bytes: text.length };
}
