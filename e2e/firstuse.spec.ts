import fs from 'node:fs';
import path from 'node:path';
import { APIRequestContext, expect, test } from '@playwright/test';
import { parse as parseYaml } from 'yaml';
import {
  ClusterItem,
  api,
  fleetSummary,
  saveScreenshot,
  signInAsGuest,
} from './support';

/*
 * What a new user meets in the first half hour: the page after sign-in, unknown paths, the team card, a profile's
 * drift, the fleet table on a laptop screen, and portal search for a cluster created a moment ago.
 */

const HEALTH_RANK = [
  'unhealthy',
  'degraded',
  'unknown',
  'progressing',
  'provisioning',
  'deleting',
  'healthy',
];

/** The simulated management clusters of the portal under test, from the kubeconfig the portal generated. */
function simKubeconfig(): {
  name: string;
  server: string;
  token: string;
}[] {
  const port = process.env.SHIPYARD_E2E_PORT ?? '7017';
  const file = path.resolve(
    __dirname,
    '..',
    '.shipyard',
    `portal-${port}`,
    'fleet-sim.kubeconfig',
  );
  const config = parseYaml(fs.readFileSync(file, 'utf8'));
  return (config.contexts ?? []).map((c: any) => {
    const cluster = config.clusters.find(
      (x: any) => x.name === c.context.cluster,
    );
    const user = config.users.find((x: any) => x.name === c.context.user);
    return {
      name: c.name,
      server: cluster.cluster.server,
      token: user.user.token,
    };
  });
}

/** Creates a Cluster on a simulated management cluster, from the topology of one it has. */
async function createSimCluster(
  request: APIRequestContext,
  template: ClusterItem,
  name: string,
): Promise<void> {
  const mc = simKubeconfig().find(m => m.name === template.managementCluster);
  expect(mc, `management cluster ${template.managementCluster}`).toBeTruthy();
  const headers = { Authorization: `Bearer ${mc!.token}` };
  const base = `${mc!.server}/apis/cluster.x-k8s.io/v1beta2/namespaces/${
    template.namespace
  }/clusters`;
  const existing = await request.get(`${base}/${template.name}`, {
    headers,
    ignoreHTTPSErrors: true,
  });
  expect(existing.ok(), await existing.text()).toBeTruthy();
  const source = await existing.json();
  const created = await request.post(base, {
    headers,
    ignoreHTTPSErrors: true,
    data: {
      apiVersion: 'cluster.x-k8s.io/v1beta2',
      kind: 'Cluster',
      metadata: {
        name,
        namespace: template.namespace,
        labels: { 'shipyard.io/owner': 'team-a' },
      },
      spec: {
        clusterNetwork: source.spec.clusterNetwork,
        topology: source.spec.topology,
      },
    },
  });
  expect(created.status(), await created.text()).toBe(201);
}

test.describe('first use', () => {
  test.beforeEach(async ({ page }) => {
    await signInAsGuest(page);
  });

  test('signing in lands on a home page with the fleet at a glance', async ({
    page,
  }, testInfo) => {
    const summary = await fleetSummary(page.request);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto('/');
    await expect(page.getByText(/page not found/i)).toHaveCount(0);
    const glance = page.getByTestId('fleet-at-a-glance');
    await expect(glance).toBeVisible();
    await expect(page.getByTestId('home-cluster-count')).toHaveText(
      `${summary.totalCount.toLocaleString('en-US')} clusters`,
    );
    // my team's clusters, version debt and the ways to act
    await expect(page.getByTestId('home-my-clusters')).toBeVisible();
    await expect(page.getByTestId('home-version-support')).toBeVisible();
    await expect(
      page.locator('a', { hasText: 'Request a cluster' }),
    ).toHaveAttribute('href', '/create/templates/default/request-cluster');
    await expect(
      page.locator('a', { hasText: 'Upgrade a cluster' }),
    ).toHaveAttribute('href', '/create/templates/default/upgrade-cluster');
    await saveScreenshot(page, testInfo, 'home');
    // the health counts lead to the filtered fleet
    await page.getByTestId('home-fleet-link').click();
    await expect(page).toHaveURL(/\/shipyard/);
    await expect(page.getByTestId('cluster-row').first()).toBeVisible();
  });

  test('an unknown Shipyard path shows a not-found page with a way back', async ({
    page,
  }) => {
    await page.goto('/shipyard/no-such-page');
    await expect(page.getByText(/page not found/i)).toBeVisible();
    await page.locator('a', { hasText: 'Back to the fleet' }).click();
    await expect(page).toHaveURL(/\/shipyard$/);
  });

  test("the team card lists a team's worst clusters first, with the health on one line", async ({
    page,
  }) => {
    await fleetSummary(page.request);
    // the team with the most clusters that are not healthy
    let owner: string | undefined;
    await expect
      .poll(
        async () => {
          const list = await api<{ items: ClusterItem[] }>(
            page.request,
            '/api/shipyard/clusters?limit=500&facets=false&fields=list',
          );
          const bad = list.items.filter(c => c.health !== 'healthy');
          owner = bad[0]?.owner;
          return Boolean(owner);
        },
        { timeout: 90_000, message: 'a cluster that is not healthy' },
      )
      .toBe(true);
    const team = owner!.replace(/^group:(default\/)?/, '');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`/catalog/default/group/${team}`);
    const rows = page.getByTestId('team-cluster-row');
    await expect(rows.first()).toBeVisible();
    const healths = await page
      .getByTestId('team-cluster-health')
      .allTextContents();
    const ranks = healths.map(h => HEALTH_RANK.indexOf(h.trim().toLowerCase()));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(ranks[0]).toBeLessThan(HEALTH_RANK.indexOf('healthy'));
    // one line per health label
    for (const cell of await page.getByTestId('team-cluster-health').all()) {
      const { height, lineHeight } = await cell.evaluate(el => {
        const label = el.firstElementChild as HTMLElement;
        return {
          height: label.getBoundingClientRect().height,
          lineHeight: parseFloat(getComputedStyle(label).lineHeight) || 24,
        };
      });
      expect(height).toBeLessThan(lineHeight * 1.8);
    }
  });

  test('the drift table of a profile is readable', async ({ page }) => {
    await fleetSummary(page.request);
    await page.setViewportSize({ width: 1280, height: 800 });
    // eks-standard has earlier versions that clusters still run
    await page.goto('/catalog/default/clusterprofile/eks-standard/profile');
    const table = page.getByTestId('drift-table');
    await expect(table).toBeVisible();
    const drift = table.locator('thead th').last();
    expect((await drift.boundingBox())!.width).toBeGreaterThanOrEqual(240);
    expect((await table.boundingBox())!.height).toBeLessThan(2500);
  });

  test('the fleet table fits a 1280 px screen and tells same-named clusters apart', async ({
    page,
  }) => {
    await fleetSummary(page.request);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto('/shipyard');
    const row = page.getByTestId('cluster-row').first();
    await expect(row).toBeVisible();
    const table = page.getByTestId('cluster-table');
    const { scroll, client } = await table.evaluate(el => {
      const scroller = el.closest('[class*="MuiTableContainer"]') ?? el;
      return { scroll: scroller.scrollWidth, client: scroller.clientWidth };
    });
    expect(scroll).toBeLessThanOrEqual(client + 1);
    // where each cluster lives is on its row
    const list = await api<{ items: ClusterItem[] }>(
      page.request,
      '/api/shipyard/clusters?limit=5&facets=false&sort=name',
    );
    for (const c of list.items) {
      await expect(
        page
          .getByTestId('cluster-row')
          .filter({ hasText: c.title })
          .filter({ hasText: `${c.managementCluster} / ${c.namespace}` }),
      ).toHaveCount(1);
    }
    for (const header of ['Kubernetes', 'Phase']) {
      const th = page.getByRole('columnheader', { name: header });
      await expect(th).toBeVisible();
      const box = await th.boundingBox();
      expect(box!.x + box!.width).toBeLessThanOrEqual(1280);
    }
  });

  test('portal search finds a cluster created a moment ago, without a missing index', async ({
    page,
  }) => {
    test.setTimeout(180_000);
    await fleetSummary(page.request);
    const failures: string[] = [];
    page.on('response', r => {
      if (r.url().includes('/api/search/') && r.status() >= 400)
        failures.push(`${r.status()} ${r.url()}`);
    });
    const list = await api<{ items: ClusterItem[] }>(
      page.request,
      '/api/shipyard/clusters?limit=500&facets=false',
    );
    const template = list.items.find(
      c => (c as any).clusterClass === 'kubeadm-standard',
    );
    expect(template, 'a kubeadm-standard cluster to copy').toBeTruthy();
    const name = `searchable-${Date.now().toString(36)}`;
    const created = Date.now();
    await createSimCluster(page.request, template!, name);
    await expect
      .poll(
        async () => {
          const res = await api<{ results: Array<{ document: any }> }>(
            page.request,
            `/api/search/query?term=${name}`,
          );
          return res.results.some(r =>
            JSON.stringify(r.document).includes(name),
          );
        },
        {
          timeout: 90_000,
          intervals: [2_000],
          message: 'the new cluster in the search results',
        },
      )
      .toBe(true);
    test.info().annotations.push({
      type: 'search-latency-ms',
      description: String(Date.now() - created),
    });
    await page.goto(`/search?query=${name}`);
    await expect(page.getByText(name).first()).toBeVisible();
    expect(failures).toEqual([]);
  });
});
