import { expect, test } from '@playwright/test';
import { signInAsGuest } from './support';

test('the catalog page of the built portal lists the project entities', async ({
  page,
}, testInfo) => {
  await signInAsGuest(page);
  await page.goto('/catalog?filters[kind]=component&filters[user]=all');
  await expect(
    page.getByRole('link', { name: 'Shipyard backend plugin', exact: true }),
  ).toBeVisible();
  await expect(
    page.getByRole('link', { name: 'Fleet simulator', exact: true }),
  ).toBeVisible();
  await page.screenshot({
    path: testInfo.outputPath('catalog.png'),
    fullPage: true,
  });
});

test('the fleet page reaches the Shipyard backend', async ({
  page,
}, testInfo) => {
  await signInAsGuest(page);
  await page.goto('/shipyard');
  await expect(page.getByTestId('cluster-table')).toBeVisible();
  await expect(page.getByTestId('cluster-count')).toHaveText(/\d+ clusters?/);
  await page.screenshot({
    path: testInfo.outputPath('fleet.png'),
    fullPage: true,
  });
});
