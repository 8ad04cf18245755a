import { defineConfig } from '@playwright/test';

/**
 * End-to-end suite: real Chromium (the Debian package, never a downloaded browser) against the portal as
 * `make start` runs it (built frontend served by the backend), on its own port.
 */
const port = Number(process.env.SHIPYARD_E2E_PORT ?? 7017);
const outDir = process.env.SHIPYARD_E2E_OUT ?? '.test-results';

export default defineConfig({
  testDir: 'e2e',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  workers: 1,
  retries: 0,
  forbidOnly: true,
  reporter: [['list'], ['json', { outputFile: `${outDir}/e2e.json` }]],
  outputDir: `${outDir}/e2e-artifacts`,
  webServer: {
    command: 'node scripts/portal.js',
    env: { SHIPYARD_PORT: String(port), SHIPYARD_E2E: '1' },
    url: `http://localhost:${port}/.backstage/health/v1/readiness`,
    timeout: 300_000,
    reuseExistingServer: false,
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
