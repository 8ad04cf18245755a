import { Page } from '@playwright/test';

/** Signs in with the guest provider, as a newcomer does on the portal's sign-in page. */
export async function signInAsGuest(page: Page) {
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  await enter.waitFor({ state: 'visible', timeout: 60_000 });
  await enter.click();
  await enter.waitFor({ state: 'detached', timeout: 30_000 });
}
