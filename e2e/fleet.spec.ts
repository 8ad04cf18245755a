import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, Page, test } from '@playwright/test';
import {
  ClusterItem,
  api,
  cardOf,
  fleetSummary,
  measureFleetPaint,
  median,
  saveScreenshot,
  signInAsGuest,
  Summary,
} from './support';

/*
 * The fleet views against the portal on the simulated fleet. Expected numbers come from the Shipyard API itself,
 * so the spec holds for any simulator size or seed.
 */

function shortOwner(ref: string): string {
  return ref.replace(/^group:(default\/)?/, '');
}

async function openFleet(page: Page, query = ''): Promise<number> {
  const started = Date.now();
  await page.goto(`/shipyard${query}`);
  await page.getByTestId('cluster-row').first().waitFor({ state: 'visible' });
  return Date.now() - started;
}

test.describe('fleet page', () => {
  test.beforeEach(async ({ page }) => {
    await signInAsGuest(page);
  });

  test('lists the simulated fleet with correct counts', async ({
    page,
  }, testInfo) => {
    const summary = await fleetSummary(page.request);
    await page.setViewportSize({ width: 1600, height: 2000 });
    // first table paint, in the browser: in-app navigation from the sidebar and full page loads (median of 3)
    const loadBefore = os.loadavg()[0];
    const paint = await measureFleetPaint(page, 3);
    const loadAfter = os.loadavg()[0];
    const firstPaintMs = median(paint.inAppNavigation);
    testInfo.annotations.push({
      type: 'fleet-first-table-paint-ms',
      description: `${firstPaintMs} ms after in-app navigation (${paint.inAppNavigation.join(
        ', ',
      )}), ${median(
        paint.fullPageLoad,
      )} ms on a full page load (${paint.fullPageLoad.join(', ')}), ${
        summary.totalCount
      } clusters`,
    });
    await testInfo.attach('fleet-timing.json', {
      body: JSON.stringify({
        clusters: summary.totalCount,
        firstTablePaintMs: firstPaintMs,
        ...paint,
        loadAverage: { before: loadBefore, after: loadAfter },
      }),
      contentType: 'application/json',
    });

    const total = summary.totalCount.toLocaleString('en-US');
    await expect(page.getByTestId('cluster-count')).toHaveText(
      `${total} cluster${summary.totalCount === 1 ? '' : 's'}`,
    );
    const shown = Math.min(50, summary.totalCount);
    await expect(page.getByTestId('cluster-row')).toHaveCount(shown);
    await expect(page.getByTestId('page-range')).toHaveText(
      `1–${shown.toLocaleString('en-US')} of ${total}`,
    );
    await expect(page.getByTestId('health-donut').locator('svg')).toContainText(
      String(summary.totalCount),
    );
    await expect(page.getByTestId('live-state')).toHaveText('Live');
    await saveScreenshot(page, testInfo, 'fleet');
    // The budget is judged on a machine that is not overloaded: with the load average above 3 per core (the suite's
    // own portal and browser stay far below it) the paint measures the queue for the cores, not the page, and the
    // test says so in its annotations instead. SHIPYARD_E2E_PAINT_MAX_LOAD sets another limit.
    const budgetMs = Number(process.env.SHIPYARD_E2E_PAINT_BUDGET_MS ?? 1_500);
    const maxLoad = Number(
      process.env.SHIPYARD_E2E_PAINT_MAX_LOAD ?? 3 * os.cpus().length,
    );
    const measured = `first table paint after in-app navigation: median ${firstPaintMs} ms of ${paint.inAppNavigation.join(
      ', ',
    )} ms, budget ${budgetMs} ms (SHIPYARD_E2E_PAINT_BUDGET_MS); full page loads ${paint.fullPageLoad.join(
      ', ',
    )} ms; ${summary.totalCount} clusters; load average ${loadBefore.toFixed(
      1,
    )} before and ${loadAfter.toFixed(1)} after the measurement on ${
      os.cpus().length
    } cores`;
    if (Math.max(loadBefore, loadAfter) > maxLoad) {
      const description = `${measured}: above the load average of ${maxLoad} (SHIPYARD_E2E_PAINT_MAX_LOAD)`;
      testInfo.annotations.push({
        type: 'fleet-paint-budget-not-judged',
        description,
      });
      process.stdout.write(`fleet paint budget not judged: ${description}\n`);
      return;
    }
    expect(firstPaintMs, measured).toBeLessThan(budgetMs);
  });

  test('filtering by a team narrows the table and the URL', async ({
    page,
  }, testInfo) => {
    const summary = await fleetSummary(page.request);
    const [owner, count] = Object.entries(summary.byOwner).sort(
      (a, b) => b[1] - a[1],
    )[0];
    await page.setViewportSize({ width: 1600, height: 2000 });
    await openFleet(page);

    await page.getByTestId('facet-owner').click();
    await page.getByTestId(`facet-owner-${owner}`).click();
    await page.keyboard.press('Escape');

    await expect(page).toHaveURL(
      new RegExp(`[?&]owner=${encodeURIComponent(owner)}`),
    );
    await expect(page.getByTestId('cluster-count')).toHaveText(
      `${count.toLocaleString('en-US')} cluster${count === 1 ? '' : 's'}`,
    );
    await expect(page.getByTestId('cluster-row')).toHaveCount(
      Math.min(50, count),
    );
    const owners = await page
      .getByTestId('cluster-row')
      .evaluateAll(rows => rows.map(r => r.textContent ?? ''));
    for (const text of owners) expect(text).toContain(shortOwner(owner));
    await expect(page.getByTestId('active-filters')).toContainText(
      `Owner: ${shortOwner(owner)}`,
    );

    // the filtered view is shareable: a fresh load of the URL shows the same count
    await page.reload();
    await expect(page.getByTestId('cluster-count')).toHaveText(
      `${count.toLocaleString('en-US')} cluster${count === 1 ? '' : 's'}`,
    );
    await saveScreenshot(page, testInfo, 'fleet-filtered', {
      focus: page.getByPlaceholder('Search name, title or namespace'),
      readme: false,
    });
  });

  test('filtering by drift shows the clusters with that drift, as the API answers', async ({
    page,
  }) => {
    await fleetSummary(page.request);
    // drift is known once the backend read the profiles from the catalog; the seeded fleet has failed add-ons
    let byDrift: Record<string, number> = {};
    await expect
      .poll(
        async () => {
          byDrift =
            (await api<Summary>(page.request, '/api/shipyard/summary'))
              .byDrift ?? {};
          return byDrift.addonFailed ?? 0;
        },
        {
          timeout: 90_000,
          message: 'the seeded fleet shows add-on drift in the Shipyard API',
        },
      )
      .toBeGreaterThan(0);
    const drifted = await api<{ items: ClusterItem[]; totalCount: number }>(
      page.request,
      '/api/shipyard/clusters?drift=addonFailed&limit=500&facets=false',
    );
    const names = new Set(drifted.items.map(c => c.title || c.name));
    expect(drifted.totalCount).toBeGreaterThan(0);
    expect(drifted.totalCount).toBeLessThan(
      (await fleetSummary(page.request)).totalCount,
    );
    await page.setViewportSize({ width: 1600, height: 2000 });
    await openFleet(page);

    await page.getByTestId('facet-drift').click();
    const option = page.getByTestId('facet-drift-addonFailed');
    await expect(option).toContainText('Add-on failed');
    await expect(option).toContainText(
      `${drifted.totalCount} cluster${drifted.totalCount === 1 ? '' : 's'}`,
    );
    await option.click();
    await page.keyboard.press('Escape');

    await expect(page).toHaveURL(/[?&]drift=addonFailed(&|$)/);
    await expect(page.getByTestId('active-filters')).toContainText(
      'Drift: Add-on failed',
    );
    await expect(page.getByTestId('cluster-count')).toHaveText(
      `${drifted.totalCount.toLocaleString('en-US')} cluster${
        drifted.totalCount === 1 ? '' : 's'
      }`,
    );
    const rows = page.getByTestId('cluster-row');
    await expect(rows).toHaveCount(Math.min(50, drifted.totalCount));
    const shown = await rows.evaluateAll(r => r.map(e => e.textContent ?? ''));
    for (const text of shown) {
      expect([...names].some(n => text.includes(n))).toBe(true);
    }

    // a second kind widens the selection to clusters with either drift
    const other = Object.entries(byDrift)
      .filter(([kind, n]) => kind !== 'addonFailed' && kind !== 'none' && n > 0)
      .sort((a, b) => a[1] - b[1])[0];
    if (other) {
      const either = await api<{ totalCount: number }>(
        page.request,
        `/api/shipyard/clusters?drift=addonFailed&drift=${other[0]}&limit=1&facets=false`,
      );
      await page.getByTestId('facet-drift').click();
      await page.getByTestId(`facet-drift-${other[0]}`).click();
      await page.keyboard.press('Escape');
      await expect(page).toHaveURL(new RegExp(`drift=${other[0]}`));
      await expect(page.getByTestId('cluster-count')).toHaveText(
        `${either.totalCount.toLocaleString('en-US')} cluster${
          either.totalCount === 1 ? '' : 's'
        }`,
      );
    }
  });
});

test.describe('cluster page', () => {
  test('shows the object tree and health of a cluster', async ({
    page,
  }, testInfo) => {
    await signInAsGuest(page);
    await fleetSummary(page.request);
    const list = await api<{ items: ClusterItem[] }>(
      page.request,
      '/api/shipyard/clusters?limit=1&sort=name&facets=false',
    );
    const cluster = list.items[0];
    await page.setViewportSize({ width: 1600, height: 1200 });
    await openFleet(page);
    await page
      .getByTestId('cluster-link')
      .filter({ hasText: cluster.title || cluster.name })
      .first()
      .click();
    await expect(page).toHaveURL(
      new RegExp(
        `/shipyard/clusters/${cluster.managementCluster}/${cluster.namespace}/${cluster.name}$`,
      ),
    );
    const tree = page.getByTestId('cluster-tree');
    await expect(tree).toBeVisible();
    await expect(tree).toContainText(`Cluster/${cluster.name}`);
    await expect(tree).toContainText('ControlPlane');
    const health = cluster.health[0].toUpperCase() + cluster.health.slice(1);
    await expect(page.getByTestId('cluster-health')).toContainText(health);
    // the version lifecycle: the calendar that applies, with the cluster's minor in it
    const lifecycle = await api<{
      calendar: { title: string; records: Array<{ minor: string }> };
      support: { minor?: string };
    }>(
      page.request,
      `/api/shipyard/clusters/${cluster.managementCluster}/${cluster.namespace}/${cluster.name}/lifecycle`,
    );
    const lifecycleCard = page.getByTestId('version-lifecycle');
    await expect(lifecycleCard).toContainText(lifecycle.calendar.title);
    const minor = lifecycle.support.minor;
    if (minor && lifecycle.calendar.records.some(r => r.minor === minor)) {
      await expect(
        lifecycleCard.getByTestId(`calendar-row-${minor}`),
      ).toBeVisible();
    }
    await saveScreenshot(page, testInfo, 'cluster-page');
    await saveScreenshot(page, testInfo, 'cluster-tree', {
      focus: cardOf(page, tree),
    });

    // the same view as a tab of the cluster's catalog entity, when the catalog module has made one
    const entities = await api<{
      items: Array<{ metadata: { name: string; namespace?: string } }>;
    }>(
      page.request,
      `/api/catalog/entities/by-query?limit=1&filter=kind=resource,spec.type=kubernetes-cluster,metadata.annotations.shipyard.io/cluster-name=${cluster.name},metadata.annotations.shipyard.io/management-cluster=${cluster.managementCluster}`,
    ).catch(() => ({ items: [] }));
    const entity = entities.items[0];
    if (!entity) {
      testInfo.annotations.push({
        type: 'note',
        description: 'no catalog entity for the cluster yet',
      });
      return;
    }
    await page.goto(
      `/catalog/${entity.metadata.namespace ?? 'default'}/resource/${
        entity.metadata.name
      }/shipyard`,
    );
    await expect(page.getByTestId('cluster-tree')).toBeVisible();
    await expect(page.getByTestId('cluster-health')).toBeVisible();
    await saveScreenshot(page, testInfo, 'cluster-entity-tab');
  });

  test('a fault injected in the simulator turns the open cluster page unhealthy without a reload', async ({
    page,
  }, testInfo) => {
    // the portal writes the simulator's admin URL and token here when it starts it with --state
    const port = process.env.SHIPYARD_E2E_PORT ?? '7017';
    const statePath = path.resolve(
      __dirname,
      '..',
      '.shipyard',
      `portal-${port}`,
      'fleet-sim.state.json',
    );
    expect(
      fs.existsSync(statePath),
      `the portal writes the simulator state to ${statePath}`,
    ).toBe(true);
    test.setTimeout(240_000);
    const state = JSON.parse(fs.readFileSync(statePath, 'utf8')) as {
      adminUrl: string;
      adminToken: string;
    };

    await signInAsGuest(page);
    await fleetSummary(page.request);
    // a healthy cluster to break (health settles within a probe round or two after the portal starts)
    let cluster: ClusterItem | undefined;
    await expect
      .poll(
        async () => {
          const list = await api<{ items: ClusterItem[] }>(
            page.request,
            '/api/shipyard/clusters?limit=1&health=healthy&facets=false',
          );
          cluster = list.items[0];
          return Boolean(cluster);
        },
        { timeout: 90_000, message: 'a healthy cluster in the fleet' },
      )
      .toBe(true);
    if (!cluster) return;
    await page.goto(
      `/shipyard/clusters/${cluster.managementCluster}/${cluster.namespace}/${cluster.name}`,
    );
    await expect(page.getByTestId('cluster-health')).toContainText('Healthy');

    const admin = page.context().request;
    const fault = await admin.post(
      `${state.adminUrl.replace(/\/$/, '')}/faults`,
      {
        headers: { Authorization: `Bearer ${state.adminToken}` },
        data: {
          action: 'controlPlaneDown',
          cluster: `${cluster.managementCluster}/${cluster.namespace}/${cluster.name}`,
        },
        ignoreHTTPSErrors: true,
      },
    );
    expect(fault.ok(), await fault.text()).toBeTruthy();
    try {
      let navigations = 0;
      page.on('framenavigated', () => {
        navigations += 1;
      });
      await expect(page.getByTestId('cluster-health')).toContainText(
        'Unhealthy',
        { timeout: 180_000 },
      );
      await expect(page.getByTestId('health-reasons')).toContainText(
        'ControlPlane',
      );
      expect(navigations).toBe(0);
      await saveScreenshot(page, testInfo, 'cluster-fault');
    } finally {
      await admin.post(`${state.adminUrl.replace(/\/$/, '')}/faults`, {
        headers: { Authorization: `Bearer ${state.adminToken}` },
        data: { action: 'clear' },
        ignoreHTTPSErrors: true,
      });
    }
  });
});

test.describe('catalog pages', () => {
  test("a team's page shows its clusters and links to the filtered fleet", async ({
    page,
  }, testInfo) => {
    await signInAsGuest(page);
    const summary = await fleetSummary(page.request);
    const [owner, count] = Object.entries(summary.byOwner).sort(
      (a, b) => b[1] - a[1],
    )[0];
    const name = owner.replace(/^group:(default\/)?/, '');
    await page.setViewportSize({ width: 1600, height: 1400 });
    await page.goto(`/catalog/default/group/${name}`);
    const card = page.getByTestId('team-clusters');
    await expect(card).toBeVisible();
    await expect(page.getByTestId('team-fleet-link')).toHaveAttribute(
      'href',
      `/shipyard?owner=${encodeURIComponent(owner)}`,
    );
    await saveScreenshot(page, testInfo, 'team-card', {
      focus: cardOf(page, card),
    });
    await page.getByTestId('team-fleet-link').click();
    await expect(page.getByTestId('cluster-count')).toHaveText(
      `${count.toLocaleString('en-US')} cluster${count === 1 ? '' : 's'}`,
    );
  });

  test("a team's card shows the error budget of each of its clusters, the least budget left first", async ({
    page,
  }, testInfo) => {
    await signInAsGuest(page);
    const summary = await fleetSummary(page.request);
    const [owner] = Object.entries(summary.byOwner).sort(
      (a, b) => b[1] - a[1],
    )[0];
    type Objectives = {
      total: { clusters: number };
      clusters: Array<{
        name: string;
        title: string;
        budget: { remainingPercent: number };
      }>;
    };
    const objectives = await api<Objectives>(
      page.request,
      `/api/shipyard/objectives?owner=${encodeURIComponent(owner)}&limit=10`,
    );
    expect(objectives.total.clusters).toBeGreaterThan(0);
    await page.setViewportSize({ width: 1600, height: 1400 });
    await page.goto(`/catalog/default/group/${shortOwner(owner)}`);
    const budgets = page.getByTestId('team-objectives');
    await expect(budgets).toBeVisible();
    const rows = budgets.getByTestId('team-objective-row');
    await expect(rows).toHaveCount(objectives.clusters.length);
    // the least budget left first, as the card shows it
    const shown = (
      await budgets.getByTestId('team-objective-budget').allTextContents()
    ).map(t => Number.parseFloat(t));
    expect(shown.every(n => Number.isFinite(n))).toBe(true);
    expect([...shown].sort((a, b) => a - b)).toEqual(shown);
    const first = await rows.first().getByRole('link').first().textContent();
    expect(objectives.clusters.map(c => c.title || c.name)).toContain(first);
    await saveScreenshot(page, testInfo, 'team-card-budgets', {
      focus: cardOf(page, budgets),
      readme: false,
    });
    // a cluster's page shows its objective
    await rows.first().getByRole('link').first().click();
    await expect(page.getByTestId('cluster-objective')).toBeVisible();
    await expect(page.getByTestId('objective-day').first()).toBeVisible();
  });

  test('a cluster profile shows its layers, clusters and the request button', async ({
    page,
  }, testInfo) => {
    await signInAsGuest(page);
    // the everyday profile from plugins/catalog-backend-module-shipyard/catalog/profiles when it is there (layers, sizes, clusters), else any profile
    type Profiles = {
      items: Array<{ metadata: { name: string; namespace?: string } }>;
    };
    let profiles = await api<Profiles>(
      page.request,
      '/api/catalog/entities/by-query?limit=1&filter=kind=clusterprofile,metadata.name=kubeadm-standard',
    );
    if (profiles.items.length === 0) {
      profiles = await api<Profiles>(
        page.request,
        '/api/catalog/entities/by-query?limit=1&filter=kind=clusterprofile',
      );
    }
    test.skip(
      profiles.items.length === 0,
      'no ClusterProfile entities in the catalog',
    );
    const profile = profiles.items[0];
    await page.setViewportSize({ width: 1600, height: 1400 });
    await page.goto(
      `/catalog/${profile.metadata.namespace ?? 'default'}/clusterprofile/${
        profile.metadata.name
      }/profile`,
    );
    await expect(page.getByTestId('profile-content')).toBeVisible();
    await expect(page.getByRole('table', { name: 'Layers' })).toBeVisible();
    await expect(page.getByTestId('request-cluster')).toHaveAttribute(
      'href',
      /\/create\/templates\/default\/request-cluster\?formData=/,
    );
    await saveScreenshot(page, testInfo, 'profile-tab');
  });
});
