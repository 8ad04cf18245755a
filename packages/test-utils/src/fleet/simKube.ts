import https from 'node:https';
import type { ManagementClusterInfo } from '@shipyard/fleet-sim';

/** What a test needs to reach one simulated cluster's Kubernetes API (a management or a workload cluster). */
export type SimKubeTarget = Pick<
  ManagementClusterInfo,
  'url' | 'caData' | 'token'
>;

/**
 * A minimal HTTPS client of a simulated cluster's Kubernetes API, independent of the plugins' own Kubernetes layer:
 * the suites read and write the simulator's ground truth through it.
 */
export class SimKube {
  private readonly agent: https.Agent;

  constructor(readonly target: SimKubeTarget) {
    this.agent = new https.Agent({
      keepAlive: false,
      ca: Buffer.from(target.caData, 'base64').toString('utf8'),
    });
  }

  /**
   * Sends a request; resolves with the status and the body, parsed when it is JSON, as text otherwise, undefined
   * when empty (rejects on transport errors).
   */
  request(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<{ status: number; body: any }> {
    const url = new URL(`${this.target.url}${path}`);
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            authorization: `Bearer ${this.target.token}`,
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
