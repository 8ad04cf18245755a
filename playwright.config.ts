import { defineConfig } from '@playwright/test';

/**
 * End-to-end suite: real Chromium (the Debian package, never a downloaded browser) against the portal as
 * `make start` runs it (built frontend served by the backend), on its own port.
 */
const port = Number(process.env.SHIPYARD_E2E_PORT ?? 7017);
const outDir = process.env.SHIPYARD_E2E_OUT ?? '.test-results';
/**
 * `yarn e2e:scale` (SHIPYARD_E2E_SCALE=1): only the large-fleet spec, against a portal on 10,000 simulated clusters
 * (SHIPYARD_FLEET_CLUSTERS overrides; `yarn e2e:scale:25k`: 25,000 over 10 management clusters with a 1 s budget).
 * Otherwise every spec but that one, on the portal's default fleet.
 */
const scale = process.env.SHIPYARD_E2E_SCALE === '1';
const scaleClusters = process.env.SHIPYARD_FLEET_CLUSTERS ?? '10000';
/**
 * SHIPYARD_E2E_REUSE=1: run against a portal already answering on the port (started with `node scripts/portal.js`
 * and the environment below), so that a large fleet is synced once for several measurements.
 */
const reuse = process.env.SHIPYARD_E2E_REUSE === '1';

export default defineConfig({
  testDir: 'e2e',
  ...(scale ? { testMatch: 'scale.spec.ts' } : { testIgnore: 'scale.spec.ts' }),
  timeout: 120_000,
  expect: { timeout: 30_000 },
  workers: 1,
  retries: 0,
  forbidOnly: true,
  reporter: [['list'], ['json', { outputFile: `${outDir}/e2e.json` }]],
  outputDir: `${outDir}/e2e-artifacts`,
  webServer: {
    command: 'node scripts/portal.js',
    env: {
      SHIPYARD_PORT: String(port),
      SHIPYARD_E2E: '1',
      // tests start from nothing: the databases stay in memory
      SHIPYARD_DATABASE: 'memory',
      // a large fleet keeps the default probe interval, so probes do not compete with the measured page
      ...(scale
        ? {
            SHIPYARD_FLEET_CLUSTERS: scaleClusters,
            APP_CONFIG_shipyard_health_intervalMs: '60000',
          }
        : {}),
    },
    url: `http://localhost:${port}/.backstage/health/v1/readiness`,
    timeout: scale ? 900_000 : 300_000,
    reuseExistingServer: reuse,
    stdout: 'pipe',
    stderr: 'pipe',
  },
  use: {
    baseURL: `http://localhost:${port}`,
    browserName: 'chromium',
    screenshot: 'on',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
