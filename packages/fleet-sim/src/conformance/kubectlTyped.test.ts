import fs from 'node:fs';
import path from 'node:path';
import { startFleetSim, FleetSim } from '../sim/sim';
import { eventually, kubectl, kubectlSpawn, tempDir } from '../__testUtils__';

/*
 * The real kubectl through the typed requests of built-in kinds (protobuf bodies), every patch type, stale
 * replaces, watch events, wide output and describe. Each kubectl run has its own HOME (no cache between runs).
 */

jest.setTimeout(30_000);

const NS = 'typed';

describe('kubectl typed requests and output', () => {
  let sim: FleetSim;
  let dir: string;
  let kubeconfig: string;

  const k = (args: string[], input?: string) =>
    kubectl(args, kubeconfig, input);

  beforeAll(async () => {
    dir = tempDir();
    kubeconfig = path.join(dir, 'kubeconfig');
    sim = await startFleetSim({
      managementClusters: 1,
      clusters: 6,
      seed: 'kubectl-typed',
      anomalies: false,
      kubeconfigPath: kubeconfig,
      timing: { stepMs: 50 },
    });
  });

  afterAll(async () => {
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates a namespace, a secret, a config map and a service account from protobuf bodies', async () => {
    const ns = await k(['create', 'namespace', NS, '-v=8']);
    expect(ns.stdout.trim()).toBe(`namespace/${NS} created`);
    expect(ns.stderr).toContain(
      'Content-Type: application/vnd.kubernetes.protobuf',
    );
    expect(
      (
        await k([
          'create',
          'secret',
          'generic',
          'creds',
          '-n',
          NS,
          '--from-literal=user=admin',
          '--from-literal=password=s3cr3t',
        ])
      ).stdout.trim(),
    ).toBe('secret/creds created');
    expect(
      (
        await k([
          'create',
          'configmap',
          'settings',
          '-n',
          NS,
          '--from-literal=mode=fast',
        ])
      ).stdout.trim(),
    ).toBe('configmap/settings created');
    expect(
      (await k(['create', 'serviceaccount', 'robot', '-n', NS])).stdout.trim(),
    ).toBe('serviceaccount/robot created');
    const secret = JSON.parse(
      (await k(['get', 'secret', 'creds', '-n', NS, '-o', 'json'])).stdout,
    );
    expect(secret.type).toBe('Opaque');
    expect(Buffer.from(secret.data.password, 'base64').toString()).toBe(
      's3cr3t',
    );
    const again = await k(['create', 'configmap', 'settings', '-n', NS]);
    expect(again.stderr).toContain(
      'error: failed to create configmap: configmaps "settings" already exists',
    );
    const listed = await k(['get', 'cm,sa,secret', '-n', NS, '-o', 'name']);
    expect(listed.stdout.split('\n').sort().filter(Boolean)).toEqual([
      'configmap/settings',
      'secret/creds',
      'serviceaccount/robot',
    ]);
  });

  it('patches with JSON patch, merge patch and strategic merge patch', async () => {
    const json = await k([
      'patch',
      'configmap',
      'settings',
      '-n',
      NS,
      '--type=json',
      '-p',
      '[{"op":"add","path":"/data/size","value":"xl"},{"op":"test","path":"/data/mode","value":"fast"}]',
    ]);
    expect(json.stdout.trim()).toBe('configmap/settings patched');
    const failed = await k([
      'patch',
      'configmap',
      'settings',
      '-n',
      NS,
      '--type=json',
      '-p',
      '[{"op":"test","path":"/data/mode","value":"slow"}]',
    ]);
    expect(failed.code).not.toBe(0);
    const merge = await k([
      'patch',
      'configmap',
      'settings',
      '-n',
      NS,
      '--type=merge',
      '-p',
      '{"data":{"mode":null,"tier":"gold"}}',
    ]);
    expect(merge.stdout.trim()).toBe('configmap/settings patched');
    const strategic = await k([
      'patch',
      'serviceaccount',
      'robot',
      '-n',
      NS,
      '-p',
      '{"imagePullSecrets":[{"name":"registry"}],"metadata":{"labels":{"team":"a"}}}',
    ]);
    expect(strategic.stdout.trim()).toBe('serviceaccount/robot patched');
    const cm = JSON.parse(
      (await k(['get', 'cm', 'settings', '-n', NS, '-o', 'json'])).stdout,
    );
    expect(cm.data).toEqual({ size: 'xl', tier: 'gold' });
    const sa = JSON.parse(
      (await k(['get', 'sa', 'robot', '-n', NS, '-o', 'json'])).stdout,
    );
    expect(sa.imagePullSecrets).toEqual([{ name: 'registry' }]);
    expect(sa.metadata.labels).toEqual({ team: 'a' });
    const same = await k([
      'patch',
      'serviceaccount',
      'robot',
      '-n',
      NS,
      '-p',
      '{"metadata":{"labels":{"team":"a"}}}',
    ]);
    expect(same.stdout.trim()).toBe('serviceaccount/robot patched (no change)');
  });

  it('replaces, and refuses a replace with a stale resourceVersion (409)', async () => {
    const text = (
      await k(['get', 'configmap', 'settings', '-n', NS, '-o', 'json'])
    ).stdout;
    const first = JSON.parse(text);
    first.data.replaced = 'once';
    const ok = await k(['replace', '-f', '-'], JSON.stringify(first));
    expect(ok.stdout.trim()).toBe('configmap/settings replaced');
    const stale = JSON.parse(text);
    stale.data.replaced = 'twice';
    const conflict = await k(['replace', '-f', '-'], JSON.stringify(stale));
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain(
      'Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on configmaps "settings": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  it('streams watch events with get -w --output-watch-events', async () => {
    const w = kubectlSpawn(
      ['get', 'configmaps', '-n', NS, '-w', '--output-watch-events'],
      kubeconfig,
    );
    try {
      await eventually(() => /ADDED\s+settings/.test(w.output()), 10000);
      expect(w.output().split('\n')[0]).toMatch(/^EVENT\s+NAME\s+DATA\s+AGE/);
      await k(['create', 'configmap', 'watched', '-n', NS]);
      await eventually(() => /ADDED\s+watched/.test(w.output()), 10000);
      await k(['label', 'configmap', 'watched', '-n', NS, 'seen=yes']);
      await eventually(() => /MODIFIED\s+watched/.test(w.output()), 10000);
      await k(['delete', 'configmap', 'watched', '-n', NS, '--wait']);
      await eventually(() => /DELETED\s+watched/.test(w.output()), 10000);
    } finally {
      w.child.kill();
      fs.rmSync(w.home, { recursive: true, force: true });
    }
  });

  it('shows the wide printer columns and describes objects', async () => {
    const wide = await k(['get', 'machines', '-A', '-o', 'wide']);
    expect(wide.code).toBe(0);
    const header = wide.stdout.split('\n')[0];
    expect(header).toMatch(/\sPROVIDER ID\s/);
    expect(header).toMatch(/\sINTERNAL-IP\s/);
    const narrow = (await k(['get', 'machines', '-A'])).stdout.split('\n')[0];
    expect(narrow).not.toMatch(/PROVIDER ID/);
    const cluster = sim.workloadClusters()[0];
    const described = await k([
      'describe',
      'cluster',
      cluster.name,
      '-n',
      cluster.namespace,
    ]);
    expect(described.code).toBe(0);
    expect(described.stdout).toMatch(
      new RegExp(`^Name:\\s+${cluster.name}$`, 'm'),
    );
    expect(described.stdout).toMatch(
      /^API Version:\s+cluster\.x-k8s\.io\/v1beta2$/m,
    );
    expect(described.stdout).toMatch(/^Kind:\s+Cluster$/m);
    expect(described.stdout).toMatch(/^Status:$/m);
    const cm = await k(['describe', 'configmap', 'settings', '-n', NS]);
    expect(cm.code).toBe(0);
    expect(cm.stdout).toMatch(/^Name:\s+settings$/m);
    expect(cm.stdout).toMatch(/^tier:$/m);
    const secret = await k(['describe', 'secret', 'creds', '-n', NS]);
    expect(secret.stdout).toMatch(/^password:\s+6 bytes$/m);
    const crds = await k(['get', 'crds', '-o', 'name']);
    expect(crds.stdout).toContain(
      'customresourcedefinition.apiextensions.k8s.io/clusters.cluster.x-k8s.io',
    );
  });
});
