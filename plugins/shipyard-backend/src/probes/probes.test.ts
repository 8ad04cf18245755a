import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { AddressInfo } from 'node:net';
import { threadId } from 'node:worker_threads';
import { KubeCredentials } from '@shipyard/plugin-shipyard-node/kube';
import { detectDistribution } from './distribution';
import { CredentialSource } from './CredentialResolver';
import { BusyBudget, WorkloadProber } from './WorkloadProber';
import { ProbeExecutor } from './ProbeConnections';
import { ProbeWorker } from './ProbeWorker';
import { aggregateHealth } from '../health/aggregate';
import { DEFAULT_HEALTH_CONFIG, HealthConfig } from '../health/config';
import { VersionLifecycle } from '../lifecycle/VersionLifecycle';
import { CaptureLogger, eventually } from '@shipyard/test-utils';
import { generateTls } from '@shipyard/fleet-sim';

describe('detectDistribution', () => {
  it('uses API groups, version suffixes, node labels and CAPI kinds', () => {
    expect(
      detectDistribution({
        gitVersion: 'v1.33.5+abc1234',
        apiGroups: ['config.openshift.io'],
      }),
    ).toBe('openshift');
    expect(detectDistribution({ gitVersion: 'v1.31.2+k3s1' })).toBe('k3s');
    expect(detectDistribution({ gitVersion: 'v1.31.2+rke2r1' })).toBe('rke2');
    expect(detectDistribution({ gitVersion: 'v1.31.2+k0s' })).toBe('k0s');
    expect(detectDistribution({ gitVersion: 'v1.31.2-eks-a1b2c3d' })).toBe(
      'eks',
    );
    expect(detectDistribution({ gitVersion: 'v1.31.2-gke.1200000' })).toBe(
      'gke',
    );
    expect(
      detectDistribution({
        gitVersion: 'v1.31.2',
        nodeLabels: [{ 'kubernetes.azure.com/cluster': 'mc' }],
      }),
    ).toBe('aks');
    expect(
      detectDistribution({
        gitVersion: 'v1.31.2',
        nodeLabels: [{ 'microk8s.io/cluster': 'true' }],
      }),
    ).toBe('microk8s');
    expect(
      detectDistribution({
        gitVersion: 'v1.31.2',
        controlPlaneKind: 'KubeadmControlPlane',
      }),
    ).toBe('kubeadm');
    expect(detectDistribution({ gitVersion: 'v1.31.2' })).toBeUndefined();
  });
});

/** A tiny workload API server: healthy, black-holing every request, or answering each after `delayMs`. */
async function fakeApiServer(mode: 'ok' | 'blackhole' | 'slow', delayMs = 0) {
  const held: http.ServerResponse[] = [];
  /** The Authorization header of every request. */
  const seen: string[] = [];
  const server = http.createServer(async (req, res) => {
    seen.push(String(req.headers.authorization));
    if (mode === 'blackhole') {
      held.push(res);
      return;
    }
    if (mode === 'slow') {
      held.push(res);
      await new Promise(r => setTimeout(r, delayMs));
      if (res.destroyed) return;
    }
    if (req.url?.startsWith('/readyz')) res.end('ok');
    else if (req.url === '/version')
      res.end(JSON.stringify({ gitVersion: 'v1.35.1' }));
    else if (req.url?.startsWith('/api/v1/nodes')) {
      res.end(
        JSON.stringify({
          items: [
            {
              metadata: { name: 'n1', labels: {} },
              status: {
                conditions: [{ type: 'Ready', status: 'True' }],
                nodeInfo: { kubeletVersion: 'v1.35.1' },
                capacity: { cpu: '2', memory: '1Gi', pods: '110' },
              },
            },
          ],
        }),
      );
    } else if (req.url?.startsWith('/api/v1/namespaces/kube-system/pods'))
      res.end('{"items":[]}');
    else if (req.url === '/apis') res.end('{"groups":[]}');
    else {
      res.statusCode = 404;
      res.end();
    }
  });
  // an API server keeps idle connections far longer than Node's default of 5 s (the Kubernetes API server: 90 s)
  server.keepAliveTimeout = 90_000;
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    /** Connections open on the server's side. */
    connections: () =>
      new Promise<number>((resolve, reject) =>
        server.getConnections((error, n) =>
          error ? reject(error) : resolve(n),
        ),
      ),
    close: () =>
      new Promise<void>(r => {
        held.forEach(h => h.socket?.destroy());
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Credentials of every cluster: a token for the server at `url` (one for all, or a function of the cluster's key). */
function credentialsOf(
  url: string | ((key: string) => string),
): CredentialSource {
  return {
    refresh: async () => undefined,
    resolve: async t => ({
      credentials: new KubeCredentials(
        typeof url === 'string' ? url : url(t.key),
        { token: 't' },
      ),
    }),
    invalidate: () => undefined,
    retain: () => undefined,
  };
}

/** A prober with the default health configuration and `config`, its clusters' credentials a token for `url`. */
function proberOf(url: string, config: Partial<HealthConfig>) {
  return new WorkloadProber({
    config: { ...DEFAULT_HEALTH_CONFIG, ...config },
    credentials: credentialsOf(url),
    logger: new CaptureLogger(),
  });
}

/** `n` clusters `mc/ns/c0`, `mc/ns/c1`, … to probe. */
function targetsOf(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    key: `mc/ns/c${i}`,
    managementCluster: 'mc',
    namespace: 'ns',
    name: `c${i}`,
  }));
}

// The WorkloadProber tests run three probe rounds each against servers that answer 600 ms late or never (3–4.5 s in
// all, more with a worker thread starting): Jest's default of 5 s per test is too close.
jest.setTimeout(30_000);

describe.each([
  ['in a worker thread', true],
  ["on the backend's thread", false],
])('WorkloadProber, probes %s', (_where, probeWorker) => {
  it('calls a cluster that answers every request slowly degraded (ApiServerSlow), not unanswered', async () => {
    // each request takes 60 % of the probe's deadline, as 3 s do of the default 5 s
    const slow = await fakeApiServer('slow', 600);
    const config = {
      ...DEFAULT_HEALTH_CONFIG,
      probeWorker,
      timeoutMs: 1000,
      slowThresholdMs: 500,
      stallAfterMs: 5000,
    };
    const prober = new WorkloadProber({
      config,
      credentials: credentialsOf(slow.url),
      logger: new CaptureLogger(),
    });
    const target = {
      key: 'mc/ns/slow',
      managementCluster: 'mc',
      namespace: 'ns',
      name: 'slow',
    };
    try {
      for (let round = 0; round < config.failureThreshold + 1; round++) {
        await prober.runRound([target], () => undefined);
      }
      const probe = prober.lastResult(target.key)!;
      expect(probe).toMatchObject({ ok: true, consecutiveFailures: 0 });
      expect(probe.failure).toBeUndefined();
      expect(probe.apiErrors).toBeUndefined();
      const health = aggregateHealth({
        lifecycle: new VersionLifecycle({
          config: {
            nearingEndOfLifeDays: 90,
            overrides: {},
            extendedSupport: {},
          },
        }),
        capi: { status: 'healthy', reasons: [] },
        managementCluster: 'mc',
        source: { state: 'connected' },
        config,
        probe,
        now: Date.now(),
      });
      expect(health.status).toBe('degraded');
      expect(health.reasons.map(r => r.type)).toEqual(['ApiServerSlow']);
      expect(health.reasons[0].message).toMatch(/readyz answered/);
    } finally {
      await prober.close();
      await slow.close();
    }
  });

  it('counts the connections a round opens: one per cluster, then none over the kept-alive ones', async () => {
    const good = await fakeApiServer('ok');
    const prober = new WorkloadProber({
      config: { ...DEFAULT_HEALTH_CONFIG, probeWorker },
      credentials: credentialsOf(good.url),
      logger: new CaptureLogger(),
    });
    const targets = ['a', 'b', 'c'].map(name => ({
      key: `mc/ns/${name}`,
      managementCluster: 'mc',
      namespace: 'ns',
      name,
    }));
    try {
      const first = await prober.runRound(targets, () => undefined);
      expect(first).toMatchObject({ ok: 3, connectionsOpened: 3 });
      expect(prober.lastResult('mc/ns/a')?.connectionsOpened).toBe(1);
      const second = await prober.runRound(targets, () => undefined);
      expect(second).toMatchObject({ ok: 3, connectionsOpened: 0 });
      expect(prober.lastResult('mc/ns/a')?.connectionsOpened).toBeUndefined();
    } finally {
      await prober.close();
      await good.close();
    }
  });

  it('keeps at most maxConnections connections open: the clusters probed first keep theirs, the others close theirs after their probe', async () => {
    // more clusters than the process may keep connections to (its open files): the others reconnect each round
    // instead of failing when the process runs out of file descriptors
    const good = await fakeApiServer('ok');
    const prober = proberOf(good.url, {
      probeWorker,
      concurrency: 1,
      maxInFlight: 1,
      maxConnections: 4,
    });
    const targets = targetsOf(10);
    try {
      const first = await prober.runRound(targets, () => undefined);
      expect(first).toMatchObject({ ok: 10, connectionsOpened: 10 });
      await eventually(
        async () => expect(await good.connections()).toBeLessThanOrEqual(4),
        5_000,
      );
      // the same four keep theirs from round to round; the other six reconnect
      const second = await prober.runRound(targets, () => undefined);
      expect(second).toMatchObject({ ok: 10, connectionsOpened: 6 });
      for (const t of targets.slice(0, 4)) {
        expect(prober.lastResult(t.key)?.connectionsOpened).toBeUndefined();
      }
      await eventually(
        async () => expect(await good.connections()).toBeLessThanOrEqual(4),
        5_000,
      );
    } finally {
      await prober.close();
      await good.close();
    }
  });

  it('holds to its concurrency when most probes are late: every cluster late is congestion, not a few bad clusters', async () => {
    // no cluster answers: each probe stalls after 50 ms, is late (half its deadline gone) after 200 ms and times out
    // after 400 ms
    const dead = await fakeApiServer('blackhole');
    const prober = proberOf(dead.url, {
      probeWorker,
      concurrency: 2,
      maxInFlight: 12,
      stallAfterMs: 50,
      timeoutMs: 400,
    });
    const targets = targetsOf(30);
    try {
      const stats = await prober.runRound(targets, () => undefined);
      expect(stats).toMatchObject({ probed: 30, failed: 30, congested: true });
      // until 8 probes were late, stalled ones let others start
      expect(stats.peakInFlight).toBeGreaterThan(2);
      // the next round starts congested: every cluster is a suspect now (its last probe failed), and they would
      // otherwise all start at once (up to 10 outside the slots)
      const next = await prober.runRound(targets, () => undefined);
      expect(next).toMatchObject({ probed: 30, congested: true });
      expect(next.peakInFlight).toBeLessThanOrEqual(2);
    } finally {
      await prober.close();
      await dead.close();
    }
  });

  it('opens no more connections to slow servers while the round is congested: a late answer is the machine, not the cluster', async () => {
    // every request takes 1.2 s: /readyz alone tells a probe that its other requests queued on one connection would
    // take more than half of its 6 s deadline (they go out side by side then), and every probe is late (past 3 s: the
    // first round's four others on three connections take two turns, 3.6 s in all); queued, a probe takes 4.8 s
    const slow = await fakeApiServer('slow', 1200);
    const prober = proberOf(slow.url, {
      probeWorker,
      concurrency: 8,
      maxInFlight: 16,
      stallAfterMs: 50,
      timeoutMs: 6000,
      kubeSystemChecks: true,
    });
    const targets = targetsOf(8);
    try {
      const first = await prober.runRound(targets, () => undefined);
      expect(first).toMatchObject({ probed: 8, ok: 8, congested: true });
      // before the round was judged congested, the probes opened parallel connections
      expect(first.connectionsOpened).toBeGreaterThan(8);
      // the next round starts congested: each probe keeps to its cluster's kept-alive connection
      const next = await prober.runRound(targets, () => undefined);
      expect(next).toMatchObject({ probed: 8, ok: 8, congested: true });
      expect(next.connectionsOpened).toBe(0);
    } finally {
      await prober.close();
      await slow.close();
    }
  });

  it("takes a first answer's TLS handshake for the connection's time, not the server's: no parallel connections to a server that answers at once", async () => {
    // the handshake of every new connection takes 1.6 s (a busy machine, a far server); the answers come at once.
    // Taken for the server's time, /readyz would say its four other requests queued on one connection need 6.4 s,
    // more than half of the 6 s deadline, and open two more connections (two more handshakes).
    const tlsMaterial = generateTls(['127.0.0.1']);
    const server = https.createServer(
      { cert: tlsMaterial.cert, key: tlsMaterial.key },
      (req, res) => {
        if (req.url?.startsWith('/readyz')) res.end('ok');
        else if (req.url === '/version') res.end('{"gitVersion":"v1.35.1"}');
        else res.end('{"items":[]}');
      },
    );
    server.keepAliveTimeout = 90_000;
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    // in front of it, a proxy that holds each new connection's first bytes (the TLS hello) for 1.6 s
    const sockets = new Set<net.Socket>();
    const proxy = net.createServer(client => {
      sockets.add(client);
      client.pause();
      setTimeout(() => {
        const upstream = net.connect(
          (server.address() as AddressInfo).port,
          '127.0.0.1',
          () => {
            client.pipe(upstream);
            upstream.pipe(client);
            client.resume();
          },
        );
        sockets.add(upstream);
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
      }, 1600);
    });
    await new Promise<void>(r => proxy.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const prober = new WorkloadProber({
      config: {
        ...DEFAULT_HEALTH_CONFIG,
        probeWorker,
        timeoutMs: 6000,
        kubeSystemChecks: true,
      },
      credentials: {
        ...credentialsOf(url),
        resolve: async () => ({
          credentials: new KubeCredentials(url, {
            token: 't',
            ca: tlsMaterial.caCert,
          }),
        }),
      },
      logger: new CaptureLogger(),
    });
    try {
      const stats = await prober.runRound(targetsOf(1), () => undefined);
      expect(stats).toMatchObject({ probed: 1, ok: 1, connectionsOpened: 1 });
      const probe = prober.lastResult('mc/ns/c0')!;
      // (timers may fire a millisecond early against the clock that measures: 1.5 s at least)
      expect(probe.readyzMs).toBeGreaterThanOrEqual(1500);
      // the handshake's part, which is not the server answering slowly
      expect(probe.connectMs).toBeGreaterThanOrEqual(1500);
    } finally {
      await prober.close();
      sockets.forEach(socket => socket.destroy());
      await new Promise(r => proxy.close(r));
      server.closeAllConnections();
      await new Promise(r => server.close(r));
    }
  });

  it('does not take probes that stall but finish well within their deadline for congestion', async () => {
    // ~250 ms a probe: past the stall time of 50 ms, far from half the deadline of 5 s
    const slow = await fakeApiServer('slow', 50);
    const prober = proberOf(slow.url, {
      probeWorker,
      concurrency: 2,
      maxInFlight: 12,
      stallAfterMs: 50,
      timeoutMs: 5000,
    });
    const targets = targetsOf(20);
    try {
      const stats = await prober.runRound(targets, () => undefined);
      expect(stats).toMatchObject({ probed: 20, ok: 20, congested: false });
      // stalled probes let others start, up to maxInFlight
      expect(stats.peakInFlight).toBeGreaterThan(2);
    } finally {
      await prober.close();
      await slow.close();
    }
  });

  it('keeps slow and dead clusters from holding up the others, and backs off from clusters that keep failing', async () => {
    const good = await fakeApiServer('ok');
    const dead = await fakeApiServer('blackhole');
    const keys = Array.from({ length: 12 }, (_, i) => `mc/ns/c${i}`);
    const deadKeys = new Set(keys.slice(0, 4));
    const credentials = credentialsOf(key =>
      deadKeys.has(key) ? dead.url : good.url,
    );
    const prober = new WorkloadProber({
      config: {
        ...DEFAULT_HEALTH_CONFIG,
        probeWorker,
        concurrency: 2,
        // long enough for the 8 healthy probes of a busy machine to finish within it, so that the order of results
        // shows whether dead clusters held anything up, and to finish before half of it (a late probe counts towards
        // congestion: with the 4 dead ones late, a few healthy ones late too would hold the round to 2 in flight);
        // the backoff after two failures (1.75 intervals) outlasts the second round
        timeoutMs: 3000,
        stallAfterMs: 50,
        intervalMs: 10_000,
        maxBackoffMs: 60_000,
      },
      credentials,
      logger: new CaptureLogger(),
    });
    const targets = keys.map(key => ({
      key,
      managementCluster: 'mc',
      namespace: 'ns',
      name: key.split('/')[2],
    }));
    try {
      const finished: Record<string, number> = {};
      const start = Date.now();
      const stats = await prober.runRound(targets, r => {
        finished[r.key] = Date.now() - start;
      });
      expect(stats).toMatchObject({ probed: 12, ok: 8, failed: 4 });
      // the 8 healthy clusters were all done before the first dead one timed out
      const firstDead = Math.min(...keys.slice(0, 4).map(k => finished[k]));
      for (const key of keys.slice(4))
        expect(finished[key]).toBeLessThan(firstDead);
      // one timeout in all: dead clusters holding the 2 slots would take two timeouts (4 dead, 2 at a time)
      expect(stats.durationMs).toBeLessThan(3000 + 1000);
      const r = prober.lastResult('mc/ns/c0');
      expect(r).toMatchObject({
        ok: false,
        failure: 'timeout',
        consecutiveFailures: 1,
      });
      expect(prober.lastResult('mc/ns/c5')).toMatchObject({
        ok: true,
        gitVersion: 'v1.35.1',
        nodes: {
          total: 1,
          ready: 1,
          capacity: { cpu: 2, memoryBytes: 1024 ** 3, pods: 110 },
        },
      });

      const second = await prober.runRound(targets, () => undefined);
      expect(second.failed).toBe(4);
      expect(prober.lastResult('mc/ns/c0')?.nextProbeAt).toBeDefined();
      const third = await prober.runRound(targets, () => undefined);
      expect(third).toMatchObject({ skipped: 4, probed: 8, ok: 8 });
    } finally {
      await prober.close();
      await good.close();
      await dead.close();
    }
  });
});

describe('ProbeWorker', () => {
  const target = {
    key: 'mc/ns/c1',
    managementCluster: 'mc',
    namespace: 'ns',
    name: 'c1',
  };

  it('probes in a worker thread, sends credentials again when they change or the cluster was forgotten, and ends the thread on close', async () => {
    const server = await fakeApiServer('ok');
    let token = 'token-a';
    const logger = new CaptureLogger();
    const prober = new WorkloadProber({
      config: { ...DEFAULT_HEALTH_CONFIG, probeWorker: true, timeoutMs: 3000 },
      credentials: {
        refresh: async () => undefined,
        resolve: async () => ({
          // the token of the moment: the test changes it
          credentials: new KubeCredentials(server.url, { token }),
        }),
        invalidate: () => undefined,
        retain: () => undefined,
      },
      logger,
    });
    const worker = prober.executor as ProbeWorker;
    expect(worker).toBeInstanceOf(ProbeWorker);
    const tokensOfRound = async (targets: Array<typeof target>) => {
      server.seen.length = 0;
      const stats = await prober.runRound(targets, () => undefined);
      return { stats, tokens: [...new Set(server.seen)] };
    };
    try {
      const first = await tokensOfRound([target]);
      expect(first.stats).toMatchObject({ probed: 1, ok: 1 });
      expect(first.tokens).toEqual(['Bearer token-a']);
      // a thread of its own, not the test's
      expect(worker.threadId).toEqual(expect.any(Number));
      expect(worker.threadId).not.toBe(threadId);
      expect(prober.lastResult(target.key)).toMatchObject({
        ok: true,
        gitVersion: 'v1.35.1',
        nodes: { total: 1, ready: 1 },
      });

      expect((await tokensOfRound([target])).tokens).toEqual([
        'Bearer token-a',
      ]);
      token = 'token-b';
      expect((await tokensOfRound([target])).tokens).toEqual([
        'Bearer token-b',
      ]);
      // forgotten (its connection closed in the worker), then probed again
      expect((await tokensOfRound([])).stats.probed).toBe(0);
      const again = await tokensOfRound([target]);
      expect(again.stats).toMatchObject({ probed: 1, ok: 1 });
      expect(again.tokens).toEqual(['Bearer token-b']);
    } finally {
      await prober.close();
      await server.close();
    }
    expect(worker.threadId).toBeUndefined();
    // a probe after close makes no connection and starts no thread
    server.seen.length = 0;
    const late = await worker.probe({
      target,
      credentials: new KubeCredentials(server.url, { token }),
      timeoutMs: 1000,
      maxNodes: 10,
      kubeSystemChecks: false,
      discovery: false,
    });
    expect(late).toMatchObject({ ok: false, error: 'probing stopped' });
    expect(worker.threadId).toBeUndefined();
    expect(server.seen).toEqual([]);
    expect(logger.lines.join('\n')).not.toMatch(/token-[ab]/);
  });

  it("probes on the backend's thread, with a warning, when the worker cannot start", async () => {
    const server = await fakeApiServer('ok');
    const logger = new CaptureLogger();
    const worker = new ProbeWorker({
      keepAliveMs: 1000,
      logger,
      file: `${__dirname}/no-such-probe-worker.js`,
    });
    try {
      const result = await worker.probe({
        target,
        credentials: new KubeCredentials(server.url, { token: 'secret-1' }),
        timeoutMs: 3000,
        maxNodes: 10,
        kubeSystemChecks: true,
        discovery: true,
      });
      expect(result).toMatchObject({ ok: true, gitVersion: 'v1.35.1' });
      expect(worker.threadId).toBeUndefined();
      expect(logger.lines).toEqual([
        expect.stringMatching(
          /^warn Shipyard: the probe worker thread did not start .*probing on the backend's thread/,
        ),
      ]);
      expect(server.seen).toContain('Bearer secret-1');
    } finally {
      await worker.close();
      await server.close();
    }
    expect(logger.lines.join('\n')).not.toContain('secret-1');
  });

  it.each([
    ['in a worker thread', true],
    ["on the backend's thread", false],
  ])(
    'turns credentials that cannot be used into a failed probe %s, without the credentials in the result or logs',
    async (_where, probeWorker) => {
      const logger = new CaptureLogger();
      const prober = new WorkloadProber({
        config: { ...DEFAULT_HEALTH_CONFIG, probeWorker, timeoutMs: 1000 },
        credentials: {
          refresh: async () => undefined,
          resolve: async () => ({
            credentials: new KubeCredentials('not a url', {
              token: 'secret-2',
            }),
          }),
          invalidate: () => undefined,
          retain: () => undefined,
        },
        logger,
      });
      try {
        const stats = await prober.runRound([target], () => undefined);
        expect(stats).toMatchObject({ probed: 1, failed: 1 });
        const result = prober.lastResult(target.key);
        expect(result).toMatchObject({
          ok: false,
          failure: 'unreachable',
          consecutiveFailures: 1,
        });
        expect(JSON.stringify(result)).not.toContain('secret-2');
      } finally {
        await prober.close();
      }
      expect(logger.lines.join('\n')).not.toContain('secret-2');
    },
  );
});

describe('CPU budget of the probes', () => {
  it('fills at its budget, holds at most its burst, and says how long until it holds busy time again', () => {
    let now = 0;
    let busy = 0;
    const budget = new BusyBudget(
      0.5,
      () => busy,
      () => now,
      100,
    );
    expect(budget.wait()).toBe(0);
    // 150 ms busy in 100 ms: 100 of burst + 50 earned - 150 = 0
    now = 100;
    busy = 150;
    expect(budget.wait()).toBe(0);
    // 40 ms more busy at once: 40 ms short, earned back at 0.5 per ms
    busy = 190;
    expect(budget.wait()).toBe(80);
    // a long idle time fills it to its burst, not beyond
    now = 10_000;
    expect(budget.wait()).toBe(0);
    busy = 290;
    expect(budget.wait()).toBe(0);
    busy = 291;
    expect(budget.wait()).toBe(2);
    // a thread whose busy time is unknown, or a budget of a whole core, is not paced
    const unknown = new BusyBudget(
      0.1,
      () => undefined,
      () => now,
      0,
    );
    expect(unknown.wait()).toBe(0);
    const whole = new BusyBudget(
      1,
      () => busy++ * 1000,
      () => now,
      0,
    );
    expect([whole.wait(), whole.wait(), whole.wait()]).toEqual([0, 0, 0]);
  });

  /** A prober whose every probe keeps its thread busy 10 ms (and answers 2 ms later); `probed` gets each key. */
  function busyProber(
    cpuBudget: number,
    cpuBurstMs?: number,
    probed: string[] = [],
  ) {
    let busy = 0;
    const executor: ProbeExecutor = {
      ready: async () => undefined,
      probe: async request => {
        probed.push(request.target.key);
        busy += 10;
        await new Promise(resolve => setTimeout(resolve, 2));
        return {
          key: request.target.key,
          at: new Date().toISOString(),
          ok: true,
          latencyMs: 2,
          consecutiveFailures: 0,
        };
      },
      forget: () => undefined,
      close: async () => undefined,
      busyMs: () => busy,
    };
    return new WorkloadProber({
      config: {
        ...DEFAULT_HEALTH_CONFIG,
        cpuBudget,
        concurrency: 4,
        maxInFlight: 4,
      },
      credentials: credentialsOf('https://127.0.0.1:1'),
      logger: new CaptureLogger(),
      executor,
      cpuBurstMs,
    });
  }

  it('starts probes only as fast as their thread may be busy: a round of 1 s of probe work at a quarter of a core takes 2 s', async () => {
    const targets = targetsOf(100);
    const free = await busyProber(1, 500).runRound(targets, () => undefined);
    expect(free).toMatchObject({ ok: 100, busyMs: 1000, pacedMs: 0 });
    expect(free.durationMs).toBeLessThan(1000);

    // a burst of 500 ms starts the first 50 at once; a probe's busy time shows once it runs, so the
    // 100th starts when at least 950 ms (all but the 4 in flight) are counted, and 450 ms beyond the burst take
    // 1,800 ms to earn at 0.25
    const paced = await busyProber(0.25, 500).runRound(
      targets,
      () => undefined,
    );
    expect(paced).toMatchObject({ ok: 100, busyMs: 1000 });
    expect(paced.durationMs).toBeGreaterThanOrEqual(1800);
    expect(paced.durationMs).toBeLessThan(5000);
    expect(paced.pacedMs).toBeGreaterThan(1500);
    expect(paced.pacedMs).toBeLessThanOrEqual(paced.durationMs);

    // by default the burst is the budget's share of the probe interval: 15 s at 0.25 and 60 s, more than the round's
    // work
    const within = await busyProber(0.25).runRound(targets, () => undefined);
    expect(within).toMatchObject({ ok: 100, busyMs: 1000, pacedMs: 0 });
  });

  it('gives a round up when its time is over (no probe starts after it), and begins the next with the clusters it did not reach', async () => {
    const probed: string[] = [];
    // paced: 100 probes of 10 ms at a quarter of a core from a burst of 100 ms take about 4 s
    const prober = busyProber(0.25, 100, probed);
    const targets = targetsOf(100);
    const timeUp = new AbortController();
    setTimeout(() => timeUp.abort(), 300);
    const started = Date.now();
    const first = await prober.runRound(
      targets,
      () => undefined,
      timeUp.signal,
    );
    // the round ends with the probes in flight at the abort (at most 4), not when the budget would have let it finish
    expect(Date.now() - started).toBeLessThan(1500);
    expect(first.probed).toBeGreaterThan(0);
    expect(first.probed).toBeLessThan(100);
    expect(first.givenUp).toBe(100 - first.probed);
    expect(probed).toHaveLength(first.probed);
    const reached = new Set(probed);

    // the next round starts with the clusters probed longest ago: first those the round given up did not reach
    probed.length = 0;
    const second = await prober.runRound(targets, () => undefined);
    expect(second).toMatchObject({ probed: 100, givenUp: 0 });
    expect(probed.slice(0, 100 - reached.size).some(k => reached.has(k))).toBe(
      false,
    );
    expect(new Set(probed.slice(100 - reached.size))).toEqual(reached);
  });

  it('reports the busy time of the probe worker thread and keeps it within the budget', async () => {
    const good = await fakeApiServer('ok');
    // a burst of 40 ms: less than 20 first probes (a TLS handshake each) keep a thread busy
    const cpuBudget = 0.02;
    const prober = new WorkloadProber({
      config: {
        ...DEFAULT_HEALTH_CONFIG,
        probeWorker: true,
        cpuBudget,
        concurrency: 2,
        maxInFlight: 2,
      },
      credentials: credentialsOf(good.url),
      logger: new CaptureLogger(),
      cpuBurstMs: 40,
    });
    try {
      const stats = await prober.runRound(targetsOf(20), () => undefined);
      expect(stats.ok).toBe(20);
      expect(stats.busyMs).toBeGreaterThan(40);
      expect(stats.pacedMs).toBeGreaterThan(0);
      // the burst and the two probes in flight when the budget ran out (generously 100 ms) beside the budget's share
      expect(stats.busyMs!).toBeLessThanOrEqual(
        cpuBudget * stats.durationMs + 40 + 100,
      );
    } finally {
      await prober.close();
      await good.close();
    }
  });
});
