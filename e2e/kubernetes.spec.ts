import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { APIRequestContext, expect, Response, test } from '@playwright/test';
import { signInAsGuest } from './support';

/*
 * The Backstage Kubernetes plugin on a Shipyard cluster: the demo component `storefront` dependsOn a cluster of the
 * simulated fleet and shows its pods in the Kubernetes tab, read through the Shipyard module of the Kubernetes
 * backend with the cluster's credentials from its kubeconfig Secret. No response the browser receives (Kubernetes,
 * catalog), no entity and no file of the frontend bundle carries a credential of that cluster or of the fleet.
 */

const ROOT = path.resolve(__dirname, '..');
const PORT = Number(process.env.SHIPYARD_E2E_PORT ?? 7017);
const STATE_FILE = path.join(
  ROOT,
  '.shipyard',
  `portal-${PORT}`,
  'fleet-sim.state.json',
);
const DIST = path.join(ROOT, 'packages/app/dist');
const CLUSTER = {
  managementCluster: 'mgmt-us-1',
  namespace: 'team-a',
  name: 'checkout-prod-local-01',
};
const ENTITY = `${CLUSTER.managementCluster}--${CLUSTER.namespace}--${CLUSTER.name}`;

const PATTERNS: RegExp[] = [
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/,
  /-----BEGIN CERTIFICATE-----/,
  /client-key-data["']?\s*:\s*["']?[A-Za-z0-9+/=]{20,}/,
  /certificate-authority-data["']?\s*:\s*["']?[A-Za-z0-9+/=]{20,}/,
];

/** GET over HTTPS with a bearer token, trusting the simulator's CA. */
function simGet(url: string, token: string, caData: string): Promise<any> {
  return new Promise((resolve, reject) => {
    https
      .get(
        url,
        {
          headers: { authorization: `Bearer ${token}` },
          ca: Buffer.from(caData, 'base64').toString('utf8'),
        },
        res => {
          let body = '';
          res.on('data', chunk => (body += chunk));
          res.on('end', () =>
            res.statusCode === 200
              ? resolve(JSON.parse(body))
              : reject(new Error(`GET ${url}: ${res.statusCode} ${body}`)),
          );
        },
      )
      .on('error', reject);
  });
}

/** The fleet's credentials and those of the demo cluster, read from its kubeconfig Secret. */
async function readSecrets(): Promise<string[]> {
  const state = JSON.parse(fs.readFileSync(STATE_FILE, 'utf8'));
  const values = new Set<string>([state.adminToken, state.caData]);
  for (const m of state.managementClusters ?? []) {
    values.add(m.token);
    values.add(m.viewerToken);
  }
  const mc = state.managementClusters.find(
    (m: any) => m.name === CLUSTER.managementCluster,
  );
  const secret = await simGet(
    `${mc.url}/api/v1/namespaces/${CLUSTER.namespace}/secrets/${CLUSTER.name}-kubeconfig`,
    mc.token,
    state.caData,
  );
  const kubeconfig = Buffer.from(secret.data.value, 'base64').toString('utf8');
  let workload = 0;
  for (const line of kubeconfig.split(/\r?\n/)) {
    const m =
      /^\s*(token|certificate-authority-data|client-key-data):\s*(\S+)/.exec(
        line,
      );
    if (m) {
      values.add(m[2].replace(/^["']|["']$/g, ''));
      workload++;
    }
  }
  expect(
    workload,
    'credentials in the demo cluster’s kubeconfig',
  ).toBeGreaterThan(0);
  return [...values].filter(v => typeof v === 'string' && v.length >= 12);
}

function leaksIn(text: string, where: string, secrets: string[]): string[] {
  const found: string[] = [];
  secrets.forEach((s, i) => {
    if (text.includes(s)) found.push(`${where}: credential #${i}`);
  });
  for (const p of PATTERNS) if (p.test(text)) found.push(`${where}: ${p}`);
  return found;
}

async function guestToken(request: APIRequestContext): Promise<string> {
  const res = await request.get('/api/auth/guest/refresh', {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  expect(res.ok()).toBeTruthy();
  return (await res.json()).backstageIdentity.token;
}

test('a component on a simulated cluster shows its pods in the Kubernetes tab, and no credential reaches the browser', async ({
  page,
}, testInfo) => {
  test.setTimeout(180_000);
  const secrets = await readSecrets();
  await signInAsGuest(page);
  const texts = new Map<string, string>();
  const pending: Promise<unknown>[] = [];
  page.on('response', (response: Response) => {
    const url = response.url();
    if (!/\/api\/(kubernetes|catalog)\//.test(url)) return;
    pending.push(
      response
        .text()
        .then(text => texts.set(`${response.status()} ${url}`, text))
        .catch(() => undefined),
    );
  });
  const headers = { Authorization: `Bearer ${await guestToken(page.request)}` };
  // the fleet is listed and the cluster is in the Kubernetes plugin's clusters
  await expect
    .poll(
      async () => {
        const r = await page.request.get('/api/kubernetes/clusters', {
          headers,
        });
        return r.ok() ? ((await r.json()).items as any[]).map(c => c.name) : [];
      },
      { timeout: 120_000 },
    )
    .toContain(ENTITY);

  await page.goto('/catalog/default/component/storefront/kubernetes');
  await expect(
    page.getByText(
      `${CLUSTER.managementCluster}/${CLUSTER.namespace}/${CLUSTER.name}`,
    ),
  ).toBeVisible({ timeout: 60_000 });
  await expect(page.getByText(/2 pods/).first()).toBeVisible();
  await page.screenshot({
    path: testInfo.outputPath('kubernetes-tab.png'),
    fullPage: true,
  });

  await Promise.all(pending);
  // the pods the tab shows are the storefront's on that cluster
  const objects = [...texts.entries()].find(([k]) =>
    k.includes('/api/kubernetes/services/storefront'),
  );
  expect(objects, 'the Kubernetes tab’s objects').toBeDefined();
  const [cluster] = JSON.parse(objects![1]).items;
  expect(cluster.cluster.name).toBe(ENTITY);
  const pods = cluster.resources.find((r: any) => r.type === 'pods').resources;
  expect(pods.map((p: any) => p.metadata.name)).toEqual([
    expect.stringMatching(/^storefront-/),
    expect.stringMatching(/^storefront-/),
  ]);
  // the entities: the component and the cluster it depends on
  for (const url of [
    '/api/catalog/entities/by-name/component/default/storefront',
    `/api/catalog/entities/by-name/resource/default/${ENTITY}`,
    '/api/kubernetes/clusters',
  ]) {
    const r = await page.request.get(url, { headers });
    expect(r.ok(), url).toBe(true);
    texts.set(`${r.status()} ${url}`, await r.text());
  }
  const leaks: string[] = [];
  for (const [where, text] of texts)
    leaks.push(...leaksIn(text, where, secrets));
  // and the frontend bundle
  const walk = (dir: string): string[] =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .flatMap(e =>
        e.isDirectory()
          ? walk(path.join(dir, e.name))
          : [path.join(dir, e.name)],
      );
  for (const file of walk(DIST).filter(f => /\.(js|html|json|map)$/.test(f)))
    leaks.push(
      ...leaksIn(
        fs.readFileSync(file, 'utf8'),
        path.relative(ROOT, file),
        secrets,
      ).filter(
        // the bundle holds the Kubernetes client's own PEM parsing code, no key
        l => !/BEGIN CERTIFICATE/.test(l),
      ),
    );
  expect(leaks).toEqual([]);
});
