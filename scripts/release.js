#!/usr/bin/env node
/*
 * Builds and packs every Shipyard package (plugins/*) the way they are published, and checks what each tarball holds.
 *
 *   node scripts/release.js [--out DIR] [--skip-build]
 *
 * Steps: one version for all packages; `tsc` for the type declarations; `backstage-cli package build` per package;
 * `yarn pack` (which runs Backstage's prepack: publishConfig and exports pointed at dist/); then each tarball must
 * hold its entry points, its type declarations, its config schema, its migrations, a README, and no `workspace:`
 * range and no `private` flag in its manifest. All problems are listed before it exits non-zero.
 * The tarballs stay in DIR (default .release/) for an install test or `npm publish`.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');

const root = path.resolve(__dirname, '..');
const { values } = parseArgs({
  options: {
    out: { type: 'string', default: path.join(root, '.release') },
    'skip-build': { type: 'boolean', default: false },
  },
});
const out = path.resolve(values.out);

const packages = fs
  .readdirSync(path.join(root, 'plugins'))
  .map(dir => path.join(root, 'plugins', dir))
  .filter(dir => fs.existsSync(path.join(dir, 'package.json')))
  .map(dir => ({ dir, manifest: readJson(path.join(dir, 'package.json')) }));

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function run(cmd, args, cwd = root) {
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
}

const problems = [];
const versions = new Set(packages.map(p => p.manifest.version));
if (versions.size !== 1)
  problems.push(
    `the packages have different versions: ${packages
      .map(p => `${p.manifest.name}@${p.manifest.version}`)
      .join(', ')}`,
  );

/** Package name → its tarball. */
const tarballs = new Map();

/** Files a package loads by path at run time (not reachable from its entry points), which its tarball must hold. */
const RUNTIME_FILES = {
  '@shipyard/plugin-shipyard-backend': [
    'dist/probes/probeWorkerThread.cjs.js',
    'dist/reconcile/listWorkerThread.cjs.js',
  ],
};

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
if (!values['skip-build']) {
  process.stdout.write('release: type declarations (tsc)\n');
  run('yarn', ['tsc']);
}
for (const { dir, manifest } of packages) {
  if (!values['skip-build']) {
    process.stdout.write(`release: build ${manifest.name}\n`);
    run('yarn', ['backstage-cli', 'package', 'build'], dir);
  }
  const tarball = path.join(
    out,
    `${manifest.name.replace('@', '').replace('/', '-')}-${
      manifest.version
    }.tgz`,
  );
  process.stdout.write(`release: pack ${path.relative(root, tarball)}\n`);
  run('yarn', ['pack', '--out', tarball], dir);
  problems.push(...checkTarball(tarball, manifest.name));
  tarballs.set(manifest.name, tarball);
}
problems.push(...checkProbeWorker());

function checkTarball(tarball, name) {
  const found = [];
  const files = new Set(
    execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(f => f.replace(/^package\//, '')),
  );
  const packed = JSON.parse(
    execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], {
      encoding: 'utf8',
    }),
  );
  const problem = text => found.push(`${name}: ${text}`);
  const has = file => files.has(file.replace(/^\.\//, ''));
  if (packed.private) problem('the manifest says private');
  for (const field of [
    'dependencies',
    'peerDependencies',
    'optionalDependencies',
  ])
    for (const [dep, range] of Object.entries(packed[field] ?? {}))
      if (String(range).startsWith('workspace:'))
        problem(`${field}.${dep} is ${range}`);
  for (const field of ['main', 'types', 'module'])
    if (packed[field] && !has(packed[field]))
      problem(`${field} names ${packed[field]}, which is not in the tarball`);
  if (!packed.main) problem('no main');
  const targets = [];
  const walk = value => {
    if (typeof value === 'string') targets.push(value);
    else if (value && typeof value === 'object')
      Object.values(value).forEach(walk);
  };
  walk(packed.exports);
  for (const target of targets)
    if (target.startsWith('./') && !has(target))
      problem(`exports name ${target}, which is not in the tarball`);
  if (packed.configSchema && !has(packed.configSchema))
    problem(`configSchema names ${packed.configSchema}, not in the tarball`);
  if (!has('README.md')) problem('no README.md');
  for (const entry of packed.files ?? [])
    if (![...files].some(f => f === entry || f.startsWith(`${entry}/`)))
      problem(`files names ${entry}, which is not in the tarball`);
  if (![...files].some(f => f.endsWith('.d.ts')))
    problem('no type declarations');
  if (
    fs.existsSync(
      path.join(root, 'plugins', path.basename(dirOf(name)), 'migrations'),
    )
  ) {
    const migrations = [...files].filter(f => f.startsWith('migrations/'));
    if (migrations.length === 0)
      problem('its migrations are not in the tarball');
  }
  for (const file of RUNTIME_FILES[name] ?? [])
    if (!has(file))
      problem(`${file}, loaded at run time, is not in the tarball`);
  if ([...files].some(f => /(^|\/)src\/|\.test\.|__testUtils__/.test(f)))
    problem('sources or tests are in the tarball');
  return found;
}

/**
 * The backend's health probes, and the reading of its lists, run in worker threads whose scripts are files of the
 * built package: from the tarballs (the backend, plugin-shipyard-node and plugin-shipyard-common unpacked as an app
 * installs them; third-party dependencies from this repository), one probe of a local API server, and one list of
 * it, must run in those threads.
 */
function checkProbeWorker() {
  const backend = '@shipyard/plugin-shipyard-backend';
  const node = '@shipyard/plugin-shipyard-node';
  const common = '@shipyard/plugin-shipyard-common';
  if (![backend, node, common].every(name => tarballs.has(name))) return [];
  const app = fs.mkdtempSync(path.join(out, 'probe-worker-'));
  const problems = [];
  try {
    for (const name of [backend, node, common]) {
      const target = path.join(app, 'node_modules', name);
      fs.mkdirSync(target, { recursive: true });
      execFileSync('tar', [
        '-xzf',
        tarballs.get(name),
        '-C',
        target,
        '--strip-components=1',
      ]);
    }
    const script = `
const http = require('node:http');
const { ProbeWorker } = require('${backend}/dist/probes/ProbeWorker.cjs.js');
const { KubeCredentials } = require('${node}/kube');
const server = http.createServer((req, res) => res.end(req.url === '/readyz' ? 'ok' : '{}'));
server.listen(0, '127.0.0.1', async () => {
  const warnings = [];
  const log = m => warnings.push(m);
  const logger = { error: log, warn: log, info() {}, debug() {}, child: () => logger };
  const worker = new ProbeWorker({ keepAliveMs: 1000, logger });
  const result = await worker.probe({
    target: { key: 'mc/ns/c', managementCluster: 'mc', namespace: 'ns', name: 'c' },
    credentials: new KubeCredentials('http://127.0.0.1:' + server.address().port, { token: 't' }),
    timeoutMs: 5000, maxNodes: 10, kubeSystemChecks: true, discovery: true,
  });
  const threadId = worker.threadId;
  await worker.close();
  server.close();
  if (!result.ok || threadId === undefined || warnings.length > 0) {
    process.stderr.write(JSON.stringify({ result, threadId, warnings }));
    process.exit(1);
  }
});
`;
    const listScript = `
const http = require('node:http');
const { ListWorkers } = require('${backend}/dist/reconcile/ListWorkers.cjs.js');
const { KubeClient } = require('${node}/kube');
const cluster = { apiVersion: 'cluster.x-k8s.io/v1beta2', kind: 'Cluster', metadata: { name: 'c', namespace: 'ns', uid: 'u' }, spec: {} };
const server = http.createServer((req, res) => res.end(JSON.stringify({ items: [cluster], metadata: { resourceVersion: '7' } })));
server.listen(0, '127.0.0.1', async () => {
  const warnings = [];
  const log = m => warnings.push(m);
  const logger = { error: log, warn: log, info() {}, debug() {}, child: () => logger };
  const workers = new ListWorkers({ threads: 1, logger });
  // pages asked for before a thread is ready are read on this thread
  await workers.start();
  const connection = { name: 'mc', url: 'http://127.0.0.1:' + server.address().port, getToken: async () => 't' };
  const client = new KubeClient(connection);
  const lister = workers.lister(connection, {}, new Set(), client);
  const target = { kind: 'Cluster', resourceKind: 'Cluster', group: 'cluster.x-k8s.io', version: 'v1beta2', plural: 'clusters', path: '/apis/cluster.x-k8s.io/v1beta2/clusters' };
  const pages = [];
  for await (const page of lister.list(target, { pageSize: 10, signal: new AbortController().signal })) pages.push(page);
  lister.close();
  await workers.close();
  client.close();
  server.close();
  if (workers.pages.inThreads !== 1 || pages[0]?.items[0]?.record?.name !== 'c' || warnings.length > 0) {
    process.stderr.write(JSON.stringify({ pages, counts: workers.pages, warnings }));
    process.exit(1);
  }
  process.exit(0);
});
`;
    for (const [what, code] of [
      ['a probe', script],
      ['a list', listScript],
    ]) {
      try {
        execFileSync(process.execPath, ['-e', code], {
          cwd: app,
          env: { ...process.env, NODE_PATH: path.join(root, 'node_modules') },
          stdio: ['ignore', 'ignore', 'pipe'],
          timeout: 60_000,
        });
      } catch (error) {
        problems.push(
          `${backend}: ${what} from the packed package did not run in its worker thread: ${
            error.stderr?.toString() || error.message
          }`,
        );
      }
    }
    return problems;
  } finally {
    fs.rmSync(app, { recursive: true, force: true });
  }
}

function dirOf(name) {
  return packages.find(p => p.manifest.name === name).dir;
}

if (problems.length) {
  process.stderr.write(
    `release: ${problems.length} problem(s):\n${problems
      .map(p => `  - ${p}`)
      .join('\n')}\n`,
  );
  process.exit(1);
}
process.stdout.write(
  `release: ${packages.length} packages packed in ${path.relative(
    root,
    out,
  )}/ and checked\n`,
);
