/*
 * The fleet rollout benchmark: a rollout over 1,000 clusters (Kubernetes 1.33 to 1.35, to 1.36 minor by minor) in
 * four stages (canaries, development, staging behind an approval, production behind an approval). It measures the
 * plan (pre-flight of every cluster and the plan's computation), the executor's CPU per round (a SQLite store, the
 * real RolloutExecutor, a fleet whose clusters finish each step one round after their bump), and the latency from a
 * satisfied approval gate to the first cluster of the next stage being bumped (the approval runs a round at once, as
 * the service does). The goal of the last one is 5 s.
 */
import { performance } from 'node:perf_hooks';
import { LoggerService } from '@backstage/backend-plugin-api';
import { ProfileVersionNode } from '@shipyard/plugin-shipyard-common';
import type { StoredClusterSummary } from '@shipyard/plugin-shipyard-backend/src/index/FleetIndex';
import { VersionLifecycle } from '@shipyard/plugin-shipyard-backend/src/lifecycle/VersionLifecycle';
import type { DeprecatedApiUse } from '@shipyard/plugin-shipyard-backend/src/rollouts/deprecatedApis';
import {
  Rollout,
  RolloutSpecInput,
  parseRolloutSpec,
} from '@shipyard/plugin-shipyard-backend/src/rollouts/model';
import { planRollout } from '@shipyard/plugin-shipyard-backend/src/rollouts/planner';
import {
  RolloutExecutor,
  TopologyWriter,
} from '@shipyard/plugin-shipyard-backend/src/rollouts/RolloutExecutor';
import { RolloutStore } from '@shipyard/plugin-shipyard-backend/src/rollouts/RolloutStore';
// the backend's own summary builder, so that the benchmark's clusters are the ones its tests use
// eslint-disable-next-line no-restricted-imports
import { makeSummary } from '@shipyard/plugin-shipyard-backend/src/__testUtils__/summaries';
import { knex as createKnex } from 'knex';
import { formatNumber, percentile, summarize } from '../stats';

/** Options of {@link runRolloutBenchmark}. */
export interface RolloutBenchmarkOptions {
  /** Fleet sizes (default 1,000). */
  sizes?: number[];
  /** Plans computed per size (default 10). */
  planRuns?: number;
  /** The executor's round interval the gate latency is bounded with (s, default 2: the shipped default). */
  tickSeconds?: number;
  /** Where to print (default stdout). */
  print?: (line: string) => void;
}

/** One row of the rollout benchmark. */
export interface RolloutBenchmarkRow {
  clusters: number;
  stages: number;
  /** Clusters the plan takes, and those pre-flight or the selection left out. */
  planned: number;
  excluded: number;
  /** Clusters pre-flight skipped at their turn (a deprecated API the target removes still requested). */
  skipped: number;
  /** Plan with pre-flight of every cluster (ms). */
  planP50Ms: number;
  planMaxMs: number;
  /** Executor rounds until the rollout completed, and steps (bumps) made. */
  rounds: number;
  bumps: number;
  /** CPU (user + system) of one executor round (ms). */
  roundCpuP50Ms: number;
  roundCpuP95Ms: number;
  roundCpuMaxMs: number;
  /** Wall time of one executor round (ms). */
  roundWallP50Ms: number;
  roundWallMaxMs: number;
  /** Approval written → first cluster of the stage bumped, per approval gate (ms). */
  gateToStageMs: number[];
  /** The worst case when the immediate round is missed: one round interval plus the slowest gate latency (ms). */
  gateBoundMs: number;
}

const quietLogger: LoggerService = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  child: () => quietLogger,
};

const PROFILES: ProfileVersionNode[] = ['web', 'data', 'edge'].map(profile => ({
  profile,
  version: '1.0.0',
  kubernetesVersions: ['v1.33.5', 'v1.34.3', 'v1.35.2', 'v1.36.1'],
  upgradesTo: [],
}));

const LIFECYCLES = ['development', 'staging', 'production'];
const MINORS = [
  ['v1.33.5', '1.33'],
  ['v1.34.3', '1.34'],
  ['v1.35.2', '1.35'],
];

/** A fleet whose clusters finish a step in the round after their bump; 2 % still request an API 1.36 removes. */
class BenchFleet {
  readonly clusters = new Map<string, StoredClusterSummary>();
  readonly live = new Map<string, string>();
  readonly deprecated = new Map<string, DeprecatedApiUse[]>();
  readonly bumpedAt = new Map<string, number>();
  bumps = 0;
  private readonly rollingOut = new Set<string>();

  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      const [version, minor] = MINORS[i % MINORS.length];
      const name = `c-${String(i).padStart(5, '0')}`;
      const key = `mc-${i % 5}/default/${name}`;
      this.clusters.set(
        key,
        makeSummary({
          name,
          managementCluster: `mc-${i % 5}`,
          owner: `group:default/team-${i % 7}`,
          clusterClass: 'standard',
          kubernetesVersion: version,
          kubernetesMinor: minor,
          profile: PROFILES[i % PROFILES.length].profile,
          profileVersion: '1.0.0',
          lifecycle: LIFECYCLES[Math.floor(i / 7) % LIFECYCLES.length],
        }),
      );
      this.live.set(key, version);
      if (i % 50 === 7) {
        this.deprecated.set(key, [
          {
            group: 'example.io',
            version: 'v1beta1',
            resource: 'widgets',
            removedRelease: '1.36',
          },
        ]);
      }
    }
  }

  writer: TopologyWriter = {
    read: async key => ({ version: this.live.get(key) }),
    bump: async (key, step) => {
      this.bumps++;
      if (!this.bumpedAt.has(key)) this.bumpedAt.set(key, performance.now());
      this.live.set(key, step.kubernetesVersion);
      const c = this.clusters.get(key)!;
      this.clusters.set(key, {
        ...c,
        kubernetesVersion: step.kubernetesVersion,
        conditions: [{ type: 'RollingOut', status: 'True' }],
      });
      this.rollingOut.add(key);
    },
  };

  /** Cluster API finishes every rollout under way: healthy on the new version. */
  settle() {
    for (const key of this.rollingOut) {
      const c = this.clusters.get(key)!;
      const version = this.live.get(key)!;
      this.clusters.set(key, {
        ...c,
        kubernetesMinor: version.replace(/^v(\d+\.\d+).*$/, '$1'),
        conditions: [],
        health: 'healthy',
      });
    }
    this.rollingOut.clear();
  }
}

function spec(size: number): RolloutSpecInput {
  return {
    name: `${size} clusters to 1.36`,
    target: { kubernetesVersion: 'v1.36.1' },
    stages: [
      { name: 'canary', maxClusters: 10, concurrency: 10 },
      {
        name: 'development',
        selector: { lifecycle: 'development' },
        concurrency: '10%',
        failureBudget: 5,
      },
      {
        name: 'staging',
        selector: { lifecycle: 'staging' },
        concurrency: '10%',
        approval: { groups: ['group:default/platform'] },
      },
      {
        name: 'production',
        concurrency: '10%',
        approval: { groups: ['group:default/platform'] },
      },
    ],
  };
}

async function runSize(
  size: number,
  options: Required<Omit<RolloutBenchmarkOptions, 'sizes' | 'print'>>,
): Promise<RolloutBenchmarkRow> {
  const fleet = new BenchFleet(size);
  const lifecycle = new VersionLifecycle({
    config: { nearingEndOfLifeDays: 90, overrides: {}, extendedSupport: {} },
  });
  const rolloutSpec = parseRolloutSpec(spec(size));

  // the plan: pre-flight of every cluster (deprecated APIs as read), chains, stages
  const planMs: number[] = [];
  let plan: ReturnType<typeof planRollout> | undefined;
  for (let i = 0; i < options.planRuns; i++) {
    const started = performance.now();
    plan = planRollout(rolloutSpec, {
      clusters: fleet.clusters.values(),
      profiles: PROFILES,
      calendar: lifecycle.calendar,
      now: Date.now(),
      deprecatedApis: key => fleet.deprecated.get(key) ?? [],
    });
    planMs.push(performance.now() - started);
  }

  const knex = createKnex({
    client: 'better-sqlite3',
    connection: { filename: ':memory:' },
    useNullAsDefault: true,
  });
  try {
    await RolloutStore.migrate(knex);
    const store = new RolloutStore(knex);
    const at = new Date().toISOString();
    const rollout: Rollout = {
      id: `bench-${size}`,
      spec: rolloutSpec,
      state: 'running',
      createdBy: 'user:default/bench',
      createdAt: at,
      updatedAt: at,
      revision: 1,
      ...plan!,
    };
    await store.insert(rollout);
    const executor = new RolloutExecutor({
      store,
      cluster: key => fleet.clusters.get(key),
      writer: fleet.writer,
      deprecatedApis: async key => fleet.deprecated.get(key) ?? [],
      profiles: async () => PROFILES,
      calendar: () => lifecycle.calendar,
      audit: async () => undefined,
      logger: quietLogger,
      unhealthyGraceMs: 60_000,
    });

    const cpuMs: number[] = [];
    const wallMs: number[] = [];
    const round = async () => {
      const cpu = process.cpuUsage();
      const started = performance.now();
      await executor.tick();
      wallMs.push(performance.now() - started);
      const used = process.cpuUsage(cpu);
      cpuMs.push((used.user + used.system) / 1000);
    };

    const gateToStageMs: number[] = [];
    let rounds = 0;
    for (;;) {
      await round();
      rounds++;
      fleet.settle();
      const current = (await store.get(rollout.id))!;
      if (current.state !== 'running') break;
      if (rounds > 10_000) throw new Error('the rollout does not finish');
      const waiting = current.stages.find(s => s.state === 'waiting-approval');
      if (!waiting) continue;
      // the approval, as the service writes it, then the round it runs at once
      const approvedAt = performance.now();
      waiting.approvedBy = 'user:default/bench';
      waiting.approvedAt = new Date().toISOString();
      await store.update(current);
      await round();
      rounds++;
      const first = Math.min(
        ...waiting.clusters
          .map(c => fleet.bumpedAt.get(c.key))
          .filter((t): t is number => t !== undefined),
      );
      gateToStageMs.push(first - approvedAt);
      fleet.settle();
    }
    const done = (await store.get(rollout.id))!;
    if (done.state !== 'completed') {
      throw new Error(`the rollout ended ${done.state}: ${done.message}`);
    }
    const cpu = summarize(cpuMs);
    const wall = summarize(wallMs);
    return {
      clusters: size,
      stages: rolloutSpec.stages.length,
      planned: plan!.stages.reduce((n, s) => n + s.clusters.length, 0),
      excluded: plan!.excluded.length,
      skipped: done.stages
        .flatMap(s => s.clusters)
        .filter(c => c.state === 'skipped').length,
      planP50Ms: percentile(planMs, 50),
      planMaxMs: Math.max(...planMs),
      rounds,
      bumps: fleet.bumps,
      roundCpuP50Ms: cpu.p50,
      roundCpuP95Ms: percentile(cpuMs, 95),
      roundCpuMaxMs: cpu.max,
      roundWallP50Ms: wall.p50,
      roundWallMaxMs: wall.max,
      gateToStageMs,
      gateBoundMs: options.tickSeconds * 1000 + Math.max(...gateToStageMs),
    };
  } finally {
    await knex.destroy();
  }
}

/** Runs the rollout benchmark and prints its table (Markdown). */
export async function runRolloutBenchmark(
  options: RolloutBenchmarkOptions = {},
): Promise<RolloutBenchmarkRow[]> {
  const print = options.print ?? (line => process.stdout.write(`${line}\n`));
  const rows: RolloutBenchmarkRow[] = [];
  for (const size of options.sizes ?? [1000]) {
    rows.push(
      await runSize(size, {
        planRuns: options.planRuns ?? 10,
        tickSeconds: options.tickSeconds ?? 2,
      }),
    );
  }
  print(
    '| clusters | stages | planned / left out / skipped | plan with pre-flight p50 / max (ms) | rounds / steps | executor CPU per round p50 / p95 / max (ms) | round wall p50 / max (ms) | gate → next stage started (ms) | worst case with a missed round (ms, goal ≤ 5,000) |',
  );
  print(
    '| -------: | -----: | ---------------------------: | ----------------------------------: | -------------: | ------------------------------------------: | ------------------------: | -----------------------------: | ------------------------------------------------: |',
  );
  for (const r of rows) {
    print(
      `| ${r.clusters.toLocaleString('en-US')} | ${r.stages} | ${r.planned} / ${
        r.excluded
      } / ${r.skipped} | ${formatNumber(r.planP50Ms)} / ${formatNumber(
        r.planMaxMs,
      )} | ${r.rounds} / ${r.bumps} | ${formatNumber(
        r.roundCpuP50Ms,
      )} / ${formatNumber(r.roundCpuP95Ms)} / ${formatNumber(
        r.roundCpuMaxMs,
      )} | ${formatNumber(r.roundWallP50Ms)} / ${formatNumber(
        r.roundWallMaxMs,
      )} | ${r.gateToStageMs
        .map(ms => formatNumber(ms))
        .join(', ')} | ${formatNumber(r.gateBoundMs, 0)} |`,
    );
  }
  return rows;
}
