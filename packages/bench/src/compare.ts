import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import type { FleetSimOptions } from '@shipyard/fleet-sim';
import {
  FanOutScope,
  RunningBackend,
  startKubernetesBackend,
  startShipyardBackend,
} from './backends';
import {
  CatalogWriteOptions,
  CatalogWriteResult,
  measureCatalogWrites,
} from './catalogWrites';
import { startInProcessSim } from './sim/fleet';
import type { SimHandle } from './sim/types';
import type { NaiveBaselineResult } from './backend/naiveBaseline';
import { startWorkerSim } from './sim/workerSim';
import {
  LatencySummary,
  compareKeySets,
  formatNumber,
  formatRatio,
  ratio,
  summarize,
  threadCpuMs,
} from './stats';
import { TeamView, kubernetesTeamView, shipyardTeamView } from './views';

export interface ViewLoad {
  /** Concurrent clients. */
  concurrency: number;
  /** Stop after this many views… */
  views: number;
  /** …or after this long (ms), whichever comes first (at least one view per client). */
  maxMs: number;
}

export interface CompareOptions {
  /** Fleet sizes (default 100 and 1,000). */
  sizes?: number[];
  /** Management clusters of a size (default 3 up to 100 clusters, 5 above). */
  managementClustersFor?: (clusters: number) => number;
  /** The teams whose views are asked (rotating; default team-a, team-b, team-c). */
  teams?: string[];
  /** Configurations of the Kubernetes plugin to measure (default both). */
  scopes?: FanOutScope[];
  shipyardLoad?: ViewLoad;
  /** Load of the fan-out views; may depend on the fleet size. */
  fanOutLoad?: (clusters: number, scope: FanOutScope) => ViewLoad;
  /** The catalog write measurement (on the largest size), or false. */
  catalog?: (CatalogWriteOptions & { clusters?: number }) | false;
  /** The naive informer baseline (a child process running the Shipyard backend's naive bench), or false. */
  naive?: { queries: number } | false;
  /** Run the simulator in this thread (tests) instead of a worker thread. */
  inProcessSim?: boolean;
  seed?: string;
  print?: (line: string) => void;
}

export interface SideFigures {
  views: number;
  failedViews: number;
  latencyMs: LatencySummary;
  upstreamRequests: number;
  upstreamRequestsPerView: number;
  cpuMsPerView: number;
  windowMs: number;
  /** Median response size of a view (bytes). */
  viewBytes: number;
  /** Clusters of the fan-out that answered with errors, per view. */
  clusterErrorsPerView: number;
  /** The first failure of a view, if any failed. */
  firstError?: string;
}

export interface FanOutFigures extends SideFigures {
  scope: FanOutScope;
  configuredClusters: number;
  /** Shipyard's answer (per team) equals the fan-out's. */
  sameAnswer: boolean;
  differences: Array<{
    team: string;
    missing: string[];
    extra: string[];
    error?: string;
  }>;
  ratios: {
    upstreamRequests: number;
    p50: number;
    p99: number;
    cpuPerView: number;
  };
}

export interface SizeFigures {
  clusters: number;
  managementClusters: number;
  workloadClusters: number;
  machines: number;
  teamClusters: Record<string, number>;
  /** Requests of Shipyard's cold sync (list + watch of every kind on every management cluster). */
  shipyardColdSyncRequests: number;
  shipyardColdSyncMs: number;
  shipyard: SideFigures;
  kubernetes: FanOutFigures[];
}

/** The naive baseline's figures (from its own process), with Shipyard's advantage as ratios. */
export interface NaiveFigures extends NaiveBaselineResult {
  ratios?: { heap: number; p50: number; p99: number };
}

export interface CompareReport {
  startedAt: string;
  durationSeconds: number;
  host: { cpus: number; node: string; loadAverage: number[] };
  sizes: SizeFigures[];
  naive: NaiveFigures[];
  catalog?: CatalogWriteResult & { clusters: number };
}

const DEFAULT_TEAMS = ['team-a', 'team-b', 'team-c'];

function describeError(error: unknown): string {
  const e = error as {
    message?: string;
    cause?: { message?: string; code?: string };
  };
  const cause = e?.cause
    ? ` (${e.cause.code ?? ''} ${e.cause.message ?? ''})`
    : '';
  return `${e?.message ?? String(error)}${cause}`;
}

/** Runs views with a closed loop of clients; counts upstream requests and this thread's CPU time over the window. */
async function measureSide(
  sim: SimHandle,
  teams: string[],
  view: (team: string) => Promise<TeamView>,
  load: ViewLoad,
  during?: () => Promise<void>,
): Promise<SideFigures> {
  const latencies: number[] = [];
  const sizes: number[] = [];
  let clusterErrors = 0;
  let failed = 0;
  let firstError: string | undefined;
  let issued = 0;
  const requests0 = (await sim.requests()).total;
  const cpu0 = threadCpuMs();
  const t0 = performance.now();
  const background = during?.();
  await Promise.all(
    Array.from({ length: load.concurrency }, async () => {
      let mine = 0;
      while (
        issued < load.views &&
        (mine === 0 || performance.now() - t0 < load.maxMs)
      ) {
        const team = teams[issued++ % teams.length];
        mine++;
        const start = performance.now();
        try {
          const v = await view(team);
          latencies.push(performance.now() - start);
          sizes.push(v.bytes);
          clusterErrors += v.clusterErrors;
        } catch (error) {
          failed++;
          firstError ??= describeError(error);
        }
      }
    }),
  );
  await background;
  const windowMs = performance.now() - t0;
  const cpuMs = threadCpuMs() - cpu0;
  const upstream = (await sim.requests()).total - requests0;
  const views = latencies.length;
  sizes.sort((a, b) => a - b);
  return {
    views,
    failedViews: failed,
    latencyMs: summarize(latencies),
    upstreamRequests: upstream,
    upstreamRequestsPerView: views ? upstream / views : NaN,
    cpuMsPerView: views ? cpuMs / views : NaN,
    windowMs,
    viewBytes: sizes[Math.floor(sizes.length / 2)] ?? NaN,
    clusterErrorsPerView: views ? clusterErrors / views : NaN,
    ...(firstError ? { firstError } : {}),
  };
}

async function waitForShipyard(
  backend: RunningBackend,
  clusters: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(
      `${backend.baseUrl}/api/shipyard/management-clusters`,
      { headers: { Authorization: mockCredentials.user.header() } },
    ).catch(() => undefined);
    if (res?.ok) {
      const body = (await res.json()) as {
        items: Array<{ state: string; clusterCount?: number }>;
      };
      const all = await fetch(
        `${backend.baseUrl}/api/shipyard/clusters?limit=1&facets=false`,
        { headers: { Authorization: mockCredentials.user.header() } },
      );
      const total = all.ok
        ? ((await all.json()) as { totalCount: number }).totalCount
        : 0;
      if (body.items.every(m => m.state === 'connected') && total >= clusters)
        return;
    }
    if (Date.now() > deadline)
      throw new Error('Shipyard did not sync the simulated fleet in time');
    await new Promise(r => setTimeout(r, 50));
  }
}

async function startSimFor(
  clusters: number,
  options: CompareOptions,
  extra: Partial<FleetSimOptions> = {},
): Promise<SimHandle> {
  const mgmt =
    options.managementClustersFor?.(clusters) ?? (clusters <= 100 ? 3 : 5);
  const simOptions: FleetSimOptions = {
    managementClusters: mgmt,
    clusters,
    seed: options.seed ?? 'shipyard-compare',
    timing: { stepMs: 1000 },
    ...extra,
  };
  return options.inProcessSim
    ? startInProcessSim(simOptions)
    : startWorkerSim(simOptions);
}

async function measureSize(
  clusters: number,
  options: CompareOptions,
  print: (line: string) => void,
): Promise<SizeFigures> {
  const teams = options.teams ?? DEFAULT_TEAMS;
  const sim = await startSimFor(clusters, options);
  try {
    // Shipyard
    const coldRequests0 = (await sim.requests()).total;
    const coldStart = performance.now();
    const shipyard = await startShipyardBackend(sim);
    let shipyardFigures: SideFigures;
    let coldSyncRequests = 0;
    let coldSyncMs = 0;
    const answers = new Map<string, TeamView>();
    try {
      await waitForShipyard(shipyard, sim.clusters, 120_000);
      coldSyncMs = performance.now() - coldStart;
      coldSyncRequests = (await sim.requests()).total - coldRequests0;
      for (const team of teams) {
        answers.set(team, await shipyardTeamView(shipyard.baseUrl, team));
      }
      print(
        `  shipyard: synced in ${Math.round(coldSyncMs)} ms; measuring views…`,
      );
      shipyardFigures = await measureSide(
        sim,
        teams,
        team => shipyardTeamView(shipyard.baseUrl, team),
        options.shipyardLoad ?? { concurrency: 2, views: 5000, maxMs: 15_000 },
        // one whole probe round of every workload cluster falls into the window (rounds are 60 s apart by default)
        () => shipyard.triggerHealthRound(),
      );
    } finally {
      await shipyard.stop();
    }

    const kubernetes: FanOutFigures[] = [];
    for (const scope of options.scopes ?? (['fleet', 'management'] as const)) {
      const k8s = await startKubernetesBackend(sim, scope, teams);
      try {
        const differences: FanOutFigures['differences'] = [];
        for (const team of teams) {
          let fan: TeamView | undefined;
          let lastError: unknown;
          for (let attempt = 0; attempt < 2 && !fan; attempt++) {
            try {
              fan = await kubernetesTeamView(k8s.baseUrl, team);
            } catch (error) {
              lastError = error;
            }
          }
          if (!fan) {
            differences.push({
              team,
              missing: [],
              extra: [],
              error: describeError(lastError),
            });
            continue;
          }
          const diff = compareKeySets(fan.keys, answers.get(team)?.keys ?? []);
          if (!diff.same)
            differences.push({
              team,
              missing: diff.missing,
              extra: diff.extra,
            });
        }
        print(`  kubernetes plugin (${scope}): measuring views…`);
        const load =
          options.fanOutLoad?.(clusters, scope) ??
          (scope === 'fleet'
            ? { concurrency: 2, views: clusters > 100 ? 6 : 30, maxMs: 60_000 }
            : { concurrency: 2, views: 300, maxMs: 15_000 });
        const figures = await measureSide(
          sim,
          teams,
          team => kubernetesTeamView(k8s.baseUrl, team),
          load,
        );
        kubernetes.push({
          ...figures,
          scope,
          configuredClusters:
            sim.managementClusters.length +
            (scope === 'fleet' ? sim.workloadClusters.length : 0),
          sameAnswer: differences.length === 0,
          differences,
          ratios: {
            upstreamRequests: ratio(
              figures.upstreamRequestsPerView,
              shipyardFigures.upstreamRequestsPerView,
            ),
            p50: ratio(figures.latencyMs.p50, shipyardFigures.latencyMs.p50),
            p99: ratio(figures.latencyMs.p99, shipyardFigures.latencyMs.p99),
            cpuPerView: ratio(
              figures.cpuMsPerView,
              shipyardFigures.cpuMsPerView,
            ),
          },
        });
      } finally {
        await k8s.stop();
      }
    }
    const teamClusters: Record<string, number> = {};
    for (const [team, v] of answers) teamClusters[team] = v.keys.length;
    return {
      clusters: sim.clusters,
      managementClusters: sim.managementClusters.length,
      workloadClusters: sim.workloadClusters.length,
      machines: sim.machines,
      teamClusters,
      shipyardColdSyncRequests: coldSyncRequests,
      shipyardColdSyncMs: coldSyncMs,
      shipyard: shipyardFigures,
      kubernetes,
    };
  } finally {
    await sim.stop();
  }
}

/** Runs the Shipyard backend's naive-baseline bench in a child process (its own heap) and reads its JSON. */
function runNaive(
  clusters: number,
  managementClusters: number,
  queries: number,
): Promise<NaiveFigures> {
  const bin = resolvePackagePath('@shipyard/bench', 'bin/shipyard-naive-bench');
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--expose-gc',
        bin,
        '--clusters',
        String(clusters),
        '--management',
        String(managementClusters),
        '--queries',
        String(queries),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', chunk => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('close', code => {
      if (code !== 0) {
        reject(new Error(`naive baseline exited with ${code}`));
        return;
      }
      const line = out.trim().split('\n').pop() ?? '';
      const r = JSON.parse(line) as NaiveFigures;
      r.ratios = {
        heap: ratio(r.informerHeapMB, r.fleetIndexHeapMB),
        p50: ratio(r.informerQueryP50Ms, r.fleetIndexQueryP50Ms),
        p99: ratio(r.informerQueryP99Ms, r.fleetIndexQueryP99Ms),
      };
      resolve(r);
    });
  });
}

/** Formats the report as Markdown tables. */
export function formatCompareReport(report: CompareReport): string {
  const f = formatNumber;
  const lines: string[] = [];
  lines.push(
    '### "The clusters of one team with their state": Shipyard vs the Kubernetes plugin',
    '',
    '| clusters (mgmt) | backend | configured clusters | views | p50 / p99 (ms) | upstream req / view | CPU ms / view | same answer | fewer requests | lower p50 / p99 | less CPU |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | :---: | ---: | ---: | ---: |',
  );
  for (const s of report.sizes) {
    const size = `${s.clusters.toLocaleString('en')} (${s.managementClusters})`;
    const y = s.shipyard;
    lines.push(
      `| ${size} | Shipyard \`GET /clusters?owner=…\` | ${
        s.managementClusters
      } | ${y.views} | ${f(y.latencyMs.p50, 2)} / ${f(
        y.latencyMs.p99,
        2,
      )} | ${f(y.upstreamRequestsPerView, 3)} | ${f(
        y.cpuMsPerView,
        2,
      )} | | | | |`,
    );
    for (const k of s.kubernetes) {
      lines.push(
        `| ${size} | Kubernetes plugin fan-out (${
          k.scope === 'fleet'
            ? 'management + workload clusters'
            : 'management clusters only'
        }) | ${k.configuredClusters.toLocaleString('en')} | ${k.views} | ${f(
          k.latencyMs.p50,
          1,
        )} / ${f(k.latencyMs.p99, 1)} | ${f(
          k.upstreamRequestsPerView,
          1,
        )} | ${f(k.cpuMsPerView, 1)} | ${
          k.sameAnswer ? 'yes' : 'NO'
        } | ${formatRatio(k.ratios.upstreamRequests)} | ${formatRatio(
          k.ratios.p50,
        )} / ${formatRatio(k.ratios.p99)} | ${formatRatio(
          k.ratios.cpuPerView,
        )} |`,
      );
    }
  }
  if (report.naive.length) {
    lines.push(
      '',
      '### Naive baseline: client-node informers holding full objects, `list()` + filter + sort + slice, vs the FleetIndex (in-process)',
      '',
      '| clusters (mgmt) | informers | objects held | heap informers / index (MB) | query p50 informers / index (ms) | query p99 informers / index (ms) | same answer | heap ratio | p50 ratio | p99 ratio |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | :---: | ---: | ---: | ---: |',
    );
    for (const n of report.naive) {
      lines.push(
        `| ${n.clusters.toLocaleString('en')} (${n.managementClusters}) | ${
          n.informers
        } | ${n.informerObjects.toLocaleString('en')} | ${f(
          n.informerHeapMB,
        )} / ${f(n.fleetIndexHeapMB)} | ${f(n.informerQueryP50Ms, 3)} / ${f(
          n.fleetIndexQueryP50Ms,
          3,
        )} | ${f(n.informerQueryP99Ms, 3)} / ${f(
          n.fleetIndexQueryP99Ms,
          3,
        )} | ${n.sameAnswer ? 'yes' : 'NO'} | ${formatRatio(
          n.ratios?.heap ?? NaN,
        )} | ${formatRatio(n.ratios?.p50 ?? NaN)} | ${formatRatio(
          n.ratios?.p99 ?? NaN,
        )} |`,
      );
    }
  }
  const c = report.catalog;
  if (c) {
    const changes = Object.entries(c.changesByOutcome)
      .map(([k, v]) => `${k} ${v.toLocaleString('en')}`)
      .join(', ');
    lines.push(
      '',
      '### Catalog write volume under status churn',
      '',
      '| clusters | load (events/s, mix) | duration (s) | changes made | catalog delta mutations / min | full mutations | fleet changes seen by the module | delta mutations while idle (before the load) |',
      '| ---: | --- | ---: | ---: | ---: | ---: | --- | ---: |',
      `| ${c.clusters.toLocaleString('en')} | ${
        c.eventsPerSecond
      } (${Object.entries(c.mix)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}) | ${f(c.durationSeconds, 0)} | ${(
        c.load?.changes ?? 0
      ).toLocaleString('en')} | ${f(c.deltaMutationsPerMinute, 1)} | ${
        c.fullMutationsDuringLoad
      } | ${changes} | ${c.idleDeltaMutations} in ${f(c.idleSeconds, 0)} s |`,
    );
  }
  return lines.join('\n');
}

/**
 * The side-by-side benchmark: the same simulated fleet served by Shipyard and by the Backstage Kubernetes plugin's
 * fan-out, the naive informer baseline, and the catalog write volume under status churn. Prints tables and returns the
 * report.
 */
export async function runCompareBenchmark(
  options: CompareOptions = {},
): Promise<CompareReport> {
  const print =
    options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const sizes: SizeFigures[] = [];
  for (const clusters of options.sizes ?? [100, 1000]) {
    print(`compare: ${clusters} clusters…`);
    sizes.push(await measureSize(clusters, options, print));
  }
  const naive: NaiveFigures[] = [];
  if (options.naive !== false) {
    for (const s of sizes) {
      print(`compare: naive informer baseline at ${s.clusters} clusters…`);
      naive.push(
        await runNaive(
          s.clusters,
          s.managementClusters,
          options.naive?.queries ?? 1000,
        ),
      );
    }
  }
  let catalog: CompareReport['catalog'];
  if (options.catalog !== false) {
    const c = options.catalog ?? { eventsPerSecond: 1000, durationMs: 45_000 };
    const clusters = c.clusters ?? Math.max(...(options.sizes ?? [100, 1000]));
    print(
      `compare: catalog writes at ${clusters} clusters, ${
        c.eventsPerSecond
      } events/s for ${Math.round(c.durationMs / 1000)} s…`,
    );
    // a settled fleet: no cluster is still provisioning or upgrading, so every change comes from the churn
    const sim = await startSimFor(clusters, options, { anomalies: false });
    try {
      catalog = {
        ...(await measureCatalogWrites(sim, c)),
        clusters: sim.clusters,
      };
    } finally {
      await sim.stop();
    }
  }
  const report: CompareReport = {
    startedAt,
    durationSeconds: (performance.now() - started) / 1000,
    host: {
      cpus: require('node:os').cpus().length,
      node: process.version,
      loadAverage: require('node:os').loadavg(),
    },
    sizes,
    naive,
    catalog,
  };
  print('');
  print(formatCompareReport(report));
  return report;
}

/** Writes the report as JSON (creating the directory). */
export function writeCompareReport(report: CompareReport, file: string): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}
