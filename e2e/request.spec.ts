import { APIRequestContext, expect, test } from '@playwright/test';
import { saveScreenshot, signInAsGuest } from './support';

/*
 * The self-service request flow in the browser: the "Request a Kubernetes cluster" template with the Shipyard
 * field extensions (profile picker, Kubernetes version picker), the scaffolder task page, and the new cluster's
 * page, open before the request, following the cluster's provisioning until it is ready.
 */

const PROFILE = 'kubeadm-standard';
const OWNER = 'team-a';
const OWNER_TITLE = 'Team A (payments)';

interface ClusterKey {
  managementCluster: string;
  namespace: string;
  name: string;
}

async function findCluster(
  request: APIRequestContext,
  name: string,
): Promise<ClusterKey | undefined> {
  const refresh = await request.get('/api/auth/guest/refresh', {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  const token = (await refresh.json()).backstageIdentity.token;
  const res = await request.get(
    `/api/shipyard/clusters?q=${encodeURIComponent(name)}&facets=false`,
    { headers: { Authorization: `Bearer ${token}` } },
  );
  if (!res.ok()) return undefined;
  const body = (await res.json()) as { items: ClusterKey[] };
  return body.items.find(c => c.name === name);
}

test('the request form renders the Shipyard field extensions', async ({
  page,
}, testInfo) => {
  await signInAsGuest(page);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/create/templates/default/request-cluster');
  const picker = page.getByRole('textbox', { name: 'Cluster profile' });
  await expect(picker).toBeVisible();
  await expect(page.getByText(/unknown field/i)).toHaveCount(0);
  await picker.click();
  await expect(page.getByTestId(`profile-option-${PROFILE}`)).toBeVisible();
  // the picker lists each profile with its provider, distribution, version and layers
  await saveScreenshot(page, testInfo, 'template-form');
  await page.getByTestId(`profile-option-${PROFILE}`).click();
  await expect(page.getByTestId('profile-layers')).toContainText('cni: calico');
  await saveScreenshot(page, testInfo, 'template-form-profile', {
    readme: false,
  });
  await page.getByRole('button', { name: 'Next' }).click();
  // the version picker offers the profile's versions, defaulting to the profile's current one
  await expect(page.getByTestId('kubernetes-version-select')).toContainText(
    'v1.35.5',
  );
});

test('a cluster requested through the template appears and its progress reaches ready', async ({
  page,
  context,
}, testInfo) => {
  test.setTimeout(180_000);
  await signInAsGuest(page);
  await page.setViewportSize({ width: 1280, height: 800 });
  const name = `e2e-${Date.now().toString(36)}`;

  await page.goto('/create/templates/default/request-cluster');
  // step 1: the profile, from the Shipyard picker
  await page.getByRole('textbox', { name: 'Cluster profile' }).click();
  await page.getByTestId(`profile-option-${PROFILE}`).click();
  await page.getByRole('button', { name: 'Next' }).click();

  // step 2: name, owner, size, version
  await page.getByRole('textbox', { name: 'Name' }).fill(name);
  const owner = page.getByRole('textbox', { name: 'Owner' });
  await owner.click();
  await page.getByRole('option', { name: OWNER_TITLE }).click();
  await expect(owner).toHaveValue(`group:default/${OWNER}`);
  const size = page.getByTestId('cluster-size-select');
  await size.getByRole('button').click();
  await page.getByTestId('cluster-size-select-small').click();
  await expect(size).toContainText('Small (1 control plane, 1 worker)');
  const managementClusterSelect = page.getByTestId('management-cluster-select');
  await expect(managementClusterSelect).toContainText('mgmt-');
  // the management cluster the form chose (the select's value)
  const chosenManagementCluster = await managementClusterSelect
    .locator('input')
    .inputValue();
  expect(chosenManagementCluster).toMatch(/^mgmt-/);
  const version = page.getByTestId('kubernetes-version-select');
  await expect(version).toContainText('v1.35.5');
  await version.getByRole('button').click();
  await page.getByRole('option', { name: /^v1\.36\.2/ }).click();
  await expect(version).toContainText('v1.36.2');
  await saveScreenshot(page, testInfo, 'template-form-cluster');
  await page.getByRole('button', { name: 'Next' }).click();

  // step 3: variables (generated from the ClusterClass, profile defaults filled in), the checks, review and create
  await expect(page.getByTestId('cluster-variables')).toBeVisible();
  await expect(page.getByTestId('request-check-ok')).toBeVisible();
  await page.getByRole('button', { name: 'Review' }).click();
  await expect(page.getByText(name)).toBeVisible();

  // The new cluster's page, opened before the request is made, follows the cluster live from "not known yet"
  // through its provisioning to ready. The page itself records that it showed the provisioning progress, so a
  // provisioning that ends quickly on a busy machine cannot slip between two looks of the test.
  const clusterPage = await context.newPage();
  await clusterPage.setViewportSize({ width: 1280, height: 800 });
  await clusterPage.addInitScript(() => {
    const look = () => {
      if (document.querySelector('[data-testid="provisioning-progress"]')) {
        (window as any).__shipyardSawProgress = true;
      }
    };
    new MutationObserver(look).observe(document, {
      childList: true,
      subtree: true,
    });
  });
  await clusterPage.goto(
    `/shipyard/clusters/${chosenManagementCluster}/${OWNER}/${name}`,
  );
  await expect(
    clusterPage.getByText('Cluster not found in the fleet'),
  ).toBeVisible();
  let clusterPageNavigations = 0;
  clusterPage.on('framenavigated', () => {
    clusterPageNavigations += 1;
  });

  await page.getByRole('button', { name: 'Create' }).click();

  // the task page follows the steps
  await expect(page).toHaveURL(/\/create\/tasks\/[^/]+$/);
  await expect(page.getByText('Request the cluster')).toBeVisible();

  // the cluster shows up in the fleet
  let key: ClusterKey | undefined;
  await expect
    .poll(
      async () => {
        key = await findCluster(page.request, name);
        return Boolean(key);
      },
      {
        timeout: 60_000,
        message: 'the requested cluster appears in the fleet',
      },
    )
    .toBe(true);
  const { managementCluster, namespace } = key as ClusterKey;
  expect(namespace).toBe(OWNER);
  expect(managementCluster).toBe(chosenManagementCluster);
  // the open page picked the cluster up without a reload, and showed its provisioning progress
  await expect(clusterPage.getByTestId('cluster-tree')).toContainText(
    `Cluster/${name}`,
  );
  await expect
    .poll(
      () =>
        clusterPage.evaluate(
          () => (window as any).__shipyardSawProgress === true,
        ),
      { message: 'the open cluster page showed the provisioning progress' },
    )
    .toBe(true);
  const progressNow = clusterPage.getByTestId('provisioning-progress');
  if (await progressNow.isVisible()) {
    await saveScreenshot(clusterPage, testInfo, 'cluster-provisioning');
  }

  // the task ends with the cluster ready and links to it
  await expect(page.getByText('Your cluster is ready')).toBeVisible({
    timeout: 150_000,
  });
  // the task page shows the cluster's progress (phase, control plane n/m, workers n/m) without opening the logs
  const progress = page.getByTestId('task-cluster-progress');
  await expect(progress).toContainText(`Cluster ${name} on`);
  await expect(progress).toContainText('Control plane 1/1 ready');
  await expect(progress).toContainText('Workers 1/1 ready');
  await expect(progress.getByRole('progressbar').first()).toBeVisible();
  await saveScreenshot(page, testInfo, 'task-page');

  // without a reload, the open cluster page reaches ready: the progress is gone and the cluster is healthy
  await expect(clusterPage.getByTestId('provisioning-progress')).toHaveCount(0);
  expect(clusterPageNavigations).toBe(0);
  await expect(clusterPage.getByTestId('cluster-health')).toContainText(
    'Healthy',
  );
  await expect(clusterPage.getByTestId('cluster-details')).toContainText(
    'v1.36.2',
  );
  // at the README's 1280 px, the cluster's action buttons (Upgrade included) and why an upgrade is not possible
  // lie inside the Overview card, none cut off at its edge
  await clusterPage.setViewportSize({ width: 1280, height: 800 });
  const actions = clusterPage.getByTestId('cluster-actions');
  await expect(actions.getByTestId('upgrade-cluster')).toBeVisible();
  const card = await clusterPage
    .locator('[class*="MuiCard-root"]', { has: actions })
    .last()
    .boundingBox();
  for (const inner of [
    actions.getByRole('button').or(actions.getByRole('link')),
    clusterPage.getByTestId('upgrade-unavailable-note'),
  ]) {
    for (const box of await Promise.all(
      (await inner.all()).map(b => b.boundingBox()),
    )) {
      expect(box && card).toBeTruthy();
      expect(box!.x).toBeGreaterThanOrEqual(card!.x);
      expect(box!.x + box!.width).toBeLessThanOrEqual(card!.x + card!.width);
    }
  }
  await saveScreenshot(clusterPage, testInfo, 'cluster-ready', {
    readme: false,
  });

  // the task page links to the cluster page inside the portal (a path, not a new window)
  const link = page.getByRole('link', { name: /Cluster page/ });
  await expect(link).toHaveAttribute(
    'href',
    new RegExp(
      `^/shipyard/clusters/${managementCluster}/${namespace}/${name}$`,
    ),
  );
  await link.click();
  await expect(page).toHaveURL(
    new RegExp(`/shipyard/clusters/${managementCluster}/${namespace}/${name}$`),
  );
  await expect(page.getByTestId('cluster-health')).toContainText('Healthy');
});
