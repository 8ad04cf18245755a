import { expect, test } from '@playwright/test';
import { api, cardOf, saveScreenshot, signInAsGuest } from './support';

/*
 * Kubernetes managing Kubernetes: the first management cluster of the demo fleet manages itself and the others as
 * Cluster API clusters; its cluster page shows the chain as a tree (management clusters nested, the clusters each
 * serves, hosted control planes marked) with its blast radius; a cluster with a hosted control plane shows where
 * its pods run.
 */

interface Item {
  managementCluster: string;
  namespace: string;
  name: string;
  managementClusterOf?: string;
  hostedControlPlane?: { provider: string; hostCluster: string };
}

test('the management chain is shown as a tree on the cluster page of a management cluster', async ({
  page,
  request,
}, testInfo) => {
  let items: Item[] = [];
  await expect
    .poll(
      async () => {
        items = (
          await api<{ items: Item[] }>(
            request,
            '/api/shipyard/clusters?limit=500&facets=false',
          )
        ).items;
        return items.filter(i => i.managementClusterOf).length;
      },
      { timeout: 90_000 },
    )
    .toBeGreaterThanOrEqual(2);
  const root = items.find(
    i => i.managementClusterOf && i.managementClusterOf === i.managementCluster,
  )!;
  const managed = items
    .filter(i => i.managementClusterOf && i !== root)
    .map(i => i.managementClusterOf!);
  const hosted = items.find(i => i.hostedControlPlane)!;
  expect(hosted).toBeDefined();

  await signInAsGuest(page);
  await page.goto(
    `/shipyard/clusters/${root.managementCluster}/${root.namespace}/${root.name}`,
  );
  const tree = page.getByTestId('management-chain-tree');
  await expect(tree).toBeVisible({ timeout: 60_000 });
  const top = tree.locator(
    `[data-testid="chain-management-cluster"][data-name="${root.managementClusterOf}"]`,
  );
  await expect(top).toBeVisible();
  // each managed management cluster is nested under it, with clusters of its own
  for (const name of managed) {
    const nested = top.locator(
      `[data-testid="chain-management-cluster"][data-name="${name}"]`,
    );
    await expect(nested).toBeVisible();
    await expect(
      nested.locator('[data-testid="chain-cluster"]').first(),
    ).toBeVisible();
  }
  await expect(tree.getByText(/hosted control plane \(/).first()).toBeVisible();
  await expect(page.getByTestId('blast-radius')).toContainText(
    /Blast radius: \d+ clusters of \d+ teams, \d+ hosted control planes, through /,
  );
  await saveScreenshot(page, testInfo, 'management-chain', {
    focus: cardOf(page, tree),
    readme: false,
  });

  await page.goto(
    `/shipyard/clusters/${hosted.managementCluster}/${hosted.namespace}/${hosted.name}`,
  );
  const card = page.getByTestId('hosted-control-plane');
  await expect(card).toBeVisible({ timeout: 60_000 });
  await expect(card).toContainText(hosted.hostedControlPlane!.provider);
  await expect(card).toContainText(hosted.hostedControlPlane!.hostCluster);
  await expect(card).toContainText(/\d+ of \d+ ready/);
});

test('a profile of hosted control planes names its host and counts the clusters the demo fleet runs from it', async ({
  page,
}) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/clusterprofile/k0smotron-hosted/profile');
  await expect(page.getByTestId('profile-content')).toBeVisible({
    timeout: 60_000,
  });
  await expect(page.getByTestId('profile-hosted-control-plane')).toContainText(
    'pods run by k0smotron on the management cluster it is created on (the host; mgmt-eu-1 unless the request names another)',
  );
  await expect(page.getByTestId('profile-cluster-count')).toContainText(
    /^[1-9]\d* clusters?$/,
    { timeout: 60_000 },
  );
  await expect(page.getByTestId('request-cluster')).toBeVisible();
});
