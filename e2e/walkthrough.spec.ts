import { expect, test } from '@playwright/test';
import { saveScreenshot, signInAsGuest } from './support';

/*
 * A newcomer's walk through the portal: sign in, the home page, the fleet, a cluster, a cluster requested through
 * the generated form (an object and a boolean ClusterClass variable set), its progress on the task page, and the
 * request in the audit trail.
 */

const PROFILE = 'kubeadm-standard';
const OWNER_TITLE = 'Team A (payments)';

test('sign in → home → fleet → cluster → request with object and boolean variables → progress → audit trail', async ({
  page,
}, testInfo) => {
  test.setTimeout(240_000);
  await signInAsGuest(page);
  await page.setViewportSize({ width: 1280, height: 800 });

  // home: the fleet at a glance, and the way to the fleet
  await page.goto('/');
  await expect(page.getByTestId('fleet-at-a-glance')).toBeVisible();
  await page.getByTestId('home-fleet-link').click();
  await expect(page).toHaveURL(/\/shipyard/);

  // fleet → one cluster's page
  const link = page.getByTestId('cluster-link').first();
  await expect(link).toBeVisible();
  await link.click();
  await expect(page).toHaveURL(/\/shipyard\/clusters\/[^/]+\/[^/]+\/[^/]+$/);
  await expect(page.getByTestId('cluster-tree')).toBeVisible();

  // the request form: profile, then the cluster, then the variables generated from the ClusterClass
  const name = `walk-${Date.now().toString(36)}`;
  await page.goto('/create/templates/default/request-cluster');
  await page.getByRole('textbox', { name: 'Cluster profile' }).click();
  await page.getByTestId(`profile-option-${PROFILE}`).click();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('textbox', { name: 'Name' }).fill(name);
  await page.getByRole('textbox', { name: 'Owner' }).click();
  await page.getByRole('option', { name: OWNER_TITLE }).click();
  const size = page.getByTestId('cluster-size-select');
  await size.getByRole('button').click();
  await page.getByTestId('cluster-size-select-small').click();
  await expect(page.getByTestId('management-cluster-select')).toContainText(
    'mgmt-',
  );
  await page.getByRole('button', { name: 'Next' }).click();

  const variables = page.getByTestId('cluster-variables');
  await expect(variables).toContainText('ClusterClass');
  // a boolean variable is a checkbox
  const backup = variables.getByRole('checkbox', { name: 'etcdBackup' });
  await expect(backup).not.toBeChecked();
  await backup.check();
  await expect(backup).toBeChecked();
  // an object variable has its own fields: an enum and a boolean inside it
  await expect(variables).toContainText('podSecurityStandard');
  await variables.getByRole('button', { name: /enforce/ }).click();
  await page.getByRole('option', { name: 'restricted', exact: true }).click();
  await expect(
    variables.getByRole('button', { name: /enforce/ }),
  ).toContainText('restricted');
  await expect(
    variables.getByRole('checkbox', { name: 'enabled' }),
  ).toBeChecked();
  // every check of the request passes before submit
  await expect(page.getByTestId('request-check-ok')).toBeVisible();
  await saveScreenshot(page, testInfo, 'template-form-variables', {
    focus: variables,
  });
  await page.getByRole('button', { name: 'Review' }).click();
  await expect(page.getByText(name)).toBeVisible();
  await page.getByRole('button', { name: 'Create' }).click();

  // the task page shows the cluster's progress without the logs
  await expect(page).toHaveURL(/\/create\/tasks\/[^/]+$/);
  const progress = page.getByTestId('task-cluster-progress');
  await expect(progress).toContainText(`Cluster ${name} on`, {
    timeout: 60_000,
  });
  await expect(progress).toContainText(/Control plane \d+\/1 ready/);
  await expect(progress).toContainText(/Workers \d+\/1 ready/);
  await expect(page.getByText('Your cluster is ready')).toBeVisible({
    timeout: 150_000,
  });
  await expect(progress).toContainText('Phase: Provisioned');
  await saveScreenshot(page, testInfo, 'task-page-progress');

  // the audit trail shows the request, by the guest, succeeded
  await page.goto('/shipyard');
  await page.getByTestId('audit-link').click();
  await expect(page).toHaveURL(/\/shipyard\/audit$/);
  const table = page.getByTestId('audit-table');
  const row = table.locator('tr', { hasText: name }).last();
  await expect(row).toBeVisible();
  await expect(row.getByTestId('audit-action')).toHaveText('Request cluster');
  await expect(row.getByTitle('user:default/guest')).toHaveText('guest');
  await expect(row.getByTestId('audit-outcome')).toHaveText('Succeeded');
  // filtered by cluster, only its entries remain
  await page.getByRole('textbox', { name: 'Cluster' }).fill(name);
  await page.getByRole('textbox', { name: 'Cluster' }).press('Enter');
  await expect(page).toHaveURL(new RegExp(`cluster=${name}`));
  // the request and its completion (the wait for the cluster to be ready), both succeeded
  await expect(table.locator('tbody tr')).toHaveCount(2);
  await expect(table.getByTestId('audit-outcome')).toHaveText([
    'Succeeded',
    'Succeeded',
  ]);
  await expect(table).toContainText(`${name} is Provisioned and healthy`);
  await saveScreenshot(page, testInfo, 'audit-page');
});
