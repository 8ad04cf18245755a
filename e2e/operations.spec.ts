import { APIRequestContext, expect, test } from '@playwright/test';
import { signInAsGuest } from './support';

/*
 * Day-2 operations from a cluster's page, as a member of the platform team (the demo guest): resize a worker pool
 * and watch the workers count change and the operation complete; decommission a cluster by typing its name and see
 * it leave the fleet and the catalog.
 */

interface Cluster {
  managementCluster: string;
  namespace: string;
  name: string;
  health: string;
  phase: string;
  lifecycle?: string;
  profile?: string;
  clusterClass?: string;
  paused?: unknown;
  machineDeployments: Array<{ name: string; replicas: { desired?: number } }>;
}

async function tokenOf(request: APIRequestContext): Promise<string> {
  const refresh = await request.get('/api/auth/guest/refresh', {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  return (await refresh.json()).backstageIdentity.token;
}

/** Healthy, settled topology clusters outside production, without a profile (resizes bounded by the backend only). */
async function candidates(request: APIRequestContext): Promise<Cluster[]> {
  const token = await tokenOf(request);
  let found: Cluster[] = [];
  await expect
    .poll(
      async () => {
        const res = await request.get(
          '/api/shipyard/clusters?health=healthy&limit=500&facets=false',
          { headers: { Authorization: `Bearer ${token}` } },
        );
        if (!res.ok()) return 0;
        found = ((await res.json()).items as Cluster[]).filter(
          c =>
            c.phase === 'Provisioned' &&
            c.lifecycle !== 'production' &&
            !c.paused &&
            !c.profile &&
            c.clusterClass &&
            c.machineDeployments.length === 1,
        );
        return found.length;
      },
      { timeout: 120_000, message: 'two healthy clusters to operate on' },
    )
    .toBeGreaterThanOrEqual(2);
  return found;
}

const pageOf = (c: Cluster) =>
  `/shipyard/clusters/${c.managementCluster}/${c.namespace}/${c.name}`;

test('resize a cluster from its page and watch the workers count change', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await signInAsGuest(page);
  const [cluster] = await candidates(page.request);
  const md = cluster.machineDeployments[0];
  const from = md.replicas.desired ?? 1;
  const to = from + 1;
  await page.goto(pageOf(cluster));
  const overview = page
    .locator('[class*="MuiCard-root"]', { hasText: 'Overview' })
    .first();
  await expect(overview).toContainText(`${from}/${from}`);

  await page.getByTestId('scale-cluster').click();
  await page.getByTestId(`replicas-${md.name}`).fill(String(to));
  await page.getByTestId('operation-submit').click();
  await expect(page.getByTestId('operation-done')).toContainText('resized');
  await page.getByRole('button', { name: 'Close' }).click();

  // the page follows the fleet: the new worker joins, and the operation completes
  await expect(overview).toContainText(`${to}/${to}`, { timeout: 120_000 });
  await expect(page.getByTestId('cluster-operations')).toBeVisible();
  await expect(page.getByTestId('operation-completed').first()).toContainText(
    'Resize',
    { timeout: 60_000 },
  );
});

test('decommission a cluster from its page and see it leave the fleet and the catalog', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await signInAsGuest(page);
  const found = await candidates(page.request);
  const cluster = found[found.length - 1];
  const token = await tokenOf(page.request);
  const auth = { headers: { Authorization: `Bearer ${token}` } };
  const entitiesOf = async () => {
    const filter = [
      'kind=resource',
      `metadata.annotations.shipyard.io/management-cluster=${cluster.managementCluster}`,
      `metadata.annotations.shipyard.io/cluster-namespace=${cluster.namespace}`,
      `metadata.annotations.shipyard.io/cluster-name=${cluster.name}`,
    ].join(',');
    const res = await page.request.get(
      `/api/catalog/entities/by-query?filter=${encodeURIComponent(filter)}`,
      auth,
    );
    return (await res.json()).items.length as number;
  };
  await expect.poll(entitiesOf, { timeout: 60_000 }).toBe(1);

  await page.goto(pageOf(cluster));
  await page.getByTestId('decommission-cluster').click();
  await page.getByTestId('decommission-confirm').fill(`${cluster.name}-x`);
  await expect(page.getByTestId('operation-submit')).toBeDisabled();
  await page.getByTestId('decommission-confirm').fill(cluster.name);
  await page.getByTestId('decommission-reason').fill('browser test');
  await page.getByTestId('operation-submit').click();
  await expect(page.getByTestId('operation-done')).toContainText(
    'decommissioned',
  );
  await page.getByRole('button', { name: 'Close' }).click();

  // the fleet drops the cluster once Cluster API has deleted it: its page says so, the fleet page no longer lists it
  await expect(async () => {
    await page.reload();
    await expect(page.getByText('Cluster not found in the fleet')).toBeVisible({
      timeout: 5_000,
    });
  }).toPass({ timeout: 150_000, intervals: [2_000] });
  await page.goto(`/shipyard?q=${encodeURIComponent(cluster.name)}`);
  await expect(page.getByTestId('cluster-count')).toHaveText(/\d+ clusters?/);
  // (another management cluster or namespace may hold a cluster of the same name)
  await expect(page.locator(`a[href$="${pageOf(cluster)}"]`)).toHaveCount(0);
  // and the catalog drops its entity
  await expect.poll(entitiesOf, { timeout: 60_000 }).toBe(0);
});
