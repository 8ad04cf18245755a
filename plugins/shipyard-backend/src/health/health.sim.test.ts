import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import type { FleetSim } from '@shipyard/fleet-sim';
import {
  ClusterSummary,
  HealthTransition,
} from '@shipyard/plugin-shipyard-common';
import request from 'supertest';
import { shipyardPlugin } from '../plugin';
import { startFleetWithHealth } from '../__testUtils__/fleetWithHealth';
import {
  CaptureLogger,
  TEST_PROBE_CONFIG,
  fleetCredentials,
  eventuallyWithin,
  shipyardTestConfig,
  startSimulatedFleet,
} from '@shipyard/test-utils';
import { SimKube } from '../__testUtils__/simKube';
import {
  holdClusterAt,
  scalingUpWithWorkerMissing,
  simulatorForSuite,
} from '../__testUtils__/suiteSim';

jest.setTimeout(180_000);

// bounds of a busy machine's waits (a new simulated cluster took over 15 s to become healthy at load 24)
const eventually = eventuallyWithin({ timeoutMs: 45_000, intervalMs: 50 });

/**
 * Timings for a test that is not about latency, on a busy machine (the simulator shares the backend's process):
 * a probe answers within 20 s and only an answer slower than that counts as slow (the default threshold, 2 s, is
 * reached), and a request to a management cluster (a first list of a kind) may take up to 60 s (8 s is reached).
 */
const BUSY_MACHINE = {
  health: { timeoutMs: 20_000, slowThresholdMs: 20_000 },
  sync: { requestTimeoutMs: 60_000 },
};

/** The harness's configuration with workload probes on, timed by `health`, and `sync` over the suites' timings. */
function shipyardConfig(
  health: Record<string, number | boolean>,
  sync: Record<string, number> = {},
) {
  return { shipyard: { health: { enabled: true, ...health }, sync } };
}

/** Every string that must never leave the backend: tokens, CA data, kubeconfig text. */
function secretsOf(sim: FleetSim): string[] {
  const out = fleetCredentials(sim);
  for (const w of sim.workloadClusters()) {
    const pem = Buffer.from(w.caData, 'base64').toString('utf8');
    // a distinctive line from the middle of the CA certificate
    const lines = pem.split('\n').filter(l => l.length > 40);
    if (lines[2]) out.add(lines[2]);
  }
  out.add('certificate-authority-data');
  out.add('client-key-data');
  return [...out].filter(s => s.length > 0);
}

function expectNoSecrets(texts: string[], secrets: string[]) {
  for (const text of texts) {
    for (const secret of secrets) {
      if (text.includes(secret)) {
        throw new Error(
          `a credential leaked: …${text.slice(
            Math.max(0, text.indexOf(secret) - 80),
            text.indexOf(secret),
          )}…`,
        );
      }
    }
  }
}

describe('health aggregation against the fleet simulator', () => {
  let sim: FleetSim;
  simulatorForSuite(
    { managementClusters: 2, clusters: 18, seed: 'health-tests' },
    s => (sim = s),
  );

  /** The backend against the suite's simulator with health on (`health` its settings), logging to `logger`. */
  const startBackend = (
    logger: CaptureLogger,
    health: Record<string, number | boolean>,
    features: any[],
    sync: Record<string, number> = {},
  ) =>
    startSimulatedFleet({
      plugin: shipyardPlugin,
      sim,
      logs: logger.lines,
      rootLogger: true,
      waitConnected: false,
      config: shipyardConfig(health, sync),
      features,
    });

  it('probes, detects distributions, reacts to faults and recovers, keeps history, and never leaks credentials', async () => {
    const logger = new CaptureLogger();
    // the real scheduler: rounds run as a global task on their own
    const backend = await startBackend(
      logger,
      { ...TEST_PROBE_CONFIG, slowThresholdMs: 700 },
      [schedulerServiceFactory],
    );
    const { server } = backend;
    const responses: string[] = [];
    const get = async (path: string) => {
      const res = await request(server).get(`/api/shipyard${path}`);
      responses.push(res.text);
      return res;
    };
    const clusterOf = async (key: {
      management: string;
      namespace: string;
      name: string;
    }) => {
      const res = await get(
        `/clusters/${key.management}/${key.namespace}/${key.name}`,
      );
      expect(res.status).toBe(200);
      return res.body.summary as ClusterSummary;
    };
    try {
      const workloads = sim.workloadClusters();
      expect(workloads.length).toBeGreaterThan(8);

      // every cluster probed: healthy, with nodes, the distribution of the simulator, and version support
      await eventually(async () => {
        const res = await get('/clusters?limit=500');
        expect(res.body.totalCount).toBe(workloads.length);
        for (const item of res.body.items as ClusterSummary[]) {
          expect(item.probe?.ok).toBe(true);
          expect(item.health).toBe('healthy');
        }
      }, 60_000);
      const all = (await get('/clusters?limit=500')).body
        .items as ClusterSummary[];
      for (const w of workloads) {
        const item = all.find(
          i =>
            i.managementCluster === w.management &&
            i.name === w.name &&
            i.namespace === w.namespace,
        );
        expect({ name: w.name, distribution: item?.distribution }).toEqual({
          name: w.name,
          distribution: w.distribution,
        });
        expect(item?.nodes?.total).toBeGreaterThan(0);
        expect(item?.nodes?.notReady).toBe(0);
        expect(item?.versionSupport?.minor).toBe(
          w.kubernetesVersion.replace(/^v(\d+\.\d+).*$/, '$1'),
        );
      }
      const distributions = new Set(workloads.map(w => w.distribution));
      expect(distributions.size).toBeGreaterThan(3);

      const summary = await get('/summary');
      expect(
        Object.values(
          summary.body.byVersionSupport as Record<string, number>,
        ).reduce((a, b) => a + b, 0),
      ).toBe(workloads.length);
      const facet = await get('/clusters?versionSupport=end-of-life&limit=500');
      expect(facet.status).toBe(200);
      expect(facet.body.totalCount).toBe(
        summary.body.byVersionSupport['end-of-life'] ?? 0,
      );
      expect((await get('/clusters?versionSupport=bogus')).status).toBe(400);

      // faults: machine-based control planes for node and control plane faults
      const kubeadm = workloads.filter(
        w =>
          w.distribution === 'kubeadm' ||
          w.distribution === 'k3s' ||
          w.distribution === 'rke2' ||
          w.distribution === 'k0s',
      );
      const others = workloads.filter(w => !kubeadm.includes(w));
      expect(kubeadm.length).toBeGreaterThanOrEqual(2);
      const pool = [...others, ...kubeadm.slice(2)];
      const [refused, blackholed, slow, erroring] = pool;
      const [nodesDown, cpDown] = kubeadm;
      const ref = (w: typeof refused) => ({
        management: w.management,
        namespace: w.namespace,
        name: w.name,
      });
      sim.faults.unreachable(ref(refused), 'refuse');
      sim.faults.unreachable(ref(blackholed), 'blackhole');
      sim.faults.slow(ref(slow), 900);
      sim.faults.errorRate(ref(erroring), 1);
      sim.faults.nodesNotReady(ref(nodesDown), 1);
      sim.faults.controlPlaneDown(ref(cpDown), true);

      const expectations: Array<[typeof refused, string, string]> = [
        [refused, 'unhealthy', 'ApiServerUnreachable'],
        [blackholed, 'unhealthy', 'ProbeTimeout'],
        [slow, 'degraded', 'ApiServerSlow'],
        [erroring, 'unhealthy', 'ApiServerErrors'],
        [nodesDown, 'degraded', 'NodesNotReady'],
        [cpDown, 'unhealthy', 'ApiServerNotReady'],
      ];
      for (const [w, status, reason] of expectations) {
        await eventually(async () => {
          const s = await clusterOf(ref(w));
          expect({ name: w.name, health: s.health }).toEqual({
            name: w.name,
            health: status,
          });
          expect(
            s.healthReasons.filter(r => r.source === 'probe').map(r => r.type),
          ).toContain(reason);
          const r = s.healthReasons.find(x => x.type === reason);
          expect(r?.since).toBeDefined();
          expect(r?.message.length).toBeGreaterThan(5);
        });
      }
      const failed = await clusterOf(ref(refused));
      expect(failed.probe).toMatchObject({ ok: false });
      expect(failed.probe?.error).toBeDefined();
      const unhealthy = await get('/clusters?health=unhealthy&limit=500');
      expect(unhealthy.body.totalCount).toBeGreaterThanOrEqual(4);

      // recovery
      sim.faults.clear();
      for (const [w] of expectations) {
        await eventually(async () => {
          const s = await clusterOf(ref(w));
          expect({ name: w.name, health: s.health }).toEqual({
            name: w.name,
            health: 'healthy',
          });
          expect(s.probe?.ok).toBe(true);
        });
      }

      // history (newest first): healthy → unhealthy (unreachable) → … → healthy. On a loaded machine a probe may
      // exceed the (deliberately low) slow threshold after the recovery; such later timing-only transitions are
      // tolerated, nothing else is.
      const TIMING_REASONS = ['ApiServerSlow', 'ProbeTimeout'];
      const historyPath = `/clusters/${refused.management}/${refused.namespace}/${refused.name}/history`;
      await eventually(async () => {
        // the whole history (a loaded machine may add timing-only transitions)
        const res = await get(`${historyPath}?limit=500`);
        expect(res.status).toBe(200);
        const items = res.body.items as HealthTransition[];
        // transitions are recorded as they happen: whichever saw the unreachable API server first, the probe or
        // Cluster API's own RemoteConnectionProbe, explains the transition
        const down = items.findIndex(
          i =>
            i.health === 'unhealthy' &&
            i.reasons.some(
              r =>
                r.type === 'ApiServerUnreachable' ||
                r.type === 'RemoteConnectionProbe/ProbeFailed',
            ),
        );
        // on failure, the message shows the history it saw
        expect({
          down: down > 0,
          history: items.map(
            i => `${i.at} ${i.health} ${i.reasons.map(r => r.type).join(',')}`,
          ),
          warnings: logger.lines
            .filter(l => /^(warn|error) /.test(l))
            .slice(-5),
        }).toEqual({
          down: true,
          history: expect.anything(),
          warnings: expect.anything(),
        });
        // before the fault: healthy, or degraded for timing reasons only on a loaded machine; the history within
        // the retention may begin with the cluster's provisioning, seeded from when Cluster API created it
        const firstHealthy = items.findLastIndex(i => i.health === 'healthy');
        for (const [n, earlier] of items.slice(down + 1).entries()) {
          if (earlier.health === 'healthy') continue;
          if (
            earlier.health === 'provisioning' &&
            n + down + 1 > firstHealthy
          ) {
            continue;
          }
          expect({
            health: earlier.health,
            timing: earlier.reasons.some(r => TIMING_REASONS.includes(r.type)),
          }).toEqual({ health: 'degraded', timing: true });
        }
        expect(items.slice(down + 1).some(i => i.health === 'healthy')).toBe(
          true,
        );
        const recovered = items.findIndex(
          (i, n) => n < down && i.health === 'healthy',
        );
        expect(recovered).toBeGreaterThanOrEqual(0);
        for (const later of items.slice(0, recovered)) {
          if (later.health === 'healthy') continue;
          expect({
            health: later.health,
            timing: later.reasons.some(r => TIMING_REASONS.includes(r.type)),
          }).toEqual({ health: 'degraded', timing: true });
        }
        expect(items[recovered].previous).toBeDefined();
        return items;
      });
      // paging: the newest entry, then the one before it (retried should a round record a transition in between)
      await eventually(async () => {
        const history = (await get(historyPath)).body
          .items as HealthTransition[];
        const page = await get(`${historyPath}?limit=1`);
        expect(page.body.items).toEqual([history[0]]);
        const older = await get(
          `${historyPath}?limit=1&cursor=${page.body.nextCursor}`,
        );
        expect(older.body.items).toEqual([history[1]]);
      });
      expect(
        (
          await get(
            `/clusters/${refused.management}/${refused.namespace}/nope/history`,
          )
        ).status,
      ).toBe(404);
      expect(
        (
          await get(
            `/clusters/${refused.management}/${refused.namespace}/${refused.name}/history?limit=0`,
          )
        ).status,
      ).toBe(400);

      // nothing that authenticates anywhere reached a response or a log line
      await get('/management-clusters');
      await get('/clusters?limit=500');
      for (const w of workloads.slice(0, 5))
        await get(`/clusters/${w.management}/${w.namespace}/${w.name}`);
      expect(logger.lines.some(l => l.includes('Shipyard health round'))).toBe(
        true,
      );
      expectNoSecrets([...responses, ...logger.lines], secretsOf(sim));
    } finally {
      await backend.stop();
    }
  });

  it('records every transition as it happens, seeds a new cluster’s history from Cluster API, and refreshes the observed version when a rollout completes', async () => {
    // rounds run only when the test says so: whatever follows the first one comes from changes, not from rounds
    const scheduler = mockServices.scheduler();
    const logger = new CaptureLogger();
    // this test is about history, not latency: on a busy machine a probe can take seconds, which would make the
    // cluster `degraded` (slow) and add transitions the test did not cause, and a first list can pass 8 s (a warning)
    const backend = await startBackend(
      logger,
      BUSY_MACHINE.health,
      [
        createServiceFactory({
          service: coreServices.scheduler,
          deps: {},
          factory: () => scheduler,
        }),
      ],
      BUSY_MACHINE.sync,
    );
    const startedAt = Date.now();
    const { server } = backend;
    const get = (path: string) => request(server).get(`/api/shipyard${path}`);
    try {
      const workloads = sim.workloadClusters();
      await eventually(async () => {
        const res = await get('/clusters?limit=500');
        expect(res.body.totalCount).toBe(workloads.length);
      }, 60_000);
      await scheduler.triggerTask('shipyard:health:round');
      const probed = (await get('/clusters?limit=500')).body
        .items as ClusterSummary[];
      expect(probed.every(i => i.probe?.ok)).toBe(true);

      const seeded = sim.model.clusters.find(
        c => c.className === 'kubeadm-standard' && c.targetKube !== 'v1.36.2',
      );
      expect(seeded).toBeDefined();
      const mc = sim.managementClusters.find(
        m => m.name === seeded!.management,
      )!;
      const kube = new SimKube(mc);
      const path = `/clusters/${mc.name}/${seeded!.namespace}/${seeded!.name}`;
      const history = async () =>
        (await get(`${path}/history?limit=500`)).body
          .items as HealthTransition[];

      // an existing cluster's history begins with its current status since Cluster API says it began, not with the
      // backend (the status at the start of the retained window outlives the retention)
      const before = await eventually(async () => {
        const items = await history();
        expect({
          entries: items.length > 0,
          warnings: logger.lines.filter(l => /^(warn|error) /.test(l)),
        }).toEqual({ entries: true, warnings: [] });
        return items;
      });
      expect(before[0]).toMatchObject({ health: 'healthy' });
      expect(Date.parse(before[0].at)).toBeLessThan(startedAt - 60_000);

      // a new cluster's history begins with its creation
      const template = (await kube.list('clusters')).find(
        c => c.spec?.topology?.classRef?.name === 'kubeadm-standard',
      );
      const created = await kube.request(
        'POST',
        SimKube.clusterPath(template.metadata.namespace),
        {
          apiVersion: 'cluster.x-k8s.io/v1beta2',
          kind: 'Cluster',
          metadata: {
            name: 'history-new',
            namespace: template.metadata.namespace,
          },
          spec: {
            clusterNetwork: template.spec.clusterNetwork,
            topology: template.spec.topology,
          },
        },
      );
      expect(created.status).toBe(201);
      const newPath = `/clusters/${mc.name}/${template.metadata.namespace}/history-new`;
      const newHistory = await eventually(async () => {
        const items = (await get(`${newPath}/history?limit=500`)).body
          .items as HealthTransition[];
        expect(items[0]?.health).toBe('healthy');
        return items;
      });
      const first = newHistory[newHistory.length - 1];
      expect(first.health).toBe('provisioning');
      expect(first.at).toBe(
        new Date(created.body.metadata.creationTimestamp).toISOString(),
      );

      // upgrade by one minor, then scale up; every health the cluster shows meanwhile goes into its history as it
      // happens
      const seen: string[] = [];
      let watching = true;
      const watch = (async () => {
        while (watching) {
          const res = await get(path);
          const h = res.body.summary?.health;
          if (h && seen[seen.length - 1] !== h) seen.push(h);
          await new Promise(r => setTimeout(r, 20));
        }
      })();
      const patched = await kube.request(
        'PATCH',
        SimKube.clusterPath(seeded!.namespace, seeded!.name),
        { spec: { topology: { version: 'v1.36.2' } } },
        'application/merge-patch+json',
      );
      expect(patched.status).toBe(200);
      // the observed version and its support follow the rollout's end, long before the next round
      const upgraded = await eventually(async () => {
        const res = await get(path);
        const summary = res.body.summary as ClusterSummary;
        expect(summary.kubernetesVersion).toBe('v1.36.2');
        expect(summary.observedKubernetesVersion).toMatch(/^v1\.36\./);
        expect(summary.versionSupport?.minor).toBe('1.36');
        expect(summary.health).toBe('healthy');
        return summary;
      });
      expect(upgraded.kubernetesMinor).toBe('1.36');

      // a scale-up: progressing for a moment, then healthy again
      const current = await kube.request(
        'GET',
        SimKube.clusterPath(seeded!.namespace, seeded!.name),
      );
      const workers = current.body.spec.topology.workers;
      workers.machineDeployments[0].replicas =
        (workers.machineDeployments[0].replicas ?? 1) + 1;
      // held at its first state with a worker missing until the backend shows it (see holdClusterAt)
      const hold = holdClusterAt(sim, seeded!, scalingUpWithWorkerMissing);
      const scaled = await kube.request(
        'PATCH',
        SimKube.clusterPath(seeded!.namespace, seeded!.name),
        { spec: { topology: { workers } } },
        'application/merge-patch+json',
      );
      expect(scaled.status).toBe(200);
      try {
        await hold.reached;
        await eventually(async () => {
          expect((await get(path)).body.summary.health).toBe('progressing');
        });
      } finally {
        hold.release();
      }
      await eventually(async () => {
        const res = await get(path);
        expect(res.body.summary.workers.available).toBe(
          res.body.summary.workers.desired,
        );
        expect(res.body.summary.health).toBe('healthy');
      });
      watching = false;
      await watch;
      await eventually(async () => {
        const all = await history();
        const recorded = all
          .slice(0, all.length - before.length + 1)
          .reverse()
          .map(t => t.health);
        // the scale-up's moment of progress is there, however short it was
        expect(recorded.slice(-2)).toEqual(['progressing', 'healthy']);
        // every status seen, in order, is in the history (polling may miss some that the history has)
        let i = 0;
        for (const h of recorded) if (h === seen[i]) i++;
        expect({ seen, recorded, matched: i }).toEqual({
          seen,
          recorded,
          matched: seen.length,
        });
      });
    } finally {
      await backend.stop();
    }
  });

  it('finishes a round with 20 % black-holed clusters within one timeout of a healthy round', async () => {
    // a probe's timeout: what a dead cluster costs a round, and more than a busy machine's healthy probe takes
    // (at load 28 10 of 18 healthy probes passed 2 s)
    const ROUND_TIMEOUT_MS = 5_000;
    const logger = new CaptureLogger();
    const config = new ConfigReader(
      shipyardTestConfig(
        sim,
        shipyardConfig({
          timeoutMs: ROUND_TIMEOUT_MS,
          stallAfterMs: 100,
          concurrency: 4,
          failureThreshold: 1,
        }),
      ),
    );
    const { fleet, health, stop } = await startFleetWithHealth(config, logger);
    try {
      await fleet.waitForInitialSync();
      const workloads = sim.workloadClusters();
      await eventually(() =>
        expect(health.targets().length).toBe(workloads.length),
      );
      await health.runRound(); // warm: credentials, connections
      // the baseline: a round in which every cluster answers (a loaded machine may need more than one)
      const healthy = await eventually(() => health.runRound(), {
        until: round => round.ok === workloads.length,
      });

      const dead = workloads.slice(0, Math.ceil(workloads.length / 5));
      for (const w of dead)
        sim.faults.unreachable(
          { management: w.management, namespace: w.namespace, name: w.name },
          'blackhole',
        );
      const faulty = await health.runRound();
      expect(faulty.failed).toBe(dead.length);
      expect(faulty.ok).toBe(workloads.length - dead.length);
      expect(faulty.durationMs).toBeLessThanOrEqual(
        healthy.durationMs + ROUND_TIMEOUT_MS + 500,
      );

      // known-dead clusters start first, outside the slots: the next round costs no more
      const again = await health.runRound();
      expect(again.durationMs).toBeLessThanOrEqual(
        healthy.durationMs + ROUND_TIMEOUT_MS + 500,
      );
      for (const w of dead) {
        expect(
          fleet.index.get(`${w.management}/${w.namespace}/${w.name}`)?.summary
            .health,
        ).toBe('unhealthy');
      }
      // two failures in a row: those clusters back off (the next round skips them)
      sim.faults.clear();
      const backingOff = await health.runRound();
      expect(backingOff.skipped).toBe(dead.length);
      expect(backingOff.ok).toBe(workloads.length - dead.length);
      expectNoSecrets(logger.lines, secretsOf(sim));
    } finally {
      sim.faults.clear();
      await stop();
    }
  });
});
