import {
  FleetSim,
  generateTls,
  shipyardManagementClusters,
  startFleetSim,
} from '@shipyard/fleet-sim';
import https from 'node:https';
import { AddressInfo } from 'node:net';
import { KubeApiError, KubeClient } from '@shipyard/plugin-shipyard-node/kube';
import {
  Backend,
  eventually,
  listAllClusters,
  managementClusterStates,
  proofConfig,
  startShipyardBackend,
  waitConnected,
} from '../__testUtils__/proofUtils';

/*
 * Fault matrix: a source that answers slowly on purpose (slow-loris) or with gigantic bodies. The backend's
 * Kubernetes client must bound the time and memory each response may take, and mark the source failing, while
 * every other management cluster keeps syncing.
 */

jest.setTimeout(180_000);

const MAX_BYTES = 1024 * 1024;
const TOKEN = 'malicious-source-token';
type Behaviour =
  | 'loris-discovery'
  | 'loris-list'
  | 'huge-list'
  | 'huge-declared'
  | 'huge-watch';

/** A tiny HTTPS server that speaks just enough Kubernetes discovery to be watched, then misbehaves. */
async function startMaliciousServer(tls: { cert: string; key: string }) {
  const sent = new Map<Behaviour, number>();
  const count = (b: Behaviour, n: number) =>
    sent.set(b, (sent.get(b) ?? 0) + n);
  const timers = new Set<NodeJS.Timeout>();
  const server = https.createServer(
    { cert: tls.cert, key: tls.key },
    (req, res) => {
      const url = new URL(req.url ?? '/', 'https://x');
      const [, behaviour, ...rest] = url.pathname.split('/');
      const b = behaviour as Behaviour;
      const path = `/${rest.join('/')}`;
      const json = (body: unknown) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      /** One byte every 50 ms, forever (until the client gives up). */
      const dribble = (prefix: string) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(prefix);
        const timer = setInterval(() => {
          if (res.destroyed) {
            clearInterval(timer);
            timers.delete(timer);
            return;
          }
          res.write(' ');
          count(b, 1);
        }, 50);
        timers.add(timer);
      };
      /** Chunks of 64 KiB of a never-ending JSON array, written as fast as the client reads. */
      const flood = (
        prefix: string,
        headers: Record<string, string | number> = {},
      ) => {
        res.writeHead(200, { 'content-type': 'application/json', ...headers });
        res.write(prefix);
        const chunk = Buffer.from(
          `${'{"metadata":{"name":"x"}},'.repeat(2520)}`,
        );
        const pump = () => {
          while (!res.destroyed && count(b, chunk.length) && res.write(chunk)) {
            if ((sent.get(b) ?? 0) > 2 * 1024 * 1024 * 1024) return;
          }
          if (!res.destroyed) res.once('drain', pump);
        };
        pump();
      };
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        res.writeHead(401).end();
        return;
      }
      if (path === '/apis') {
        if (b === 'loris-discovery') {
          dribble('{"kind":"APIGroupList","groups":[');
          return;
        }
        json({
          kind: 'APIGroupList',
          groups: [
            {
              name: 'cluster.x-k8s.io',
              versions: [
                {
                  groupVersion: 'cluster.x-k8s.io/v1beta2',
                  version: 'v1beta2',
                },
              ],
              preferredVersion: {
                groupVersion: 'cluster.x-k8s.io/v1beta2',
                version: 'v1beta2',
              },
            },
          ],
        });
        return;
      }
      if (path === '/apis/cluster.x-k8s.io/v1beta2') {
        json({
          kind: 'APIResourceList',
          groupVersion: 'cluster.x-k8s.io/v1beta2',
          resources: [
            {
              name: 'clusters',
              kind: 'Cluster',
              namespaced: true,
              verbs: ['get', 'list', 'watch'],
            },
          ],
        });
        return;
      }
      if (path === '/apis/cluster.x-k8s.io/v1beta2/clusters') {
        const watching = url.searchParams.get('watch');
        if (watching) {
          if (b === 'huge-watch') {
            flood(
              '{"type":"ADDED","object":{"metadata":{"name":"big","namespace":"default"},"spec":[',
            );
            return;
          }
          res.writeHead(200, { 'content-type': 'application/json' });
          return; // an idle watch
        }
        if (b === 'loris-list') {
          dribble(
            '{"kind":"ClusterList","metadata":{"resourceVersion":"1"},"items":[',
          );
          return;
        }
        if (b === 'huge-list') {
          flood(
            '{"kind":"ClusterList","metadata":{"resourceVersion":"1"},"items":[',
          );
          return;
        }
        if (b === 'huge-declared') {
          res.writeHead(200, {
            'content-type': 'application/json',
            'content-length': 50 * 1024 * 1024 * 1024,
          });
          res.write('{"kind":"ClusterList","items":[');
          count(b, 31);
          return;
        }
        json({
          kind: 'ClusterList',
          metadata: { resourceVersion: '1' },
          items: [],
        });
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'Status',
          status: 'Failure',
          reason: 'NotFound',
          code: 404,
        }),
      );
    },
  );
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (b: Behaviour) => `https://127.0.0.1:${port}/${b}`,
    sent,
    async close() {
      for (const t of timers) clearInterval(t);
      server.closeAllConnections();
      await new Promise(r => server.close(r));
    },
  };
}

describe('a slow-loris or flooding source', () => {
  const tls = generateTls(['127.0.0.1']);
  const caData = Buffer.from(tls.caCert).toString('base64');
  let malicious: Awaited<ReturnType<typeof startMaliciousServer>>;

  beforeAll(async () => {
    malicious = await startMaliciousServer(tls);
  });
  afterAll(async () => {
    await malicious?.close();
  });

  const client = (
    b: Behaviour,
    options: ConstructorParameters<typeof KubeClient>[1] = {},
  ) =>
    new KubeClient(
      {
        name: b,
        url: malicious.url(b),
        caData,
        getToken: async () => TOKEN,
      } as any,
      {
        requestTimeoutMs: 1000,
        idleTimeoutMs: 500,
        maxResponseBytes: MAX_BYTES,
        ...options,
      },
    );

  async function timedFailure(run: () => Promise<unknown>) {
    const started = Date.now();
    let error: unknown;
    try {
      await run();
    } catch (e) {
      error = e;
    }
    return {
      error: error as KubeApiError | undefined,
      ms: Date.now() - started,
    };
  }

  it('cuts a response that dribbles bytes at its deadline, although it is never idle', async () => {
    const c = client('loris-discovery');
    try {
      const { error, ms } = await timedFailure(() => c.getJson('/apis'));
      expect(error).toBeInstanceOf(KubeApiError);
      expect(error?.reason).toBe('Timeout');
      expect(error?.message).toMatch(/deadline/);
      expect(ms).toBeGreaterThanOrEqual(900);
      // cut, not left to dribble on (a busy machine's timers fire late)
      expect(ms).toBeLessThan(5000);
    } finally {
      c.close();
    }
  });

  it('refuses a list body larger than the limit, reading not much more than the limit', async () => {
    const c = client('huge-list', {
      requestTimeoutMs: 10_000,
      idleTimeoutMs: 5000,
    });
    const heapBefore = process.memoryUsage().heapUsed;
    try {
      const { error, ms } = await timedFailure(async () => {
        for await (const page of c.list(
          '/apis/cluster.x-k8s.io/v1beta2/clusters',
          { pageSize: 500 },
        )) {
          void page;
        }
      });
      expect(error).toBeInstanceOf(KubeApiError);
      expect(error?.reason).toBe('TooLarge');
      expect(ms).toBeLessThan(5000);
    } finally {
      c.close();
    }
    // the server could send gigabytes; the client stopped reading right after the limit
    await eventually(() =>
      expect(malicious.sent.get('huge-list')).toBeGreaterThan(MAX_BYTES),
    );
    await new Promise(r => setTimeout(r, 200));
    expect(malicious.sent.get('huge-list')).toBeLessThan(64 * MAX_BYTES);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(
      64 * MAX_BYTES,
    );
  });

  it('refuses a declared content-length over the limit before reading it', async () => {
    // deadlines a busy machine's TLS handshake cannot reach: refused on the headers, before either could end it
    const c = client('huge-declared', {
      requestTimeoutMs: 10_000,
      idleTimeoutMs: 5000,
    });
    try {
      const { error, ms } = await timedFailure(() =>
        c.getJson('/apis/cluster.x-k8s.io/v1beta2/clusters'),
      );
      expect(error?.reason).toBe('TooLarge');
      expect(ms).toBeLessThan(5000);
    } finally {
      c.close();
    }
  });

  it('refuses a watch event larger than the limit', async () => {
    const c = client('huge-watch');
    try {
      const { error } = await timedFailure(async () => {
        for await (const event of c.watch(
          '/apis/cluster.x-k8s.io/v1beta2/clusters',
          {
            resourceVersion: '1',
            timeoutSeconds: 5,
          },
        )) {
          void event;
        }
      });
      expect(error?.reason).toBe('TooLarge');
    } finally {
      c.close();
    }
  });

  describe('as a management cluster of the running backend, next to a healthy one', () => {
    let sim: FleetSim;
    let backend: Backend;
    const logs: string[] = [];
    const bad: Behaviour[] = [
      'loris-discovery',
      'loris-list',
      'huge-list',
      'huge-declared',
    ];

    beforeAll(async () => {
      sim = await startFleetSim({
        managementClusters: 1,
        clusters: 4,
        seed: 'malicious-neighbour',
        anomalies: false,
        timing: { stepMs: 20 },
      });
      backend = await startShipyardBackend({
        logs,
        config: proofConfig(sim, {
          shipyard: {
            managementClusters: [
              ...shipyardManagementClusters(sim.managementClusters),
              ...bad.map(b => ({
                name: b,
                url: malicious.url(b),
                caData,
                auth: { type: 'serviceAccountToken', token: TOKEN },
              })),
            ],
            // deadlines the simulator's healthy management cluster meets on a busy machine, where every kind's
            // first list from the test's own process can take seconds (with 1.5 s it stayed stale for 30 s)
            sync: {
              requestTimeoutMs: 10_000,
              idleTimeoutMs: 5000,
              maxResponseBytes: MAX_BYTES,
              staleAfterMs: 300,
              backoff: { initialDelayMs: 100, maxDelayMs: 500 },
            },
          },
        }),
      });
    });

    afterAll(async () => {
      await backend?.stop();
      await sim?.stop();
    });

    it('marks each misbehaving source failing with the reason, and serves the healthy one', async () => {
      const heapBefore = process.memoryUsage().heapUsed;
      await waitConnected(
        backend.client,
        [sim.managementClusters[0].name],
        60_000,
      );
      const mcs = await eventually(async () => {
        const all = await managementClusterStates(backend.client);
        for (const b of bad) {
          const m = all.get(b);
          expect({ b, state: m?.state }).toEqual({ b, state: 'stale' });
          expect(m?.lastError).toMatch(
            b.startsWith('loris') ? /deadline/ : /larger than/,
          );
        }
        return all;
      }, 60_000);
      expect(mcs.get(sim.managementClusters[0].name)?.state).toBe('connected');
      const items = await listAllClusters(backend.client);
      expect(items).toHaveLength(4);
      expect(
        items.every(
          i => i.managementCluster === sim.managementClusters[0].name,
        ),
      ).toBe(true);
      // the floods are cut: the servers sent a bounded amount, the heap did not take it in
      for (const b of ['huge-list', 'huge-declared'] as const) {
        expect(malicious.sent.get(b) ?? 0).toBeLessThan(256 * MAX_BYTES);
      }
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(
        128 * MAX_BYTES,
      );
      expect(
        logs.some(
          l =>
            l.includes('management cluster huge-list') &&
            l.includes('larger than'),
        ),
      ).toBe(true);
      // no token of either side is ever logged
      expect(logs.join('\n')).not.toContain(TOKEN);
      expect(logs.join('\n')).not.toContain(sim.managementClusters[0].token);
    });
  });
});
