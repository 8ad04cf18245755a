#!/usr/bin/env node
/* eslint-disable no-console */
/*
 * The adopter test: Shipyard installed into a fresh Backstage app exactly as the README's install guide says.
 *
 *   node scripts/adopter-test.js [--dir DIR] [--keep]        (make adopter; ≈ 15 min, most of it the app's install)
 *
 * 1. packs every package as published (scripts/release.js);
 * 2. creates a fresh app with @backstage/create-app (the release line of backstage.json);
 * 3. applies the guide: the packages added from the tarballs, the backend modules, the configuration, the catalog
 *    location of the templates and example profiles, the permission policy;
 * 4. type-checks the app;
 * 5. boots its backend against the fleet simulator and checks the fleet API, the catalog's cluster entities, the
 *    scaffolder actions, and one cluster request through the request template that completes.
 * Needs the package registry (the app's dependencies), nothing else. Leaves DIR behind with --keep.
 */
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const root = path.resolve(__dirname, '..');
// the create-app release that creates apps of the release line in backstage.json
const CREATE_APP = '@backstage/create-app@0.9.2';
const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    keep: { type: 'boolean', default: false },
    // reuse DIR/app and DIR/release of an earlier --keep run (while changing this test)
    reuse: { type: 'boolean', default: false },
  },
});
const dir = path.resolve(
  values.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-adopter-')),
);
const app = path.join(dir, 'app');
const release = path.join(dir, 'release');
const children = [];
const started = Date.now();
let stepStarted = Date.now();

function step(text) {
  const now = Date.now();
  console.log(
    `adopter: ${text} (${((now - started) / 1000).toFixed(0)} s so far)`,
  );
  stepStarted = now;
}
function done() {
  console.log(
    `adopter:   done in ${((Date.now() - stepStarted) / 1000).toFixed(1)} s`,
  );
}
function run(cmd, args, opts = {}) {
  execFileSync(cmd, args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    ...opts,
    env: { ...process.env, ...opts.env },
  });
}
function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}
function writeJson(file, value) {
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}
async function eventually(what, fn, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const result = await fn();
      if (result) return result;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(
        `${what}: not within ${timeoutMs / 1000} s${
          last ? ` (${last.message})` : ''
        }`,
      );
    await new Promise(r => setTimeout(r, 1000));
  }
}
function startChild(name, cmd, args, opts) {
  const log = fs.openSync(path.join(dir, `${name}.log`), 'w');
  const child = spawn(cmd, args, {
    ...opts,
    stdio: ['ignore', log, log],
    detached: true,
  });
  children.push(child);
  return child;
}
function stopChildren() {
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}
process.on('exit', stopChildren);
process.on('SIGINT', () => process.exit(130));

async function main() {
  fs.mkdirSync(dir, { recursive: true });
  console.log(`adopter: working in ${dir}`);

  const reuse = values.reuse && fs.existsSync(path.join(app, 'node_modules'));
  const guide = guideSteps();
  if (!reuse) await install(guide);

  step('applying the guide to the backend and the configuration');
  const backendIndex = path.join(app, 'packages/backend/src/index.ts');
  let source = fs.readFileSync(backendIndex, 'utf8');
  source = source.replace(
    "backend.add(\n  import('@backstage/plugin-permission-backend-module-allow-all-policy'),\n);\n",
    '',
  );
  if (!source.includes(guide.backendAdds[0]))
    source = source.replace(
      'backend.start();',
      `${guide.backendAdds.join('\n')}\n\nbackend.start();`,
    );
  fs.writeFileSync(backendIndex, source);
  if (source.includes('allow-all-policy'))
    throw new Error(
      'the fresh app registers its allow-all policy in a form this test does not recognise',
    );
  done();

  step('type-checking the app');
  run('yarn', ['tsc'], { cwd: app });
  done();

  step('checking that Shipyard adds no second copy of a Backstage library');
  const added = backstageCopiesAddedByShipyard();
  if (added.length > 0)
    throw new Error(
      `Shipyard's packages bring Backstage libraries in versions the app does not hold: ${added.join(
        ', ',
      )}`,
    );
  done();

  step('starting the fleet simulator and the app backend');
  const kubeconfig = path.join(dir, 'fleet.kubeconfig');
  const sim = startChild(
    'fleet-sim',
    process.execPath,
    [
      path.join(root, 'packages/fleet-sim/bin/fleet-sim'),
      '--management',
      '2',
      '--clusters',
      '12',
      '--seed',
      'adopter',
      '--step-ms',
      '300',
      '--kubeconfig',
      kubeconfig,
    ],
    { cwd: root },
  );
  await eventually(
    'the simulator writes its kubeconfig',
    () => sim.exitCode === null && fs.existsSync(kubeconfig),
    60_000,
  );
  const contexts = execFileSync(
    'kubectl',
    ['--kubeconfig', kubeconfig, 'config', 'get-contexts', '-o', 'name'],
    { encoding: 'utf8', env: { ...process.env, HOME: dir } },
  )
    .split('\n')
    .filter(Boolean);
  const port = await freePort();
  const config = path.join(app, 'app-config.shipyard.yaml');
  fs.writeFileSync(config, guide.config({ kubeconfig, contexts, port }));
  // the catalog location goes next to the app's own (a later configuration file would replace the list)
  const { parseDocument } = require(require.resolve('yaml', { paths: [root] }));
  const appConfigFile = path.join(app, 'app-config.yaml');
  const appConfig = parseDocument(fs.readFileSync(appConfigFile, 'utf8'));
  const locations = appConfig.getIn(['catalog', 'locations']);
  if (!locations.items.some(l => String(l.get('target')).includes('@shipyard')))
    locations.add(appConfig.createNode(guide.location));
  // the guide's last step: a profile of the adopter's own, copied from an example and opened to their group
  const profile = parseDocument(
    fs.readFileSync(
      path.join(
        app,
        'node_modules/@shipyard/plugin-catalog-backend-module-shipyard/catalog/profiles/kubeadm-standard.yaml',
      ),
      'utf8',
    ),
  );
  profile.setIn(['metadata', 'name'], 'guests-kubeadm');
  profile.setIn(['metadata', 'title'], 'kubeadm for the guests');
  profile.setIn(['spec', 'allowedGroups'], ['group:default/guests']);
  fs.writeFileSync(
    path.join(app, 'examples/shipyard-profile.yaml'),
    profile.toString(),
  );
  if (
    !locations.items.some(l =>
      String(l.get('target')).includes('shipyard-profile'),
    )
  )
    locations.add(
      appConfig.createNode({
        type: 'file',
        target: '../../examples/shipyard-profile.yaml',
      }),
    );
  fs.writeFileSync(appConfigFile, appConfig.toString());
  const backend = startChild(
    'backend',
    'yarn',
    [
      'workspace',
      'backend',
      'start',
      '--config',
      '../../app-config.yaml',
      '--config',
      '../../app-config.shipyard.yaml',
    ],
    { cwd: app },
  );
  const base = `http://localhost:${port}`;
  const signIn = async () => {
    const res = await fetch(`${base}/api/auth/guest/refresh`);
    return res.ok ? (await res.json()).backstageIdentity.token : undefined;
  };
  let token = await eventually(
    'the backend answers a guest sign-in',
    async () => {
      if (backend.exitCode !== null)
        throw new Error(`the backend exited with ${backend.exitCode}`);
      return signIn();
    },
    300_000,
  );
  const get = async p => {
    const res = await fetch(`${base}${p}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (!res.ok) throw new Error(`GET ${p}: ${res.status}`);
    return res.json();
  };
  done();

  step('checking the fleet API');
  const fleet = await eventually(
    'GET /api/shipyard/clusters lists the simulated clusters',
    async () => {
      const body = await get('/api/shipyard/clusters?limit=100');
      return body.items.length >= 12 ? body : undefined;
    },
    120_000,
  );
  console.log(`adopter:   ${fleet.items.length} clusters in the fleet API`);

  step('checking the catalog');
  const entities = await eventually(
    'the catalog has an entity per cluster and the example profiles',
    async () => {
      const clusters = await get(
        '/api/catalog/entities/by-query?filter=kind=resource,spec.type=kubernetes-cluster&limit=100',
      );
      const profiles = await get(
        '/api/catalog/entities/by-query?filter=kind=clusterprofile&limit=100',
      );
      const templates = await get(
        '/api/catalog/entities/by-query?filter=kind=template,metadata.tags=shipyard&limit=100',
      );
      return clusters.items.length >= 12 &&
        profiles.items.length >= 7 &&
        templates.items.length >= 3
        ? { clusters, profiles, templates }
        : undefined;
    },
    180_000,
  );
  console.log(
    `adopter:   ${entities.clusters.items.length} cluster entities, ${entities.profiles.items.length} profiles, ${entities.templates.items.length} templates`,
  );

  // signed in again: the guest's groups come from the catalog, which holds them now
  token = await signIn();

  step('checking the scaffolder actions');
  const actions = (await get('/api/scaffolder/v2/actions')).map(a => a.id);
  for (const id of [
    'shipyard:cluster:create',
    'shipyard:cluster:wait',
    'shipyard:cluster:upgrade',
    'shipyard:cluster:record-pull-request',
  ])
    if (!actions.includes(id)) throw new Error(`the scaffolder lacks ${id}`);

  step('requesting a cluster through the request template');
  const res = await fetch(`${base}/api/scaffolder/v2/tasks`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      templateRef: 'template:default/request-cluster',
      values: {
        profile: 'clusterprofile:default/guests-kubeadm',
        name: 'adopter-dev',
        owner: 'group:default/guests',
        managementCluster: contexts[0],
      },
    }),
  });
  if (!res.ok)
    throw new Error(
      `POST /api/scaffolder/v2/tasks: ${res.status} ${await res.text()}`,
    );
  const { id } = await res.json();
  const task = await eventually(
    'the request task ends',
    async () => {
      const t = await get(`/api/scaffolder/v2/tasks/${id}`);
      return ['completed', 'failed', 'cancelled'].includes(t.status)
        ? t
        : undefined;
    },
    300_000,
  );
  if (task.status !== 'completed') {
    const events = await get(`/api/scaffolder/v2/tasks/${id}/events`);
    throw new Error(
      `the request task ${task.status}:\n${events
        .map(e => e.body?.message)
        .filter(Boolean)
        .join('\n')}`,
    );
  }
  const created = await get(
    `/api/shipyard/clusters/${contexts[0]}/guests/adopter-dev`,
  ).catch(() => undefined);
  console.log(
    `adopter:   request completed; adopter-dev is ${
      created?.summary?.health ?? 'in the fleet'
    }`,
  );

  step('checking the health probes (in their worker thread, from the package)');
  const backendLog = () =>
    fs.readFileSync(path.join(dir, 'backend.log'), 'utf8');
  const round = await eventually(
    'a health round probed the workload clusters',
    async () =>
      /Shipyard health round: probed [1-9]\d* of \d+ clusters[^\n]*/.exec(
        backendLog(),
      )?.[0],
    120_000,
  );
  console.log(`adopter:   ${round}`);
  const workerProblem =
    /the probe worker thread (did not start|ended)[^\n]*/.exec(backendLog());
  if (workerProblem) throw new Error(workerProblem[0]);
  done();

  console.log(
    `adopter: passed in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
}

async function install(guide) {
  step('packing the packages as published');
  run('node', [path.join(root, 'scripts/release.js'), '--out', release]);
  done();

  step(`creating a fresh app (${CREATE_APP})`);
  fs.rmSync(app, { recursive: true, force: true });
  run('npx', ['-y', CREATE_APP, '--skip-install', '--path', app], {
    cwd: dir,
    env: { BACKSTAGE_APP_NAME: 'adopter' },
  });
  done();

  // The install guide, "From the packed tarballs": point the package names at the tarballs. From a registry that
  // has the packages published, this step is not needed.
  step('installing the Shipyard packages (install guide)');
  const manifest = readJson(path.join(app, 'package.json'));
  manifest.resolutions = manifest.resolutions ?? {};
  for (const file of fs.readdirSync(release)) {
    const name = readJsonFromTarball(path.join(release, file)).name;
    manifest.resolutions[name] = `file:${path.join(release, file)}`;
  }
  // The registry this project installs from lacks some non-Linux platform binaries; the repository pins them
  // (yarn resolutions) and so must an app installed here. Not part of the guide.
  for (const [key, value] of Object.entries(
    readJson(path.join(root, 'package.json')).resolutions ?? {},
  ))
    if (key.includes('@npm:')) manifest.resolutions[key] = value;
  writeJson(path.join(app, 'package.json'), manifest);
  // A fresh app created without create-app's yarn.lock seed (fetched from outside the package registry) resolves
  // plugins of a newer release than its backend-defaults range allows (the signals backend then fails to start):
  // the newer backend-defaults comes with the first install. Not part of the guide.
  guide.yarnAdds[0].push('@backstage/backend-defaults@^0.19.0');
  for (const args of guide.yarnAdds) run('yarn', args, { cwd: app });
  done();
}

/**
 * The Backstage libraries installed below a Shipyard package (name@version) in a version that nothing else in the
 * app holds: each one is a copy the app carries only because of Shipyard's dependency ranges.
 */
function backstageCopiesAddedByShipyard() {
  const outside = new Set();
  const below = [];
  const walk = (modules, underShipyard) => {
    if (!fs.existsSync(modules)) return;
    for (const entry of fs.readdirSync(modules)) {
      if (entry.startsWith('.')) continue;
      const names = entry.startsWith('@')
        ? fs.readdirSync(path.join(modules, entry)).map(n => `${entry}/${n}`)
        : [entry];
      for (const name of names) {
        const pkgDir = path.join(modules, name);
        const manifestFile = path.join(pkgDir, 'package.json');
        if (!fs.existsSync(manifestFile)) continue;
        const inShipyard = underShipyard || name.startsWith('@shipyard/');
        if (name.startsWith('@backstage/')) {
          const id = `${name}@${readJson(manifestFile).version}`;
          if (inShipyard) below.push(id);
          else outside.add(id);
        }
        walk(path.join(pkgDir, 'node_modules'), inShipyard);
      }
    }
  };
  walk(path.join(app, 'node_modules'), false);
  for (const workspace of ['packages/app', 'packages/backend'])
    walk(path.join(app, workspace, 'node_modules'), false);
  return [...new Set(below.filter(id => !outside.has(id)))].sort();
}

function readJsonFromTarball(tarball) {
  return JSON.parse(
    execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], {
      encoding: 'utf8',
    }),
  );
}

/** The install guide's steps, as the README shows them. */
function guideSteps() {
  const backendPackages = [
    '@shipyard/plugin-shipyard-backend',
    '@shipyard/plugin-catalog-backend-module-shipyard',
    '@shipyard/plugin-scaffolder-backend-module-shipyard',
    '@shipyard/plugin-permission-backend-module-shipyard',
    '@shipyard/plugin-kubernetes-backend-module-shipyard',
  ];
  const version = `^${
    readJson(path.join(root, 'plugins/shipyard-backend/package.json')).version
  }`;
  return {
    yarnAdds: [
      [
        'workspace',
        'backend',
        'add',
        ...backendPackages.map(p => `${p}@${version}`),
      ],
      ['workspace', 'app', 'add', `@shipyard/plugin-shipyard@${version}`],
    ],
    location: {
      type: 'file',
      target:
        '../../node_modules/@shipyard/plugin-catalog-backend-module-shipyard/catalog/all.yaml',
    },
    backendAdds: backendPackages.map(p => `backend.add(import('${p}'));`),
    config: ({ kubeconfig, contexts, port }) =>
      `${[
        'backend:',
        `  baseUrl: http://localhost:${port}`,
        `  listen: { port: ${port} }`,
        'auth:',
        '  providers:',
        '    guest: { userEntityRef: user:default/guest, dangerouslyAllowOutsideDevelopment: true }',
        'permission:',
        '  enabled: true',
        'catalog:',
        '  rules:',
        '    - allow: [Component, System, API, Resource, Location, Group, User, Template, ClusterProfile]',
        'kubernetes:',
        '  serviceLocatorMethod: { type: catalogRelation }',
        '  clusterLocatorMethods: []',
        'shipyard:',
        // the fresh app's example organisation: its guest user is a member of group guests
        '  platformTeam: group:default/guests',
        '  managementClusters:',
        ...contexts.flatMap(name => [
          `    - name: ${name}`,
          `      auth: { type: kubeconfig, file: ${kubeconfig}, context: ${name} }`,
        ]),
      ].join('\n')}\n`,
  };
}

main().then(
  () => {
    stopChildren();
    if (!values.keep) fs.rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  },
  error => {
    console.error(`adopter: FAILED: ${error.message}`);
    console.error(`adopter: logs in ${dir} (fleet-sim.log, backend.log)`);
    stopChildren();
    process.exit(1);
  },
);
