import https from 'node:https';
import type { ManagementClusterInfo } from '@shipyard/fleet-sim';

/** Reads a simulated management cluster directly (ground truth for the tests, independent of the module). */
export async function simGet(
  mc: Pick<ManagementClusterInfo, 'url' | 'caData' | 'token'>,
  path: string,
): Promise<{ status: number; body: any }> {
  const url = new URL(`${mc.url}${path}`);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: 'GET',
        ca: Buffer.from(mc.caData, 'base64').toString('utf8'),
        headers: {
          authorization: `Bearer ${mc.token}`,
          accept: 'application/json',
        },
      },
      res => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', c => {
          text += c;
        });
        res.on('end', () => {
          let body: any = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Names (`namespace/name`) of every CAPI Cluster of a simulated management cluster. */
export async function simClusterNames(
  mc: Pick<ManagementClusterInfo, 'url' | 'caData' | 'token'>,
): Promise<string[]> {
  const res = await simGet(
    mc,
    '/apis/cluster.x-k8s.io/v1beta2/clusters?limit=5000',
  );
  if (res.status !== 200) throw new Error(`list clusters: HTTP ${res.status}`);
  return res.body.items
    .map((c: any) => `${c.metadata.namespace}/${c.metadata.name}`)
    .sort();
}
