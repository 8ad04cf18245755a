import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { FleetService } from '@shipyard/plugin-shipyard-backend/src/service/FleetService';
import { DriftStage } from '@shipyard/plugin-shipyard-backend/src/drift/DriftStage';
import { driftProfileOf } from '@shipyard/plugin-shipyard-backend/src/drift/profiles';
import { SimHost, benchBackendConfig } from './fleetBenchmark';
import { heapUsed } from '../stats';

/*
 * What drift evaluation costs: cold sync to API-ready and the heap of the cache of the same simulated fleet, with the
 * fleet writing straight into the index and with the drift stage in between (every cluster compared with its profile
 * version: the demo catalog's profiles, add-on layers included). Runs alternate so that a busy machine affects both.
 */

const silentLogger: any = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return silentLogger;
  },
};

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
  cacheHeapMB: number;
  drifted: number;
}

async function run(
  managementClusters: Parameters<typeof benchBackendConfig>[0],
  clusters: number,
  drift: boolean,
): Promise<DriftRun> {
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
  await fleet.start();
  await fleet.waitForInitialSync();
  await new Promise(r => setImmediate(r));
  const coldSyncMs = performance.now() - started;
  if (fleet.index.size !== clusters) {
    throw new Error(`expected ${clusters} clusters, got ${fleet.index.size}`);
  }
  const cacheHeapMB = (heapUsed() - baseline) / 1024 / 1024;
  let drifted = 0;
  for (const s of fleet.index.all()) if (s.drift?.length) drifted++;
  await fleet.stop();
  return { drift, coldSyncMs, cacheHeapMB, drifted };
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
  const sim = new SimHost({
    managementClusters: clusters >= 10_000 ? 5 : 2,
    clusters,
    seed: 'shipyard-bench',
    timing: { stepMs: 1000 },
    machinesPerCluster: 10,
  });
  const info = await sim.ready;
  sim.send({ type: 'pauseController' });
  const without: DriftRun[] = [];
  const withDrift: DriftRun[] = [];
  for (let i = 0; i < rounds; i++) {
    if (options.only !== 'with') {
      without.push(await run(info.managementClusters, info.clusters, false));
    }
    if (options.only !== 'without') {
      withDrift.push(await run(info.managementClusters, info.clusters, true));
    }
  }
  await sim.stop();
  if (options.only) {
    const runs = options.only === 'with' ? withDrift : without;
    process.stdout.write(
      `drift ${options.only}: cold sync ${median(
        runs.map(r => r.coldSyncMs),
      ).toFixed(0)} ms, cache heap ${median(
        runs.map(r => r.cacheHeapMB),
      ).toFixed(1)} MB, drifted ${runs[0].drifted}\n`,
    );
    return { without, withDrift };
  }
  const sync = [
    median(without.map(r => r.coldSyncMs)),
    median(withDrift.map(r => r.coldSyncMs)),
  ];
  const heap = [
    median(without.map(r => r.cacheHeapMB)),
    median(withDrift.map(r => r.cacheHeapMB)),
  ];
  const pct = (a: number, b: number) => `${(((b - a) / a) * 100).toFixed(1)} %`;
  process.stdout.write(
    [
      '| clusters | cold sync without / with drift (ms) | overhead | cache heap without / with drift (MB) | overhead | drifted clusters |',
      '| --- | --- | --- | --- | --- | --- |',
      `| ${clusters.toLocaleString('en-US')} | ${sync[0].toFixed(
        0,
      )} / ${sync[1].toFixed(0)} | ${pct(sync[0], sync[1])} | ${heap[0].toFixed(
        1,
      )} / ${heap[1].toFixed(1)} | ${pct(heap[0], heap[1])} | ${
        withDrift[0].drifted
      } |`,
      '',
    ].join('\n'),
  );
  return { without, withDrift };
}
