import fs from 'node:fs';
import path from 'node:path';
import { startFleetSim, FleetSim } from '../sim/sim';
import {
  eventually,
  example,
  kubectl,
  kubectlSpawn,
  tempDir,
} from '../__testUtils__';

// Each suite starts a simulator; the machines running the tests may be busy.
jest.setTimeout(30_000);

const NS = 'team-a';
const VARS = {
  CLUSTER_NAME: 'dev-1',
  NAMESPACE: NS,
  KUBERNETES_VERSION: 'v1.34.7',
  CONTROL_PLANE_MACHINE_COUNT: '1',
  WORKER_MACHINE_COUNT: '2',
  DOCKER_SERVICE_CIDRS: '10.128.0.0/12',
  DOCKER_POD_CIDRS: '192.168.0.0/16',
  DOCKER_SERVICE_DOMAIN: 'cluster.local',
};

describe('kubectl conformance', () => {
  let sim: FleetSim;
  let dir: string;
  let kubeconfig: string;
  let mgmt: string;

  const k = (args: string[], input?: string) =>
    kubectl(args, kubeconfig, input);
  const file = (name: string, vars: Record<string, string> = VARS) => {
    const p = path.join(dir, `${vars.CLUSTER_NAME}-${name}`);
    fs.writeFileSync(p, example(name, vars));
    return p;
  };

  beforeAll(async () => {
    dir = tempDir();
    kubeconfig = path.join(dir, 'kubeconfig');
    sim = await startFleetSim({
      managementClusters: 2,
      clusters: 16,
      seed: 'kubectl',
      anomalies: false,
      kubeconfigPath: kubeconfig,
      timing: { stepMs: 30 },
    });
    mgmt = sim.managementClusters[0].name;
  });

  afterAll(async () => {
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const seeded = () => sim.model.clusters.filter(c => c.management === mgmt);

  it('writes a kubeconfig with one context per management cluster', async () => {
    const res = await k(['config', 'get-contexts', '-o', 'name']);
    expect(res.stdout.trim().split('\n').sort()).toEqual(
      sim.managementClusters.map(m => m.name).sort(),
    );
    const version = await k(['version', '-o', 'json']);
    expect(JSON.parse(version.stdout).serverVersion.gitVersion).toBe(
      sim.managementClusters[0].kubernetesVersion,
    );
  });

  it('gets the seeded clusters of every namespace with CAPI printer columns', async () => {
    const res = await k(['get', 'clusters', '-A']);
    expect(res.code).toBe(0);
    const [header, ...rows] = res.stdout.trim().split('\n');
    expect(header).toMatch(
      /^NAMESPACE\s+NAME\s+CLUSTERCLASS\s+AVAILABLE\s+CP DESIRED.*PHASE\s+AGE\s+VERSION$/,
    );
    const names = rows.map(r => r.split(/\s+/).slice(0, 2).join('/')).sort();
    expect(names).toEqual(
      seeded()
        .map(c => `${c.namespace}/${c.name}`)
        .sort(),
    );
    expect(
      rows.every(r => /\sTrue\s/.test(r) && /\sProvisioned\s/.test(r)),
    ).toBe(true);
    const json = JSON.parse(
      (await k(['get', 'cl', '-A', '-o', 'json'])).stdout,
    );
    expect(json.items).toHaveLength(seeded().length);
  });

  it('pages with --chunk-size and reads the same objects', async () => {
    const full = await k(['get', 'machines', '-A', '-o', 'name']);
    const chunked = await k([
      'get',
      'machines',
      '-A',
      '-o',
      'name',
      '--chunk-size=7',
      '-v=6',
    ]);
    expect(chunked.code).toBe(0);
    const all = full.stdout.trim().split('\n');
    expect(all.length).toBeGreaterThan(14);
    expect(chunked.stdout.trim().split('\n')).toEqual(all);
    const continued = chunked.stderr
      .split('\n')
      .filter(l => /limit=7/.test(l) && /continue=/.test(l));
    expect(continued.length).toBe(Math.ceil(all.length / 7) - 1);
  });

  it('filters with label selectors', async () => {
    const names = async (selector: string) =>
      (
        await k([
          'get',
          'clusters',
          '-A',
          '-l',
          selector,
          '-o',
          'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{"\\n"}{end}',
        ])
      ).stdout
        .split('\n')
        .filter(Boolean)
        .sort();
    const expected = (pred: (labels: Record<string, string>) => boolean) =>
      seeded()
        .filter(c => pred(c.labels))
        .map(c => `${c.namespace}/${c.name}`)
        .sort();
    const owned = await names('shipyard.io/owner=team-a');
    expect(owned).toEqual(expected(l => l['shipyard.io/owner'] === 'team-a'));
    expect(await names('shipyard.io/owner in (team-a,team-b)')).toEqual(
      expected(l => ['team-a', 'team-b'].includes(l['shipyard.io/owner'])),
    );
    expect(await names('!shipyard.io/owner')).toEqual(
      expected(l => l['shipyard.io/owner'] === undefined),
    );
    expect(await names('environment!=prod,shipyard.io/lifecycle')).toEqual(
      expected(
        l =>
          l.environment !== 'prod' && l['shipyard.io/lifecycle'] !== undefined,
      ),
    );
    expect(
      owned.length + (await names('shipyard.io/owner notin (team-a)')).length,
    ).toBe(seeded().length);
  });

  it('creates from files, refuses duplicates, and explains kinds from the OpenAPI document', async () => {
    const created = await k([
      'create',
      '-n',
      NS,
      '-f',
      file('clusterclass-quick-start.yaml'),
    ]);
    expect(created.stderr).toBe('');
    expect(created.stdout).toContain(
      'clusterclass.cluster.x-k8s.io/quick-start created',
    );
    expect(created.stdout).toContain(
      'devmachinepooltemplate.infrastructure.cluster.x-k8s.io/quick-start-default-worker-machinepooltemplate created',
    );
    const again = await k([
      'create',
      '-n',
      NS,
      '-f',
      file('clusterclass-quick-start.yaml'),
    ]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('Error from server (AlreadyExists)');
    const explain = await k(['explain', 'clusters.spec.topology.version']);
    expect(explain.code).toBe(0);
    expect(explain.stdout).toContain('version');
  });

  it('applies client-side, then reports unchanged and configured', async () => {
    const p = file('cluster-template-development.yaml');
    expect((await k(['apply', '-f', p])).stdout.trim()).toBe(
      'cluster.cluster.x-k8s.io/dev-1 created',
    );
    expect((await k(['apply', '-f', p])).stdout.trim()).toBe(
      'cluster.cluster.x-k8s.io/dev-1 unchanged',
    );
    fs.writeFileSync(
      p,
      fs
        .readFileSync(p, 'utf8')
        .replace(
          'name: md-0\n        replicas: 2',
          'name: md-0\n        replicas: 3',
        ),
    );
    expect((await k(['apply', '-f', p])).stdout.trim()).toBe(
      'cluster.cluster.x-k8s.io/dev-1 configured',
    );
    const strict = await k(
      ['apply', '-f', '-'],
      'apiVersion: cluster.x-k8s.io/v1beta2\nkind: Cluster\nmetadata:\n  name: bad\n  namespace: team-a\nspec:\n  nonsense: 1\n',
    );
    expect(strict.code).not.toBe(0);
    expect(strict.stderr).toContain('unknown field "spec.nonsense"');
  });

  it('applies server-side with field ownership and conflicts', async () => {
    const vars = { ...VARS, CLUSTER_NAME: 'classic' };
    const p = file('e2e-bases-cluster-with-kcp.yaml', vars);
    const res = await k(['apply', '--server-side', '-n', NS, '-f', p]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(
      'cluster.cluster.x-k8s.io/classic serverside-applied',
    );
    expect(res.stdout).toContain(
      'kubeadmcontrolplane.controlplane.cluster.x-k8s.io/classic-control-plane serverside-applied',
    );
    const managed = JSON.parse(
      (
        await k([
          'get',
          'kcp',
          '-n',
          NS,
          'classic-control-plane',
          '-o',
          'json',
          '--show-managed-fields',
        ])
      ).stdout,
    );
    expect(
      managed.metadata.managedFields.map((m: { manager: string }) => m.manager),
    ).toContain('kubectl');
    const other = (
      await k([
        'apply',
        '--server-side',
        '--field-manager=other',
        '-n',
        NS,
        '-f',
        p,
      ])
    ).stdout;
    expect(other).toContain('serverside-applied');
    fs.writeFileSync(
      p,
      fs
        .readFileSync(p, 'utf8')
        .replace('version: "v1.34.7"', 'version: "v1.35.5"'),
    );
    const conflict = await k([
      'apply',
      '--server-side',
      '--field-manager=other',
      '-n',
      NS,
      '-f',
      p,
    ]);
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toMatch(/conflict/i);
    const forced = await k([
      'apply',
      '--server-side',
      '--field-manager=other',
      '--force-conflicts',
      '-n',
      NS,
      '-f',
      p,
    ]);
    expect(forced.code).toBe(0);
    expect(
      (
        await k([
          'get',
          'kcp',
          '-n',
          NS,
          'classic-control-plane',
          '-o',
          'jsonpath={.spec.version}',
        ])
      ).stdout,
    ).toBe('v1.35.5');
  });

  it('patches with --type=merge and scales through the scale subresource', async () => {
    const res = await k([
      'patch',
      'cluster',
      'dev-1',
      '-n',
      NS,
      '--type=merge',
      '-p',
      '{"metadata":{"labels":{"shipyard.io/owner":"team-a"}}}',
    ]);
    expect(res.stdout.trim()).toBe('cluster.cluster.x-k8s.io/dev-1 patched');
    expect(
      (
        await k([
          'get',
          'cl',
          'dev-1',
          '-n',
          NS,
          '-o',
          'jsonpath={.metadata.labels.shipyard\\.io/owner}',
        ])
      ).stdout,
    ).toBe('team-a');
    const bad = await k([
      'patch',
      'cluster',
      'dev-1',
      '-n',
      NS,
      '--type=strategic',
      '-p',
      '{"metadata":{}}',
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(
      /UnsupportedMediaType|unknown format|strategic/i,
    );
    const md = seeded().find(
      c => c.flavor.workers === 'MachineDeployment' && !c.className,
    );
    if (!md) throw new Error('no seeded MachineDeployment');
    const scaled = await k([
      'scale',
      'machinedeployment',
      md.pools[0].objectName,
      '-n',
      md.namespace,
      '--replicas=1',
    ]);
    expect(scaled.code).toBe(0);
    expect(
      (
        await k([
          'get',
          'md',
          md.pools[0].objectName,
          '-n',
          md.namespace,
          '-o',
          'jsonpath={.spec.replicas}',
        ])
      ).stdout,
    ).toBe('1');
  });

  it('watches with get -w', async () => {
    const api = sim.management(mgmt).api;
    await eventually(
      () =>
        (
          api.tryGet(api.type('cluster.x-k8s.io/clusters'), NS, 'dev-1')
            ?.status as any
        )?.phase === 'Provisioned',
      20000,
    );
    const w = kubectlSpawn(
      [
        'get',
        'clusters',
        '-n',
        NS,
        '-w',
        '-o',
        'custom-columns=NAME:.metadata.name,LABEL:.metadata.labels.watched',
      ],
      kubeconfig,
    );
    try {
      await eventually(() => w.output().includes('dev-1'), 10000);
      await k(['label', 'cluster', 'dev-1', '-n', NS, 'watched=yes']);
      await eventually(() => /dev-1\s+yes/.test(w.output()), 10000);
      const tableWatch = kubectlSpawn(
        ['get', 'clusters', '-n', NS, '-w'],
        kubeconfig,
      );
      try {
        await eventually(
          () =>
            /NAME\s+CLUSTERCLASS/.test(tableWatch.output()) &&
            tableWatch.output().includes('dev-1'),
          10000,
        );
        await k([
          'label',
          'cluster',
          'dev-1',
          '-n',
          NS,
          'watched=again',
          '--overwrite',
        ]);
        await eventually(
          () =>
            tableWatch
              .output()
              .split('\n')
              .filter(l => l.startsWith('dev-1')).length >= 2,
          10000,
        );
        expect(tableWatch.output().split('\n')[0]).toMatch(
          /^NAME\s+CLUSTERCLASS\s+AVAILABLE/,
        );
      } finally {
        tableWatch.child.kill();
      }
    } finally {
      w.child.kill();
      fs.rmSync(w.home, { recursive: true, force: true });
    }
  });

  it('reads v1beta1 with the v1beta2 conditions under status.v1beta2', async () => {
    const res = await k([
      'get',
      'clusters.v1beta1.cluster.x-k8s.io',
      'dev-1',
      '-n',
      NS,
      '-o',
      'json',
    ]);
    const obj = JSON.parse(res.stdout);
    expect(obj.apiVersion).toBe('cluster.x-k8s.io/v1beta1');
    expect(obj.spec.topology.class).toBe('quick-start');
    expect(
      obj.status.v1beta2.conditions.find(
        (c: { type: string }) => c.type === 'Available',
      ).status,
    ).toBe('True');
    expect(
      obj.status.conditions.find((c: { type: string }) => c.type === 'Ready')
        .status,
    ).toBe('True');
  });

  it('deletes with --wait once the controller has torn the cluster down', async () => {
    const res = await k([
      'delete',
      'cluster',
      'dev-1',
      '-n',
      NS,
      '--wait=true',
      '--timeout=30s',
    ]);
    expect(res.code).toBe(0);
    expect(res.stdout.trim()).toBe('cluster.cluster.x-k8s.io "dev-1" deleted');
    const gone = await k(['get', 'cluster', 'dev-1', '-n', NS]);
    expect(gone.stderr).toContain(
      'Error from server (NotFound): clusters.cluster.x-k8s.io "dev-1" not found',
    );
    expect(
      (
        await k([
          'get',
          'machines',
          '-n',
          NS,
          '-l',
          'cluster.x-k8s.io/cluster-name=dev-1',
          '-o',
          'name',
        ])
      ).stdout.trim(),
    ).toBe('');
  });

  it('rejects a wrong token and limits the viewer token', async () => {
    const wrong = await k(['--token=not-a-token', 'get', 'clusters', '-A']);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/Unauthorized|must be logged in/);
    const viewer = sim.managementClusters[0].viewerToken;
    expect(
      (await k([`--token=${viewer}`, 'get', 'clusters', '-A', '-o', 'name']))
        .code,
    ).toBe(0);
    const secrets = await k([`--token=${viewer}`, 'get', 'secrets', '-A']);
    expect(secrets.stderr).toContain('Error from server (Forbidden)');
    const write = await k([
      `--token=${viewer}`,
      'label',
      'ns',
      'default',
      'x=y',
    ]);
    expect(write.stderr).toContain('Forbidden');
  });
});
