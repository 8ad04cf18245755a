import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  DEFAULT_HEALTH_CONFIG,
  HealthConfig,
} from '@shipyard/plugin-shipyard-backend/src/health/config';
import {
  CredentialLookup,
  CredentialSource,
} from '@shipyard/plugin-shipyard-backend/src/probes/CredentialResolver';
import { KubeCredentials } from '@shipyard/plugin-shipyard-node/kube';
import { ProbeTarget } from '@shipyard/plugin-shipyard-backend/src/probes/types';
import { ProbeWorker } from '@shipyard/plugin-shipyard-backend/src/probes/ProbeWorker';
import { WorkloadProber } from '@shipyard/plugin-shipyard-backend/src/probes/WorkloadProber';

/** Options of {@link runHealthBenchmark}. */
export interface HealthBenchmarkOptions {
  /** Fleet sizes (default 1,000 and 10,000). */
  sizes?: number[];
  /** Fault mixes as [unreachable share, slow share] (default [0, 0] and [0.05, 0.05]). */
  faults?: Array<[number, number]>;
  /** Delay of every request to a slow cluster (ms, default 1000). */
  slowMs?: number;
  /** The probe interval the CPU figure is scaled to (ms, default 60,000). */
  intervalMs?: number;
  /** Health configuration overrides (default: the shipped defaults). */
  config?: Partial<HealthConfig>;
  /** Where to print (default stdout). */
  print?: (line: string) => void;
}

/** One row of the health benchmark. */
export interface HealthBenchmarkRow {
  clusters: number;
  unreachablePct: number;
  slowPct: number;
  /** First round: new connections (TLS handshakes), discovery. */
  coldRoundMs: number;
  /** Second round: keep-alive connections; the steady state. */
  roundMs: number;
  ok: number;
  failed: number;
  /**
   * Busy time of the prober's event loops in the steady round (the backend's thread and, with `probeWorker`, the
   * probe worker thread; the simulator runs in another process).
   */
  busyMs: number;
  /** Of `busyMs`, the backend's thread (what competes with the API's requests). */
  mainBusyMs: number;
  /** `busyMs` divided by the interval: cores used by probing at that interval. */
  coresAtInterval: number;
  /** Heap growth from the probe state (connections, results), MB, the probe worker's heap included. */
  heapMb: number;
}

const quietLogger: LoggerService = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  child: () => quietLogger,
};

interface SimCluster {
  management: string;
  namespace: string;
  name: string;
  url: string;
  caData: string;
  token: string;
}

/**
 * Runs the fleet simulator in a child process, so that its CPU is not counted as the prober's. A separate process
 * rather than a worker thread: like a real fleet, the simulator then has its own file descriptors. Both ends of
 * every keep-alive connection in one process would need two descriptors per cluster, more than a common limit of
 * open files allows at 10,000 clusters (connections that cannot be opened are failed probes).
 */
const SIM_PROCESS = `
require('@backstage/cli/config/nodeTransform.cjs');
const { startFleetSim } = require('@shipyard/fleet-sim');
const options = JSON.parse(process.env.SHIPYARD_HEALTH_BENCH_SIM);
(async () => {
  const sim = await startFleetSim({
    managementClusters: options.clusters >= 5000 ? 5 : 2,
    clusters: options.clusters,
    seed: 'health-bench',
    anomalies: false,
  });
  const clusters = sim.workloadClusters().map(w => ({
    management: w.management, namespace: w.namespace, name: w.name, url: w.url, caData: w.caData, token: w.token,
  }));
  const n = clusters.length;
  const dead = Math.round(n * options.unreachable);
  const slow = Math.round(n * options.slow);
  for (let i = 0; i < dead; i++) {
    const c = clusters[Math.floor((i * n) / Math.max(dead, 1))];
    sim.faults.unreachable({ management: c.management, namespace: c.namespace, name: c.name }, 'blackhole');
  }
  for (let i = 0; i < slow; i++) {
    const c = clusters[(Math.floor((i * n) / Math.max(slow, 1)) + 1) % n];
    sim.faults.slow({ management: c.management, namespace: c.namespace, name: c.name }, options.slowMs);
  }
  process.once('message', async () => {
    await sim.stop();
    process.exit(0);
  });
  process.send({ clusters });
})().catch(error => {
  process.send({ error: String((error && error.stack) || error) }, () => process.exit(1));
});
// the benchmark went away: so does the simulator
process.once('disconnect', () => process.exit(0));
`;

async function startSimProcess(
  clusters: number,
  unreachable: number,
  slow: number,
  slowMs: number,
): Promise<{ clusters: SimCluster[]; stop: () => Promise<void> }> {
  // profiling flags (--cpu-prof) apply to the simulator too; --expose-gc is the prober's
  const execArgv = process.execArgv.filter(a => a !== '--expose-gc');
  const child = spawn(process.execPath, [...execArgv, '-e', SIM_PROCESS], {
    env: {
      ...process.env,
      SHIPYARD_HEALTH_BENCH_SIM: JSON.stringify({
        clusters,
        unreachable,
        slow,
        slowMs,
      }),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  const exited = new Promise<void>(resolve =>
    child.once('exit', () => resolve()),
  );
  const message = await new Promise<{
    clusters?: SimCluster[];
    error?: string;
  }>(resolve => {
    // the TypeScript transform also talks on the channel (files to watch): only the answer counts
    const onMessage = (m: { clusters?: SimCluster[]; error?: string }) => {
      if (!m.clusters && !m.error) return;
      child.off('message', onMessage);
      resolve(m);
    };
    child.on('message', onMessage);
    child.once('exit', code => resolve({ error: `exited with ${code}` }));
  });
  if (message.error || !message.clusters) {
    child.kill();
    throw new Error(`fleet simulator failed: ${message.error}`);
  }
  return {
    clusters: message.clusters,
    stop: async () => {
      if (child.exitCode === null) child.send('stop');
      const timer = setTimeout(() => child.kill(), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Credentials straight from the simulator (the benchmark measures probing, not Secret reading). */
class StaticCredentials implements CredentialSource {
  private readonly byKey = new Map<string, KubeCredentials>();
  constructor(clusters: SimCluster[]) {
    for (const c of clusters) {
      this.byKey.set(
        `${c.management}/${c.namespace}/${c.name}`,
        new KubeCredentials(c.url, {
          ca: Buffer.from(c.caData, 'base64').toString('utf8'),
          token: c.token,
        }),
      );
    }
  }
  async refresh(): Promise<void> {}
  async resolve(target: ProbeTarget): Promise<CredentialLookup> {
    const credentials = this.byKey.get(target.key);
    return credentials
      ? { credentials }
      : { missing: 'no-credentials', message: 'none' };
  }
  invalidate(): void {}
  retain(): void {}
}

function pad(value: string | number, width: number): string {
  return String(value).padStart(width);
}

/** Formats rows as a Markdown table. */
export function formatHealthBenchmarkTable(
  rows: HealthBenchmarkRow[],
  intervalMs = 60_000,
): string {
  const lines = [
    `| clusters | unreachable | slow | cold round (ms) | round (ms) | ok / failed | prober busy (ms) | of which backend thread (ms) | cores at ${
      intervalMs / 1000
    } s | heap (MB) |`,
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.clusters.toLocaleString('en-US')} | ${r.unreachablePct} % | ${
        r.slowPct
      } % | ${pad(r.coldRoundMs, 1)} | ${r.roundMs} | ${r.ok} / ${r.failed} | ${
        r.busyMs
      } | ${r.mainBusyMs} | ${r.coresAtInterval.toFixed(
        3,
      )} | ${r.heapMb.toFixed(1)} |`,
    );
  }
  return lines.join('\n');
}

/**
 * Measures health probe rounds against the fleet simulator (in a child process): round time at each size and fault
 * mix, and the prober's CPU, as main-thread busy time per round scaled to the probe interval. Goals: a round at
 * 10,000 clusters with 5 % unreachable and 5 % slow within 15 s; at most 0.3 core at a 60 s interval.
 */
export async function runHealthBenchmark(
  options: HealthBenchmarkOptions = {},
): Promise<HealthBenchmarkRow[]> {
  const sizes = options.sizes ?? [1000, 10000];
  const mixes = options.faults ?? [
    [0, 0],
    [0.05, 0.05],
  ];
  const intervalMs = options.intervalMs ?? 60_000;
  const print =
    options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const config: HealthConfig = {
    ...DEFAULT_HEALTH_CONFIG,
    intervalMs,
    ...options.config,
  };
  const rows: HealthBenchmarkRow[] = [];
  for (const size of sizes) {
    for (const [unreachable, slow] of mixes) {
      const sim = await startSimProcess(
        size,
        unreachable,
        slow,
        options.slowMs ?? 1000,
      );
      const prober = new WorkloadProber({
        config,
        credentials: new StaticCredentials(sim.clusters),
        logger: quietLogger,
      });
      const targets: ProbeTarget[] = sim.clusters.map(c => ({
        key: `${c.management}/${c.namespace}/${c.name}`,
        managementCluster: c.management,
        namespace: c.namespace,
        name: c.name,
      }));
      try {
        (global as { gc?: () => void }).gc?.();
        const heapBefore = process.memoryUsage().heapUsed;
        const cold = await prober.runRound(targets, () => undefined);
        const worker =
          prober.executor instanceof ProbeWorker ? prober.executor : undefined;
        const elu0 = performance.eventLoopUtilization();
        const workerElu0 = worker?.eventLoopUtilization();
        const steady = await prober.runRound(targets, () => undefined);
        const elu = performance.eventLoopUtilization(elu0);
        const workerBusy =
          workerElu0 === undefined
            ? 0
            : worker!.eventLoopUtilization()!.active - workerElu0.active;
        (global as { gc?: () => void }).gc?.();
        const heapAfter =
          process.memoryUsage().heapUsed + ((await worker?.heapUsed()) ?? 0);
        const mainBusyMs = Math.round(elu.active);
        const busyMs = Math.round(elu.active + workerBusy);
        const row: HealthBenchmarkRow = {
          clusters: size,
          unreachablePct: Math.round(unreachable * 100),
          slowPct: Math.round(slow * 100),
          coldRoundMs: cold.durationMs,
          roundMs: steady.durationMs,
          ok: steady.ok,
          failed: steady.failed,
          busyMs,
          mainBusyMs,
          coresAtInterval: busyMs / intervalMs,
          heapMb: (heapAfter - heapBefore) / (1024 * 1024),
        };
        rows.push(row);
        print(formatHealthBenchmarkTable([row], intervalMs).split('\n')[2]);
      } finally {
        await prober.close();
        await sim.stop();
      }
    }
  }
  print('');
  print(formatHealthBenchmarkTable(rows, intervalMs));
  return rows;
}
