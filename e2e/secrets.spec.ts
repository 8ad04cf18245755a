import fs from 'node:fs';
import path from 'node:path';
import {
  APIRequestContext,
  expect,
  Page,
  Response,
  test,
} from '@playwright/test';
import { signInAsGuest } from './support';

/*
 * Secrets scan of what reaches a browser: every file of the built frontend (as served, with the runtime config
 * injected), the config in index.html, and every Shipyard API response the browser sees while using the fleet
 * views. None may carry a credential of the simulated fleet (read from the simulator's state file of this portal)
 * or any private key or kubeconfig credential.
 */

const ROOT = path.resolve(__dirname, '..');
const PORT = Number(process.env.SHIPYARD_E2E_PORT ?? 7017);
const STATE_FILE = path.join(
  ROOT,
  '.shipyard',
  `portal-${PORT}`,
  'fleet-sim.state.json',
);
const DIST = path.join(ROOT, 'packages/app/dist');

/** A PEM private key: the armour with a key body, not just a parser's mention of the armour. */
const PRIVATE_KEY =
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\\rn]*[A-Za-z0-9+/=]{40,}/;
const PATTERNS: Array<[string, RegExp]> = [
  ['PEM private key', PRIVATE_KEY],
  [
    'kubeconfig client key',
    /client-key-data["']?\s*:\s*["']?[A-Za-z0-9+/=]{20,}/,
  ],
  [
    'kubeconfig client certificate',
    /client-certificate-data["']?\s*:\s*["']?[A-Za-z0-9+/=]{20,}/,
  ],
  [
    'kubeconfig CA',
    /certificate-authority-data["']?\s*:\s*["']?[A-Za-z0-9+/=]{20,}/,
  ],
];

interface Secrets {
  /** Literal strings that must never reach a browser. */
  values: Array<{ what: string; value: string }>;
}

function readSecrets(): Secrets {
  expect(
    fs.existsSync(STATE_FILE),
    `the simulator state file ${STATE_FILE}`,
  ).toBe(true);
  const state = JSON.parse(fs.readFileSync(STATE_FILE, 'utf8'));
  const values: Secrets['values'] = [];
  const add = (what: string, value: unknown) => {
    if (typeof value === 'string' && value.length >= 12)
      values.push({ what, value });
  };
  const addCa = (what: string, caData: unknown) => {
    add(what, caData);
    if (typeof caData !== 'string') return;
    // the PEM body, in case it travels decoded
    const pem = Buffer.from(caData, 'base64').toString('utf8');
    pem
      .split(/\r?\n/)
      .filter(l => l.length >= 40 && !l.startsWith('-----'))
      .forEach((l, i) => add(`${what} (PEM line ${i})`, l));
  };
  add('admin token', state.adminToken);
  addCa('simulator CA', state.caData);
  for (const m of state.managementClusters ?? []) {
    add(`${m.name} token`, m.token);
    add(`${m.name} viewer token`, m.viewerToken);
    addCa(`${m.name} CA`, m.caData);
  }
  // and every credential line of the kubeconfig the backend reads
  if (state.kubeconfigPath && fs.existsSync(state.kubeconfigPath)) {
    for (const line of fs
      .readFileSync(state.kubeconfigPath, 'utf8')
      .split(/\r?\n/)) {
      const m =
        /^\s*(token|client-key-data|client-certificate-data|certificate-authority-data):\s*(\S+)/.exec(
          line,
        );
      if (m) add(`kubeconfig ${m[1]}`, m[2].replace(/^["']|["']$/g, ''));
    }
  }
  expect(values.filter(v => v.what.endsWith(' token')).length).toBeGreaterThan(
    0,
  );
  return { values };
}

/** Every leak in `text`, described; `where` names the source. */
function leaksIn(text: string, where: string, secrets: Secrets): string[] {
  const found: string[] = [];
  for (const { what, value } of secrets.values) {
    if (text.includes(value)) found.push(`${where}: ${what}`);
  }
  for (const [what, pattern] of PATTERNS) {
    if (pattern.test(text)) found.push(`${where}: ${what}`);
  }
  // `token: <a simulator token>` in YAML or JSON form
  for (const { what, value } of secrets.values) {
    if (!what.includes('token')) continue;
    if (
      new RegExp(
        `token["']?\\s*:\\s*["']?${value.replace(
          /[.*+?^${}()|[\]\\]/g,
          '\\$&',
        )}`,
      ).test(text)
    ) {
      found.push(`${where}: token: ${what}`);
    }
  }
  return found;
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else out.push(full);
  }
  return out;
}

async function guestToken(request: APIRequestContext): Promise<string> {
  const res = await request.get('/api/auth/guest/refresh', {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  expect(res.ok()).toBeTruthy();
  return (await res.json()).backstageIdentity.token;
}

/** Collects the text of every JSON response of `/api/shipyard` the page receives. */
function recordShipyardResponses(page: Page): {
  texts: Map<string, string>;
  pending: Promise<unknown>[];
} {
  const texts = new Map<string, string>();
  const pending: Promise<unknown>[] = [];
  page.on('response', (response: Response) => {
    const url = response.url();
    if (!url.includes('/api/shipyard/')) return;
    const type = response.headers()['content-type'] ?? '';
    // the event stream never ends; its payloads are covered by the API suites
    if (type.includes('text/event-stream')) return;
    pending.push(
      response
        .text()
        .then(text => texts.set(`${response.status()} ${url}`, text))
        .catch(() => undefined),
    );
  });
  return { texts, pending };
}

test.describe('no credential reaches the browser', () => {
  test('the built frontend bundle has no key, token or kubeconfig content', async ({
    request,
  }) => {
    const secrets = readSecrets();
    // the portal is running: the bundle on disk has its runtime config injected
    const res = await request.get('/');
    expect(res.ok()).toBeTruthy();
    const files = filesUnder(DIST).filter(f =>
      /\.(js|html|json|map|css|txt|tmpl)$/.test(f),
    );
    expect(files.some(f => f.endsWith('.js'))).toBe(true);
    expect(files.some(f => f.endsWith('.map'))).toBe(true);
    const leaks: string[] = [];
    for (const file of files) {
      leaks.push(
        ...leaksIn(
          fs.readFileSync(file, 'utf8'),
          path.relative(ROOT, file),
          secrets,
        ),
      );
    }
    expect(leaks).toEqual([]);
  });

  test('the served index.html, its injected config and its scripts have none', async ({
    request,
  }) => {
    const secrets = readSecrets();
    const index = await request.get('/');
    expect(index.ok()).toBeTruthy();
    const html = await index.text();
    const leaks = leaksIn(html, 'GET /', secrets);
    const config =
      /<script type="backstage\.io\/config">([\s\S]*?)<\/script>/.exec(html);
    // the runtime config is injected either into index.html or into a script of the bundle (scanned above)
    const injectedIntoScript = filesUnder(DIST).some(
      f =>
        f.endsWith('.js') &&
        fs.readFileSync(f, 'utf8').includes('__APP_INJECTED_CONFIG_MARKER__'),
    );
    expect(
      Boolean(config) || injectedIntoScript,
      'the injected frontend config',
    ).toBe(true);
    if (config) {
      const configs = JSON.parse(config[1]) as Array<{
        data: unknown;
        context: string;
      }>;
      expect(configs.length).toBeGreaterThan(0);
      leaks.push(
        ...leaksIn(JSON.stringify(configs), 'injected config', secrets),
      );
      // the frontend config holds no Shipyard backend settings at all
      expect(JSON.stringify(configs)).not.toMatch(
        /managementClusters|serviceAccountToken|kubeconfig/,
      );
    }
    const scripts = [...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map(
      m => m[1],
    );
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) {
      const script = await request.get(src);
      expect(script.ok(), src).toBeTruthy();
      leaks.push(...leaksIn(await script.text(), `GET ${src}`, secrets));
    }
    expect(leaks).toEqual([]);
  });

  test('the Shipyard API responses the browser receives have none', async ({
    page,
  }) => {
    const secrets = readSecrets();
    await signInAsGuest(page);
    const recorded = recordShipyardResponses(page);

    // wait for the fleet, then use the views as a person would
    const token = await guestToken(page.request);
    const headers = { Authorization: `Bearer ${token}` };
    await expect
      .poll(
        async () => {
          const r = await page.request.get('/api/shipyard/summary', {
            headers,
          });
          return r.ok() ? (await r.json()).totalCount : 0;
        },
        { timeout: 90_000 },
      )
      .toBeGreaterThan(0);
    await page.goto('/shipyard');
    await page.getByTestId('cluster-row').first().waitFor({ state: 'visible' });
    const list = await page.request.get(
      '/api/shipyard/clusters?limit=3&sort=name&facets=false',
      { headers },
    );
    const clusters = (await list.json()).items as Array<{
      managementCluster: string;
      namespace: string;
      name: string;
    }>;
    for (const c of clusters) {
      await page.goto(
        `/shipyard/clusters/${c.managementCluster}/${c.namespace}/${c.name}`,
      );
      await page.getByTestId('cluster-tree').waitFor({ state: 'visible' });
    }
    await Promise.all(recorded.pending);
    expect(recorded.texts.size).toBeGreaterThan(3);

    // and the endpoints the views do not call on their own
    const extra = [
      '/api/shipyard/management-clusters',
      '/api/shipyard/cluster-classes',
      '/api/shipyard/summary',
      '/api/shipyard/clusters?limit=500',
      ...clusters.map(
        c =>
          `/api/shipyard/clusters/${c.managementCluster}/${c.namespace}/${c.name}/history`,
      ),
    ];
    for (const url of extra) {
      const r = await page.request.get(url, { headers });
      recorded.texts.set(`${r.status()} ${url}`, await r.text());
    }
    const leaks: string[] = [];
    for (const [where, text] of recorded.texts)
      leaks.push(...leaksIn(text, where, secrets));
    expect(leaks).toEqual([]);
  });
});
