import { generateFleet } from './model';
import { DISTRIBUTIONS, minorOf } from '../capi/distributions';
import { startFleetSim, FleetSim } from '../sim/sim';
import { request } from '../__testUtils__';
import { hasBuiltinSchema } from '../api/crds';
import { schemaFor, validateAndPrune } from '../api/schema';

// Each suite starts a simulator; the machines running the tests may be busy.
jest.setTimeout(30_000);

const options = (seed: string, clusters = 300) => ({
  managementClusters: 3,
  clusters,
  seed,
  teams: ['team-a', 'team-b', 'team-c'],
  anomalies: true,
  now: Date.parse('2026-11-01T00:00:00Z'),
});

describe('seeded fleet', () => {
  it('is reproducible from its seed', () => {
    const a = generateFleet(options('one'));
    const b = generateFleet(options('one'));
    const c = generateFleet(options('two'));
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(c.clusters.map(x => x.name)).not.toEqual(
      a.clusters.map(x => x.name),
    );
  });

  it('spreads clusters over management clusters, teams, providers, distributions and versions', () => {
    const fleet = generateFleet(options('variety'));
    expect(new Set(fleet.clusters.map(c => c.management)).size).toBe(3);
    expect(new Set(fleet.clusters.map(c => c.flavor.distribution))).toEqual(
      new Set(DISTRIBUTIONS),
    );
    expect(new Set(fleet.clusters.map(c => c.flavor.provider))).toEqual(
      new Set(['docker', 'aws', 'azure', 'gcp']),
    );
    const minors = new Set(fleet.clusters.map(c => minorOf(c.kube)));
    expect(minors.has('1.36')).toBe(true);
    expect([...minors].some(m => Number(m.split('.')[1]) <= 31)).toBe(true);
    for (const m of fleet.managements) {
      expect(m.classes.length).toBeGreaterThanOrEqual(1);
      expect(m.classes.length).toBeLessThanOrEqual(3);
    }
    const owned = fleet.clusters.filter(c => c.labels['shipyard.io/owner']);
    const byNamespaceOnly = fleet.clusters.filter(
      c => !c.labels['shipyard.io/owner'] && c.namespace.startsWith('team-'),
    );
    const unowned = fleet.clusters.filter(
      c => !c.labels['shipyard.io/owner'] && !c.namespace.startsWith('team-'),
    );
    expect(owned.length).toBeGreaterThan(100);
    expect(byNamespaceOnly.length).toBeGreaterThan(30);
    expect(unowned.length).toBeGreaterThan(0);
    expect(
      fleet.clusters.filter(
        c =>
          c.labels['shipyard.io/profile'] &&
          c.labels['shipyard.io/profile-version'],
      ).length,
    ).toBeGreaterThan(60);
    expect(new Set(fleet.clusters.map(c => c.state))).toEqual(
      new Set([
        'healthy',
        'provisioning',
        'upgrading',
        'degraded',
        'controlPlaneDown',
        'unreachable',
      ]),
    );
    const keys = fleet.clusters.map(
      c => `${c.management}/${c.namespace}/${c.name}`,
    );
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('seeded workload clusters', () => {
  let sim: FleetSim;
  let ca: string;

  beforeAll(async () => {
    sim = await startFleetSim({
      managementClusters: 2,
      clusters: 60,
      seed: 'workloads',
      anomalies: false,
      timing: { stepMs: 50 },
    });
    ca = Buffer.from(sim.caData, 'base64').toString('utf8');
  });

  afterAll(async () => {
    await sim.stop();
  });

  it('answers /version, /readyz and nodes the way each distribution does', async () => {
    const suffix: Record<string, RegExp> = {
      kubeadm: /^v1\.\d+\.\d+$/,
      k3s: /^v1\.\d+\.\d+\+k3s1$/,
      rke2: /^v1\.\d+\.\d+\+rke2r1$/,
      k0s: /^v1\.\d+\.\d+\+k0s$/,
      eks: /^v1\.\d+\.\d+-eks-[0-9a-f]{7}$/,
      gke: /^v1\.\d+\.\d+-gke\.\d+$/,
      aks: /^v1\.\d+\.\d+$/,
      openshift: /^v1\.\d+\.\d+\+[0-9a-f]{7}$/,
    };
    const seen = new Set<string>();
    const nodeLabels = new Map<string, Record<string, string>>();
    const apiGroups = new Map<string, string[]>();
    for (const w of sim.workloadClusters()) {
      if (seen.has(w.distribution)) continue;
      seen.add(w.distribution);
      const version = (
        await request(`${w.url}/version`, { token: w.token, ca })
      ).json();
      expect([w.distribution, version.gitVersion]).toEqual([
        w.distribution,
        expect.stringMatching(suffix[w.distribution]),
      ]);
      expect(version.gitVersion.startsWith(w.kubernetesVersion)).toBe(true);
      expect(
        (await request(`${w.url}/readyz`, { token: w.token, ca })).text,
      ).toBe('ok');
      const nodes = (
        await request(`${w.url}/api/v1/nodes`, { token: w.token, ca })
      ).json().items;
      expect(nodes.length).toBeGreaterThan(0);
      for (const n of nodes) {
        expect(
          n.status.conditions.find((c: any) => c.type === 'Ready').status,
        ).toBe('True');
        expect(
          n.status.nodeInfo.kubeletVersion.startsWith(w.kubernetesVersion),
        ).toBe(true);
      }
      const labels = Object.assign(
        {},
        ...nodes.map((n: any) => n.metadata.labels),
      );
      nodeLabels.set(w.distribution, labels);
      const groups = (await request(`${w.url}/apis`, { token: w.token, ca }))
        .json()
        .groups.map((g: any) => g.name);
      apiGroups.set(w.distribution, groups);
      const pods = (
        await request(`${w.url}/api/v1/namespaces/kube-system/pods`, {
          token: w.token,
          ca,
        })
      ).json().items;
      expect(
        pods.some((p: any) => p.metadata.name.startsWith('kube-proxy-')),
      ).toBe(true);
      expect(
        (await request(`${w.url}/version`, { token: 'wrong', ca })).status,
      ).toBe(401);
    }
    expect([...seen].sort()).toEqual([...DISTRIBUTIONS].sort());
    expect(nodeLabels.get('eks')).toHaveProperty([
      'eks.amazonaws.com/nodegroup',
    ]);
    expect(nodeLabels.get('aks')).toHaveProperty([
      'kubernetes.azure.com/agentpool',
    ]);
    expect(nodeLabels.get('gke')).toHaveProperty([
      'cloud.google.com/gke-nodepool',
    ]);
    expect(nodeLabels.get('openshift')).toHaveProperty(
      ['node.openshift.io/os_id'],
      'rhcos',
    );
    expect(apiGroups.get('openshift')).toContain('config.openshift.io');
    expect(apiGroups.get('kubeadm')).not.toContain('config.openshift.io');
    const openshift = sim
      .workloadClusters()
      .find(w => w.distribution === 'openshift');
    const cv = (
      await request(
        `${openshift?.url}/apis/config.openshift.io/v1/clusterversions/version`,
        {
          token: openshift?.token,
          ca,
        },
      )
    ).json();
    expect(cv.status.desired.version).toMatch(/^4\.\d+\.\d+$/);
  });

  it('runs the demo storefront: what the Kubernetes plugin lists for a component, by its backstage.io/kubernetes-id label', async () => {
    const w = sim.workloadClusters()[0];
    const get = async (path: string) => {
      const res = await request(`${w.url}${path}`, { token: w.token, ca });
      expect(res.status).toBe(200);
      return res.json().items as any[];
    };
    const selector = 'labelSelector=backstage.io%2Fkubernetes-id%3Dstorefront';
    const [deployment] = await get(`/apis/apps/v1/deployments?${selector}`);
    expect(deployment).toMatchObject({
      kind: 'Deployment',
      metadata: { name: 'storefront', namespace: 'storefront' },
      status: { readyReplicas: 2 },
    });
    const [replicaSet] = await get(`/apis/apps/v1/replicasets?${selector}`);
    expect(replicaSet.metadata.ownerReferences[0]).toMatchObject({
      kind: 'Deployment',
      uid: deployment.metadata.uid,
    });
    const pods = await get(`/api/v1/pods?${selector}`);
    expect(pods).toHaveLength(2);
    for (const pod of pods) {
      expect(pod.metadata.ownerReferences[0].uid).toBe(replicaSet.metadata.uid);
      expect(pod.status.phase).toBe('Running');
    }
    expect(await get(`/api/v1/services?${selector}`)).toHaveLength(1);
    expect(
      await get(`/apis/autoscaling/v2/horizontalpodautoscalers?${selector}`),
    ).toHaveLength(1);
    // the other kinds the plugin asks for are served, empty for the demo
    for (const path of [
      '/api/v1/configmaps',
      '/api/v1/limitranges',
      '/api/v1/resourcequotas',
      '/apis/apps/v1/statefulsets',
      '/apis/apps/v1/daemonsets',
      '/apis/batch/v1/jobs',
      '/apis/batch/v1/cronjobs',
      '/apis/networking.k8s.io/v1/ingresses',
    ]) {
      expect(await get(`${path}?${selector}`)).toEqual([]);
    }
    // another component's label selects nothing
    expect(
      await get(
        '/api/v1/pods?labelSelector=backstage.io%2Fkubernetes-id%3Dother',
      ),
    ).toEqual([]);
    // read-only: nothing is created
    const created = await request(
      `${w.url}/apis/apps/v1/namespaces/storefront/deployments`,
      {
        token: w.token,
        ca,
        method: 'POST',
        body: JSON.stringify({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'x' },
        }),
      },
    );
    expect(created.status).toBe(405);
  });

  it('serves the deprecated APIs its clients request in /metrics, some removed by the next minors', async () => {
    const clusters = sim.workloadClusters();
    const texts = await Promise.all(
      clusters.map(async w => {
        const res = await request(`${w.url}/metrics`, { token: w.token, ca });
        expect(res.status).toBe(200);
        return res.text;
      }),
    );
    const using = texts.filter(t =>
      /^apiserver_requested_deprecated_apis\{.*removed_release="1\.\d+".*\} 1$/m.test(
        t,
      ),
    );
    expect(
      texts.every(t =>
        t.includes('# TYPE apiserver_requested_deprecated_apis gauge'),
      ),
    ).toBe(true);
    expect(using.length).toBeGreaterThan(0);
    expect(using.length).toBeLessThan(clusters.length / 2);
    // credentials are needed, as on a real API server
    expect((await request(`${clusters[0].url}/metrics`, { ca })).status).toBe(
      401,
    );

    const w = clusters[0];
    sim.faults.deprecatedApis(w, [
      {
        group: 'flowcontrol.apiserver.k8s.io',
        version: 'v1beta3',
        resource: 'flowschemas',
        removedRelease: '1.32',
      },
    ]);
    expect(
      (await request(`${w.url}/metrics`, { token: w.token, ca })).text,
    ).toContain(
      'apiserver_requested_deprecated_apis{group="flowcontrol.apiserver.k8s.io",removed_release="1.32",resource="flowschemas",subresource="",version="v1beta3"} 1',
    );
    sim.faults.deprecatedApis(w, []);
    expect(
      (await request(`${w.url}/metrics`, { token: w.token, ca })).text,
    ).not.toContain('} 1');
    sim.faults.clear(w);
  });

  it('publishes each workload cluster through a <name>-kubeconfig Secret', async () => {
    const w = sim.workloadClusters()[0];
    const m = sim.managementClusters.find(x => x.name === w.management);
    const secret = (
      await request(
        `${m?.url}/api/v1/namespaces/${w.namespace}/secrets/${w.name}-kubeconfig`,
        { token: m?.token, ca },
      )
    ).json();
    expect(secret.type).toBe('cluster.x-k8s.io/secret');
    expect(secret.metadata.labels['cluster.x-k8s.io/cluster-name']).toBe(
      w.name,
    );
    const kubeconfig = Buffer.from(secret.data.value, 'base64').toString(
      'utf8',
    );
    expect(kubeconfig).toContain(`server: ${w.url}`);
    expect(kubeconfig).toContain(`token: ${w.token}`);
  });

  it('seeds objects that validate against the Cluster API schemas', () => {
    const problems: string[] = [];
    for (const m of sim.managementClusters) {
      const api = sim.management(m.name).api;
      for (const t of api.registry.types) {
        if (!t.custom || !hasBuiltinSchema(t.group, t.kind)) continue;
        for (const text of api.list(t).texts) {
          const obj = JSON.parse(text);
          const result = validateAndPrune(
            obj,
            schemaFor(t, t.versions[0].name),
          );
          result.unknown.forEach(u =>
            problems.push(`${t.kind} ${obj.metadata.name}: unknown ${u}`),
          );
          result.causes.forEach(c =>
            problems.push(
              `${t.kind} ${obj.metadata.name}: ${c.field} ${c.message}`,
            ),
          );
        }
      }
    }
    expect(problems.slice(0, 40)).toEqual([]);
  });
});
