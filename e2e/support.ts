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
    /** Long tasks of the page's main thread: start and duration (ms). */
    __shipyardLongTasks?: Array<[number, number]>;
  }
}

/** Records, in the page, when the first cluster row is painted, and when the sidebar's fleet link is clicked. */
async function watchFirstRow(page: Page) {
  await page.addInitScript(() => {
    // every request of a full load is kept (the default buffer of 250 entries fills with the bundle's chunks)
    performance.setResourceTimingBufferSize(10_000);
    window.__shipyardLongTasks = [];
    try {
      new PerformanceObserver(list => {
        for (const t of list.getEntries()) {
          window.__shipyardLongTasks!.push([t.startTime, t.duration]);
        }
      }).observe({ type: 'longtask', buffered: true });
    } catch {
      // no long task timing in this browser: the timeline goes without
    }
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
          performance.clearResourceTimings();
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

/** A request the page made during a measured load, in ms from the load's start (click or navigation start). */
export interface PaintRequest {
  /** Path without the query (`/api/shipyard/clusters`, `/static/…`, the document's path). */
  path: string;
  /** Its query string (`?…`, or empty). */
  query: string;
  /** API call, static file (script, style, image, font), the document, or anything else. */
  kind: 'api' | 'static' | 'document' | 'other';
  start: number;
  /** When the answer's first byte came. */
  firstByte: number;
  end: number;
  /** From sending the request to the first byte: the server's time, its queue included (0 when from the cache). */
  server: number;
  /** From the request's start to its sending: waiting in the browser for a connection (0 when from the cache). */
  queued: number;
  /** Bytes over the wire (0: from the browser's cache). */
  transferred: number;
}

/** What a measured load of the fleet page consisted of until its first table row was painted. */
export interface PaintTimeline {
  paint: number;
  /** Requests started before the paint, in the order they started. */
  requests: PaintRequest[];
  /**
   * Requests of the page before (the previous page's, on an in-app navigation) started before the load and ended
   * after its start: they held the browser's connections to the host while the load's own requests started.
   */
  heldAtStart: PaintRequest[];
  /** Main-thread long tasks (over 50 ms) before the paint: how many, and their time together (ms). */
  longTasks: number;
  longTaskMs: number;
}

/** The requests and long tasks of the page from `start` to its first row at `paintAt` (ms on the page's clock). */
async function timelineOf(
  page: Page,
  start: number,
  paintAt: number,
): Promise<PaintTimeline> {
  const raw = await page.evaluate(
    ([from, to]) => {
      const entries = [
        ...performance.getEntriesByType('navigation'),
        ...performance.getEntriesByType('resource'),
      ] as PerformanceResourceTiming[];
      const of = (e: PerformanceResourceTiming) => ({
        url: e.name,
        type: e.entryType === 'navigation' ? 'navigation' : e.initiatorType,
        start: e.startTime,
        requestStart: e.requestStart,
        firstByte: e.responseStart,
        end: e.responseEnd,
        transferred: e.transferSize,
      });
      return {
        requests: entries
          .filter(e => e.startTime >= from - 1 && e.startTime <= to)
          .map(of),
        heldAtStart: entries
          .filter(e => e.startTime < from - 1 && e.responseEnd > from)
          .map(of),
        longTasks: (window.__shipyardLongTasks ?? []).filter(
          ([at]) => at >= from && at <= to,
        ),
      };
    },
    [start, paintAt],
  );
  const round = (ms: number) => Math.round(ms - start);
  const requestOf = (r: (typeof raw.requests)[number]): PaintRequest => {
    const { pathname, search } = new URL(r.url);
    let kind: PaintRequest['kind'] = 'other';
    if (r.type === 'navigation') kind = 'document';
    else if (pathname.startsWith('/api/')) kind = 'api';
    else if (/\.(js|css|woff2?|ttf|svg|png|ico|json)$/.test(pathname)) {
      kind = 'static';
    }
    return {
      path: pathname,
      query: search,
      kind,
      start: round(r.start),
      firstByte: round(r.firstByte),
      end: round(r.end),
      server: r.requestStart > 0 ? Math.round(r.firstByte - r.requestStart) : 0,
      queued: r.requestStart > 0 ? Math.round(r.requestStart - r.start) : 0,
      transferred: r.transferred,
    };
  };
  const byStart = (a: PaintRequest, b: PaintRequest) => a.start - b.start;
  return {
    paint: Math.round(paintAt - start),
    requests: raw.requests.map(requestOf).sort(byStart),
    heldAtStart: raw.heldAtStart.map(requestOf).sort(byStart),
    longTasks: raw.longTasks.length,
    longTaskMs: Math.round(raw.longTasks.reduce((sum, [, d]) => sum + d, 0)),
  };
}

/**
 * One line per measured load: the paint, the long tasks, the static files (how many, over the wire, when the last
 * ended) and each API call (start → first byte → end, and the server's part), in ms from the load's start.
 */
export function describeTimeline(t: PaintTimeline): string {
  const statics = t.requests.filter(r => r.kind === 'static');
  const fetched = statics.filter(r => r.transferred > 0);
  const parts = [
    `paint ${t.paint}`,
    `long tasks ${t.longTasks} (${t.longTaskMs})`,
    `static ${statics.length} (${fetched.length} fetched, ${Math.round(
      fetched.reduce((sum, r) => sum + r.transferred, 0) / 1024,
    )} KB, last end ${Math.max(0, ...statics.map(r => r.end))})`,
  ];
  for (const r of t.requests) {
    if (r.kind === 'api' || r.kind === 'document') {
      parts.push(
        `${r.path} ${r.start}→${r.firstByte}→${r.end} (queued ${r.queued}, server ${r.server})`,
      );
    }
  }
  if (t.heldAtStart.length > 0) {
    parts.push(
      `held at the start: ${t.heldAtStart
        .map(r => `${r.path}${decodeURIComponent(r.query)} ${r.start}→${r.end}`)
        .join(', ')}`,
    );
  }
  return parts.join('; ');
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
): Promise<{
  fullPageLoad: number[];
  inAppNavigation: number[];
  /** What each load consisted of (same order as the figures). */
  timelines: {
    fullPageLoad: PaintTimeline[];
    inAppNavigation: PaintTimeline[];
  };
}> {
  await watchFirstRow(page);
  const fullPageLoad: number[] = [];
  const inAppNavigation: number[] = [];
  const timelines = {
    fullPageLoad: [] as PaintTimeline[],
    inAppNavigation: [] as PaintTimeline[],
  };
  for (let i = 0; i < rounds; i++) {
    await page.goto('/catalog');
    const fleetLink = page.getByRole('link', { name: 'Fleet' }).first();
    await fleetLink.waitFor();
    await fleetLink.click();
    const rowAt = await rowPaintedAt(page);
    const clickAt = await page.evaluate(() => window.__shipyardClickAt ?? 0);
    inAppNavigation.push(Math.round(rowAt - clickAt));
    timelines.inAppNavigation.push(await timelineOf(page, clickAt, rowAt));
  }
  for (let i = 0; i < rounds; i++) {
    await page.goto('/shipyard');
    const rowAt = await rowPaintedAt(page);
    fullPageLoad.push(Math.round(rowAt));
    timelines.fullPageLoad.push(await timelineOf(page, 0, rowAt));
  }
  return { fullPageLoad, inAppNavigation, timelines };
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
