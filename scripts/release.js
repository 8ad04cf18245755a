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
}

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
  if ([...files].some(f => /(^|\/)src\/|\.test\.|__testUtils__/.test(f)))
    problem('sources or tests are in the tarball');
  return found;
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
