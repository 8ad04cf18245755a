#!/usr/bin/env node
/* eslint-disable no-console */
// `yarn bench`: every benchmark of the suite, one after another, each printing its table of figures.
// Usage: yarn bench [--quick]   (--quick runs the small sizes only)
//        yarn bench --compare [--quick] [--out FILE]   Shipyard vs the Kubernetes plugin's fan-out, the naive informer
//        baseline and catalog write volume, side by side (table + JSON report, default .bench/compare.json)
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const quick = process.argv.includes('--quick');
const compare = process.argv.includes('--compare');
const extra = process.argv
  .slice(2)
  .filter(a => a !== '--quick' && a !== '--compare');
if (!compare && extra.length) {
  // the suite's benchmarks each take options of their own: run one of them (packages/bench/bin) to pass any
  console.error(
    `bench: ${extra.join(
      ' ',
    )}: yarn bench takes --quick and --compare (with the side-by-side benchmark's options) only\nUsage: yarn bench [--quick] | yarn bench --compare [--quick] [--out FILE] [--sizes 100,1000] …`,
  );
  process.exit(2);
}

if (compare) {
  const bin = path.join(root, 'packages/bench/bin/shipyard-compare-bench');
  const args = [
    '--expose-gc',
    '--max-old-space-size=8192',
    bin,
    ...(quick ? ['--quick'] : []),
    ...extra,
  ];
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const benches = [
  {
    title:
      'Fleet simulator: scale (10,000 workload clusters over 5 management clusters)',
    bin: 'packages/bench/bin/fleet-sim-bench',
    args: quick ? ['--clusters', '1000'] : [],
  },
  {
    title: 'Fleet backend: sync, memory, queries, event latency',
    bin: 'packages/bench/bin/shipyard-backend-bench',
    args: quick ? ['100', '1000'] : ['100', '1000', '10000'],
  },
  {
    title: 'Health: probe rounds and CPU',
    bin: 'packages/bench/bin/shipyard-health-bench',
    args: quick ? ['1000'] : ['1000', '10000'],
  },
  {
    title:
      'Availability objectives: health history kept, downsampled and computed (10,000 clusters × 90 days)',
    bin: 'packages/bench/bin/shipyard-objectives-bench',
    args: quick ? ['1000'] : ['10000'],
  },
  {
    title:
      'Fleet rollouts: plan, executor rounds, gate latency (1,000 clusters)',
    bin: 'packages/bench/bin/shipyard-rollouts-bench',
    args: ['1000'],
  },
];

let failed = 0;
for (const bench of benches) {
  const bin = path.join(root, bench.bin);
  if (!fs.existsSync(bin)) continue;
  console.log(`\n## ${bench.title}\n`);
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=8192', bin, ...bench.args],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  if (r.status !== 0) {
    failed++;
    console.error(`bench: ${bench.bin} exited with ${r.status}`);
  }
}
process.exit(failed ? 1 : 0);
