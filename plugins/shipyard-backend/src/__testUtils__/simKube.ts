import https from 'node:https';
import type { FleetSim, ManagementClusterInfo } from '@shipyard/fleet-sim';

/** What tests need to reach one simulated management cluster. */
export type SimManagementCluster = Pick<
  ManagementClusterInfo,
  'name' | 'url' | 'caData' | 'token'
>;

/** A minimal HTTPS client of a simulated management cluster's Kubernetes API (independent of the backend's). */
export class SimKube {
  private readonly agent: https.Agent;

  constructor(readonly mc: SimManagementCluster) {
    this.agent = new https.Agent({
      keepAlive: false,
      ca: Buffer.from(mc.caData, 'base64').toString('utf8'),
    });
  }

  /** Sends a request; resolves with the status and the parsed body (rejects on transport errors). */
  request(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<{ status: number; body: any }> {
    const url = new URL(`${this.mc.url}${path}`);
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            authorization: `Bearer ${this.mc.token}`,
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': contentType }),
          },
        },
        res => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', chunk => {
            text += chunk;
          });
          res.on('end', () => {
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              // not JSON
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on('error', reject);
      if (body !== undefined) req.write(JSON.stringify(body));
      req.end();
    });
  }

  /** Lists a CAPI collection across namespaces (every page). */
  async list(plural: string, group = 'cluster.x-k8s.io'): Promise<any[]> {
    const items: any[] = [];
    let cont: string | undefined;
    do {
      const params = new URLSearchParams({ limit: '500' });
      if (cont) params.set('continue', cont);
      const res = await this.request(
        'GET',
        `/apis/${group}/v1beta2/${plural}?${params}`,
      );
      if (res.status !== 200) {
        throw new Error(`list ${plural}: HTTP ${res.status}`);
      }
      items.push(...res.body.items);
      cont = res.body.metadata?.continue || undefined;
    } while (cont);
    return items;
  }

  /** Path of a namespaced Cluster. */
  static clusterPath(namespace: string, name?: string): string {
    return `/apis/cluster.x-k8s.io/v1beta2/namespaces/${namespace}/clusters${
      name ? `/${name}` : ''
    }`;
  }
}

/** One cluster as the simulator holds it, reduced to what the backend's summary must agree with. */
export interface GroundTruthCluster {
  key: string;
  owner: string;
  provider?: string;
  distribution?: string;
  profile?: string;
  system?: string;
  phase: string;
  machineCount: number;
  deleting: boolean;
  /** The Kubernetes minor the cluster is declared to run (the simulator's target version). */
  kubernetesMinor?: string;
}

function minorOf(version: unknown): string | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(typeof version === 'string' ? version : '');
  return m ? `${m[1]}.${m[2]}` : undefined;
}

/**
 * The simulator's ground truth: clusters and machine counts as its Kubernetes API lists them, provider and
 * distribution from the generated fleet model (clusters created by a test inherit them from their class).
 */
export async function groundTruth(
  sim: FleetSim,
  defaultOwner: string,
): Promise<Map<string, GroundTruthCluster>> {
  type Flavor = { provider: string; distribution: string };
  const flavors = new Map<string, Flavor>();
  const classFlavors = new Map<string, Flavor>();
  const minors = new Map<string, string | undefined>();
  for (const c of sim.model.clusters) {
    flavors.set(`${c.management}/${c.namespace}/${c.name}`, c.flavor);
    minors.set(
      `${c.management}/${c.namespace}/${c.name}`,
      minorOf(c.targetKube),
    );
    if (c.className)
      classFlavors.set(`${c.management}/${c.className}`, c.flavor);
  }
  const out = new Map<string, GroundTruthCluster>();
  for (const mc of sim.managementClusters) {
    const kube = new SimKube(mc);
    const [clusters, machines] = await Promise.all([
      kube.list('clusters'),
      kube.list('machines'),
    ]);
    const machineCounts = new Map<string, number>();
    for (const m of machines) {
      const cluster =
        m.spec?.clusterName ??
        m.metadata.labels?.['cluster.x-k8s.io/cluster-name'];
      const k = `${m.metadata.namespace}/${cluster}`;
      machineCounts.set(k, (machineCounts.get(k) ?? 0) + 1);
    }
    for (const c of clusters) {
      const key = `${mc.name}/${c.metadata.namespace}/${c.metadata.name}`;
      const labels: Record<string, string> = c.metadata.labels ?? {};
      const owner = labels['shipyard.io/owner'];
      // clusters created by tests share the flavor of their ClusterClass
      const flavor =
        flavors.get(key) ??
        classFlavors.get(`${mc.name}/${c.spec?.topology?.classRef?.name}`);
      out.set(key, {
        key,
        owner: owner ? `group:default/${owner}` : defaultOwner,
        provider: flavor?.provider,
        distribution: flavor?.distribution,
        profile: labels['shipyard.io/profile'],
        system: labels['shipyard.io/system']
          ? `system:default/${labels['shipyard.io/system']}`
          : undefined,
        phase: c.status?.phase ?? 'Unknown',
        machineCount:
          machineCounts.get(`${c.metadata.namespace}/${c.metadata.name}`) ?? 0,
        deleting: Boolean(c.metadata.deletionTimestamp),
        kubernetesMinor: minors.has(key)
          ? minors.get(key)
          : minorOf(c.spec?.topology?.version),
      });
    }
  }
  return out;
}
