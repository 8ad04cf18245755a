import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { FleetService } from '@shipyard/plugin-shipyard-backend/src/service/FleetService';
import { DriftStage } from '@shipyard/plugin-shipyard-backend/src/drift/DriftStage';
import { driftProfileOf } from '@shipyard/plugin-shipyard-backend/src/drift/profiles';
import { SimHost, benchBackendConfig } from './fleetBenchmark';
import { heapUsed, threadCpuMs } from '../stats';
import { benchFleet } from '../sim/benchFleet';
import { mockServices } from '@backstage/backend-test-utils';

/*
 * What drift evaluation costs: cold sync to API-ready and the heap of the cache of the same simulated fleet, with the
 * fleet writing straight into the index and with the drift stage in between (every cluster compared with its profile
 * version: the demo catalog's profiles, add-on layers included). After an unmeasured warm-up run, runs alternate so that
 * a busy machine affects both; the backend's CPU time during the cold sync is reported beside the wall time, which
 * on a shared machine mostly measures the run queue.
 */

const silentLogger = mockServices.rootLogger({ level: 'none' });

/** The demo catalog's profiles, as drift reads them. */
function demoProfiles() {
  const dir = resolvePackagePath(
    '@shipyard/plugin-catalog-backend-module-shipyard',
    'catalog/profiles',
  );
  return fs
    .readdirSync(dir)
    .filter(f => f.endsWith('.yaml'))
    .map(f => parse(fs.readFileSync(path.join(dir, f), 'utf8')))
    .map(e => driftProfileOf(e.metadata.name, e.spec)!)
    .filter(Boolean);
}

export interface DriftRun {
  drift: boolean;
  coldSyncMs: number;
  /** CPU time of the backend's thread during the cold sync (the simulator runs in another process). */
  coldSyncCpuMs: number;
  cacheHeapMB: number;
  drifted: number;
}

async function run(
  managementClusters: Parameters<typeof benchBackendConfig>[0],
  clusters: number,
  drift: boolean,
): Promise<DriftRun> {
  // the previous run's connections close first, so that its cache is garbage when the baseline is taken
  await new Promise(r => setTimeout(r, 1000));
  const baseline = heapUsed();
  const config = benchBackendConfig(managementClusters, 'shipyard.io/owner');
  const fleet = new FleetService({ config, logger: silentLogger });
  if (drift) {
    const stage = new DriftStage({
      next: fleet.index,
      inputsOf: s => ({ variables: fleet.records.variablesOf(s) }),
    });
    stage.setProfiles(demoProfiles());
    fleet.writeThrough(stage);
  }
  const started = performance.now();
  const cpuStarted = threadCpuMs();
  await fleet.start();
  await fleet.waitForInitialSync();
  await new Promise(r => setImmediate(r));
  const coldSyncMs = performance.now() - started;
  const coldSyncCpuMs = threadCpuMs() - cpuStarted;
  if (fleet.index.size !== clusters) {
    throw new Error(`expected ${clusters} clusters, got ${fleet.index.size}`);
  }
  const cacheHeapMB = (heapUsed() - baseline) / 1024 / 1024;
  let drifted = 0;
  for (const s of fleet.index.all()) if (s.drift?.length) drifted++;
  await fleet.stop();
  return { drift, coldSyncMs, coldSyncCpuMs, cacheHeapMB, drifted };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/** Runs `rounds` pairs (without, with drift) at one size and prints the medians and the overhead. */
export async function runDriftBenchmark(
  options: {
    clusters?: number;
    rounds?: number;
    /** Measure one variant only (a process per variant gives clean heap figures). */
    only?: 'with' | 'without';
  } = {},
): Promise<{ without: DriftRun[]; withDrift: DriftRun[] }> {
  const clusters = options.clusters ?? 10_000;
  const rounds = options.rounds ?? 2;
  const sim = new SimHost(benchFleet(clusters >= 10_000 ? 5 : 2, clusters));
  const info = await sim.ready;
  sim.send({ type: 'pauseController' });
  const without: DriftRun[] = [];
  const withDrift: DriftRun[] = [];
  const load = () =>
    os
      .loadavg()
      .map(l => l.toFixed(1))
      .join(' ');
  const report = (r: DriftRun) =>
    process.stdout.write(
      `${
        r.drift ? 'with   ' : 'without'
      } drift: cold sync ${r.coldSyncMs.toFixed(
        0,
      )} ms (backend CPU ${r.coldSyncCpuMs.toFixed(
        0,
      )} ms), cache heap ${r.cacheHeapMB.toFixed(1)} MB, drifted ${
        r.drifted
      }, load average ${load()}\n`,
    );
  // one unmeasured run first: the code both variants run is loaded and compiled before either is measured
  await run(info.managementClusters, info.clusters, options.only !== 'without');
  for (let i = 0; i < rounds; i++) {
    if (options.only !== 'with') {
      without.push(await run(info.managementClusters, info.clusters, false));
      report(without[without.length - 1]);
    }
    if (options.only !== 'without') {
      withDrift.push(await run(info.managementClusters, info.clusters, true));
      report(withDrift[withDrift.length - 1]);
    }
  }
  await sim.stop();
  if (options.only) return { without, withDrift };
  const medians = (pick: (r: DriftRun) => number) => [
    median(without.map(pick)),
    median(withDrift.map(pick)),
  ];
  const sync = medians(r => r.coldSyncMs);
  const cpu = medians(r => r.coldSyncCpuMs);
  const heap = medians(r => r.cacheHeapMB);
  const pct = (a: number, b: number) =>
    `${b >= a ? '+' : ''}${(((b - a) / a) * 100).toFixed(1)} %`;
  process.stdout.write(
    [
      `medians of ${rounds} alternating runs each`,
      '| clusters | cold sync without / with drift (ms) | overhead | backend CPU in cold sync without / with (ms) | overhead | cache heap without / with drift (MB) | overhead | drifted clusters |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      `| ${clusters.toLocaleString('en-US')} | ${sync[0].toFixed(
        0,
      )} / ${sync[1].toFixed(0)} | ${pct(sync[0], sync[1])} | ${cpu[0].toFixed(
        0,
      )} / ${cpu[1].toFixed(0)} | ${pct(cpu[0], cpu[1])} | ${heap[0].toFixed(
        1,
      )} / ${heap[1].toFixed(1)} | ${pct(heap[0], heap[1])} | ${
        withDrift[0].drifted
      } |`,
      '',
    ].join('\n'),
  );
  return { without, withDrift };
}
