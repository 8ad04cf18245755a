import { expect, test } from '@playwright/test';
import { api, signInAsGuest, token } from './support';

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

test('the catalog holds the Shipyard API with its OpenAPI definition', async ({
  page,
}) => {
  // the project's own catalog file is a `file` location: its API entity must not depend on a URL placeholder
  await expect
    .poll(
      async () => {
        const res = await page.request.get(
          '/api/catalog/entities/by-name/api/default/shipyard',
          { headers: { Authorization: `Bearer ${await token(page.request)}` } },
        );
        return res.status();
      },
      { timeout: 60_000, message: 'api:default/shipyard in the catalog' },
    )
    .toBe(200);
  const entity = await api<{ spec: { type: string; definition: string } }>(
    page.request,
    '/api/catalog/entities/by-name/api/default/shipyard',
  );
  expect(entity.spec.type).toBe('openapi');
  expect(entity.spec.definition).toMatch(/^openapi: 3/m);
  expect(entity.spec.definition).toContain('/clusters:');
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
