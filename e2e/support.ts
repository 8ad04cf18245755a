import fs from 'node:fs';
import path from 'node:path';
import {
  APIRequestContext,
  expect,
  Locator,
  Page,
  TestInfo,
} from '@playwright/test';

/** Signs in with the guest provider, as a newcomer does on the portal's sign-in page. */
export async function signInAsGuest(page: Page) {
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  await enter.waitFor({ state: 'visible', timeout: 60_000 });
  await enter.click();
  await enter.waitFor({ state: 'detached', timeout: 30_000 });
}

/**
 * Saves screenshots of the current page as test artifacts: `<name>.png` at the README's 1280×800 viewport (scrolled
 * to `focus` when given) and `<name>-full.png`, the full page at the test's viewport. With SHIPYARD_E2E_SCREENSHOTS
 * set to a directory (`yarn e2e:screenshots` uses docs/screenshots), the 1280×800 one is also written there unless
 * `readme` is false.
 */
/** The card (InfoCard) that holds `inner`, for focusing screenshots on it. */
export function cardOf(page: Page, inner: Locator): Locator {
  return page.locator('[class*="MuiCard-root"]', { has: inner }).last();
}

export async function saveScreenshot(
  page: Page,
  testInfo: TestInfo,
  name: string,
  options: { focus?: Locator; readme?: boolean } = {},
) {
  await page.screenshot({
    path: testInfo.outputPath(`${name}-full.png`),
    fullPage: true,
  });
  const viewport = page.viewportSize();
  await page.setViewportSize({ width: 1280, height: 800 });
  try {
    // let charts and tables lay out for the new size
    await page.waitForTimeout(300);
    if (options.focus) {
      await options.focus.evaluate(el => {
        el.scrollIntoView({ block: 'start', inline: 'nearest' });
        // a little room above the focused element
        window.scrollBy(0, -16);
        document.querySelectorAll('main').forEach(m => m.scrollBy(0, -16));
      });
    } else {
      await page.evaluate(() => {
        window.scrollTo(0, 0);
        document.querySelectorAll('main').forEach(m => m.scrollTo(0, 0));
      });
    }
    await page.waitForTimeout(100);
    const file = testInfo.outputPath(`${name}.png`);
    await page.screenshot({ path: file });
    const docs = process.env.SHIPYARD_E2E_SCREENSHOTS;
    if (docs && options.readme !== false) {
      fs.mkdirSync(docs, { recursive: true });
      fs.copyFileSync(file, path.join(docs, `${name}.png`));
    }
  } finally {
    if (viewport) await page.setViewportSize(viewport);
  }
}

declare global {
  interface Window {
    __shipyardRowAt?: number;
    __shipyardClickAt?: number;
  }
}

/** Records, in the page, when the first cluster row is painted, and when the sidebar's fleet link is clicked. */
async function watchFirstRow(page: Page) {
  await page.addInitScript(() => {
    const check = (_records: MutationRecord[], self: MutationObserver) => {
      if (window.__shipyardRowAt !== undefined) return;
      if (document.querySelector('[data-testid="cluster-row"]')) {
        self.disconnect();
        // the frame after the one that lays the row out
        requestAnimationFrame(() =>
          requestAnimationFrame(() => {
            window.__shipyardRowAt ??= performance.now();
          }),
        );
      }
    };
    const observer = new MutationObserver(check);
    const start = () =>
      observer.observe(document, { childList: true, subtree: true });
    start();
    document.addEventListener(
      'click',
      e => {
        const link = (e.target as Element | null)?.closest?.('a');
        if (link?.getAttribute('href') === '/shipyard') {
          window.__shipyardClickAt = performance.now();
          window.__shipyardRowAt = undefined;
          start();
        }
      },
      true,
    );
  });
}

async function rowPaintedAt(page: Page): Promise<number> {
  await page.getByTestId('cluster-row').first().waitFor({ state: 'visible' });
  await expect
    .poll(() => page.evaluate(() => window.__shipyardRowAt ?? null))
    .not.toBeNull();
  return page.evaluate(() => window.__shipyardRowAt as number);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * First table paint of the fleet page, measured in the browser: from the navigation start of a full page load of
 * `/shipyard`, and from the click on the sidebar's Fleet item (in-app navigation from the catalog), to the frame
 * after the first cluster row is in the DOM. `rounds` of each; ends on the fleet page.
 */
export async function measureFleetPaint(
  page: Page,
  rounds: number,
): Promise<{ fullPageLoad: number[]; inAppNavigation: number[] }> {
  await watchFirstRow(page);
  const fullPageLoad: number[] = [];
  const inAppNavigation: number[] = [];
  for (let i = 0; i < rounds; i++) {
    await page.goto('/catalog');
    const fleetLink = page.getByRole('link', { name: 'Fleet' }).first();
    await fleetLink.waitFor();
    await fleetLink.click();
    const rowAt = await rowPaintedAt(page);
    const clickAt = await page.evaluate(() => window.__shipyardClickAt ?? 0);
    inAppNavigation.push(Math.round(rowAt - clickAt));
  }
  for (let i = 0; i < rounds; i++) {
    await page.goto('/shipyard');
    fullPageLoad.push(Math.round(await rowPaintedAt(page)));
  }
  return { fullPageLoad, inAppNavigation };
}

export interface Summary {
  totalCount: number;
  byOwner: Record<string, number>;
  byHealth: Record<string, number>;
  /** Clusters per drift kind (and `none`), once the profiles were read. */
  byDrift?: Record<string, number>;
  driftedCount?: number;
}

export interface ClusterItem {
  managementCluster: string;
  namespace: string;
  name: string;
  title: string;
  owner: string;
  health: string;
}

export async function token(request: APIRequestContext): Promise<string> {
  const res = await request.get('/api/auth/guest/refresh', {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  expect(res.ok()).toBeTruthy();
  const body = await res.json();
  return body.backstageIdentity.token;
}

export async function api<T>(
  request: APIRequestContext,
  url: string,
): Promise<T> {
  const res = await request.get(url, {
    headers: { Authorization: `Bearer ${await token(request)}` },
  });
  expect(res.ok(), `${url}: ${res.status()}`).toBeTruthy();
  return (await res.json()) as T;
}

/** Waits until the backend has synced a fleet (the simulator starts with the portal). */
export async function fleetSummary(
  request: APIRequestContext,
): Promise<Summary> {
  let summary: Summary | undefined;
  await expect
    .poll(
      async () => {
        summary = await api<Summary>(request, '/api/shipyard/summary');
        return summary.totalCount;
      },
      {
        timeout: 90_000,
        message: 'the simulated fleet shows up in the Shipyard API',
      },
    )
    .toBeGreaterThan(0);
  // let the first sync settle: two equal reads a second apart
  await expect
    .poll(
      async () => {
        const before = (await api<Summary>(request, '/api/shipyard/summary'))
          .totalCount;
        await new Promise(r => setTimeout(r, 1000));
        summary = await api<Summary>(request, '/api/shipyard/summary');
        return summary.totalCount === before;
      },
      { timeout: 60_000 },
    )
    .toBe(true);
  return summary as Summary;
}
