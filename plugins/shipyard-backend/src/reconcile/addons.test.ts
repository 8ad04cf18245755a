import type { KubeObject } from '@shipyard/plugin-shipyard-node/kube';
import { evaluateDrift } from '../drift/evaluate';
import { driftProfileOf } from '../drift/profiles';
import { ManagementClusterRecords } from '../records/ManagementClusterRecords';
import { KindObjects } from './KindObjects';
import { makeSummary } from '../__testUtils__/summaries';
import {
  AddonKind,
  addonsOf,
  applyAddonObject,
  projectChartProxy,
  projectHelmReleaseProxy,
} from './addons';

/*
 * Cluster API's add-on objects (ClusterResourceSet + ClusterResourceSetBinding, and the Helm add-on provider's
 * HelmReleaseProxy, one per HelmChartProxy and matching Cluster) projected into the add-on layers of a cluster, and
 * those layers compared with a profile version: installed, failed, at another version, missing.
 */

const NS = 'team-a';
const CHART_PROXY_LABEL =
  'helmreleaseproxy.addons.cluster.x-k8s.io/helmchartproxy-name';

function resourceSet(name: string, labels: Record<string, string>): KubeObject {
  return {
    apiVersion: 'addons.cluster.x-k8s.io/v1beta2',
    kind: 'ClusterResourceSet',
    metadata: { namespace: NS, name, labels },
    spec: {
      clusterSelector: { matchLabels: { 'shipyard.io/profile': 'standard' } },
      resources: [{ kind: 'ConfigMap', name }],
      strategy: 'Reconcile',
    },
  } as KubeObject;
}

function binding(
  cluster: string,
  bindings: Array<{ set: string; applied: boolean[] }>,
): KubeObject {
  return {
    apiVersion: 'addons.cluster.x-k8s.io/v1beta2',
    kind: 'ClusterResourceSetBinding',
    metadata: {
      namespace: NS,
      name: cluster,
      labels: { 'cluster.x-k8s.io/cluster-name': cluster },
    },
    spec: {
      clusterName: cluster,
      bindings: bindings.map(b => ({
        clusterResourceSetName: b.set,
        resources: b.applied.map((applied, i) => ({
          kind: i === 0 ? 'ConfigMap' : 'Secret',
          name: `${b.set}-${i}`,
          hash: 'sha256:0',
          applied,
        })),
      })),
    },
  } as KubeObject;
}

function releaseProxy(
  cluster: string,
  chart: string,
  version: string,
  status: object,
): KubeObject {
  return {
    apiVersion: 'addons.cluster.x-k8s.io/v1beta1',
    kind: 'HelmReleaseProxy',
    metadata: {
      namespace: NS,
      name: `${cluster}-${chart}`,
      labels: {
        'cluster.x-k8s.io/cluster-name': cluster,
        [CHART_PROXY_LABEL]: `standard-${chart}`,
      },
    },
    spec: {
      clusterRef: {
        apiVersion: 'cluster.x-k8s.io/v1beta2',
        kind: 'Cluster',
        name: cluster,
        namespace: NS,
      },
      chartName: chart,
      repoURL: `https://charts.example.com/${chart}`,
      releaseName: chart,
      namespace: 'kube-system',
      version,
    },
    status,
  } as KubeObject;
}

const deployed = {
  ready: true,
  status: 'deployed',
  revision: 1,
  conditions: [
    { type: 'Ready', status: 'True' },
    { type: 'HelmReleaseReady', status: 'True' },
  ],
};
const failed = {
  ready: false,
  status: 'failed',
  failureReason: 'installing cert-manager v1.18.2: context deadline exceeded',
  conditions: [
    {
      type: 'HelmReleaseReady',
      status: 'False',
      severity: 'Error',
      reason: 'HelmInstallOrUpgradeFailed',
      message: 'installing cert-manager v1.18.2: context deadline exceeded',
    },
  ],
};
const installing = {
  ready: false,
  conditions: [
    {
      type: 'HelmReleaseReady',
      status: 'False',
      severity: 'Info',
      reason: 'PreparingToHelmInstall',
      message: 'preparing to install the Helm chart',
    },
  ],
};

function chartProxy(
  chart: string,
  options: {
    matching: string[];
    conditions?: object[];
    labels?: Record<string, string>;
    generation?: number;
    observedGeneration?: number;
    version?: string;
  },
): KubeObject {
  return {
    apiVersion: 'addons.cluster.x-k8s.io/v1alpha1',
    kind: 'HelmChartProxy',
    metadata: {
      namespace: NS,
      name: `standard-${chart}`,
      generation: options.generation ?? 1,
      labels: options.labels ?? {},
    },
    spec: {
      clusterSelector: { matchLabels: { 'shipyard.io/profile': 'standard' } },
      chartName: chart,
      repoURL: `https://charts.example.com/${chart}`,
      version: options.version ?? 'v1.18.2',
      valuesTemplate: 'replicas: {{ .Cluster.spec.replicas }}',
    },
    status: {
      observedGeneration: options.observedGeneration ?? 1,
      matchingClusters: options.matching.map(name => ({
        apiVersion: 'cluster.x-k8s.io/v1beta2',
        kind: 'Cluster',
        name,
        namespace: NS,
      })),
      conditions: options.conditions ?? [
        { type: 'Ready', status: 'True', reason: 'Ready' },
        {
          type: 'HelmReleaseProxySpecsUpToDate',
          status: 'True',
          reason: 'HelmReleaseProxySpecsUpToDate',
        },
      ],
    },
  } as KubeObject;
}

const valuesNotParsed = [
  {
    type: 'Ready',
    status: 'False',
    reason: 'ValueParsingFailed',
    message: 'failed to parse values on cluster web-2',
  },
  {
    type: 'HelmReleaseProxySpecsUpToDate',
    status: 'False',
    reason: 'ValueParsingFailed',
    message:
      'failed to parse values on cluster web-2: template: values:1: map has no entry for key "replicas"',
  },
];

/** Records with a change log: which clusters each object marked dirty. */
function records() {
  const r = new ManagementClusterRecords('mgmt-1');
  r.addonKindsServed = true;
  const objects = new KindObjects();
  const dirty: string[] = [];
  const apply = (kind: AddonKind, obj: KubeObject, deleted = false) => {
    dirty.length = 0;
    applyAddonObject(r, kind, objects, deleted, obj, k => dirty.push(k));
    return [...dirty];
  };
  return { r, apply, of: (cluster: string) => addonsOf(r, NS, cluster) };
}

const profile = driftProfileOf('standard', {
  version: '1.0.0',
  layers: {
    kubernetes: { name: 'kubernetes', version: 'v1.35' },
    cni: { name: 'calico', version: 'v3.30.3' },
    csi: { name: 'local-path-provisioner', version: 'v0.0.32' },
    addons: [
      { name: 'cert-manager', version: 'v1.18.2' },
      { name: 'metrics-server', version: 'v0.8.0' },
    ],
  },
})!;

const layerFindings = (addons: ReturnType<typeof addonsOf>) =>
  evaluateDrift(
    makeSummary({
      name: 'web',
      profile: 'standard',
      profileVersion: '1.0.0',
      addons,
    }),
    profile,
    {},
  );

describe('add-on layers from Cluster API add-on objects', () => {
  it('projects ClusterResourceSet + Binding and HelmReleaseProxies into installed, failed, other-version and missing layers', () => {
    const { apply, of } = records();
    expect(
      apply(
        'ClusterResourceSet',
        resourceSet('standard-cni', {
          'shipyard.io/layer': 'calico',
          'app.kubernetes.io/name': 'calico-operator',
          'app.kubernetes.io/version': 'v3.30.3',
        }),
      ),
    ).toEqual([]);
    expect(
      apply(
        'ClusterResourceSetBinding',
        binding('web-1', [{ set: 'standard-cni', applied: [true] }]),
      ),
    ).toEqual([`${NS}/web-1`]);
    apply(
      'HelmReleaseProxy',
      releaseProxy('web-1', 'local-path-provisioner', 'v0.0.32', deployed),
    );
    apply(
      'HelmReleaseProxy',
      releaseProxy('web-1', 'cert-manager', 'v1.18.2', failed),
    );
    apply(
      'HelmReleaseProxy',
      releaseProxy('web-1', 'metrics-server', 'v0.7.0', deployed),
    );

    expect(of('web-1')).toEqual([
      {
        name: 'calico',
        version: 'v3.30.3',
        state: 'installed',
        source: 'ClusterResourceSet',
        from: 'standard-cni',
      },
      {
        name: 'cert-manager',
        version: 'v1.18.2',
        state: 'failed',
        source: 'HelmReleaseProxy',
        from: 'standard-cert-manager',
        message: 'installing cert-manager v1.18.2: context deadline exceeded',
      },
      {
        name: 'local-path-provisioner',
        version: 'v0.0.32',
        state: 'installed',
        source: 'HelmReleaseProxy',
        from: 'standard-local-path-provisioner',
      },
      {
        name: 'metrics-server',
        version: 'v0.7.0',
        state: 'installed',
        source: 'HelmReleaseProxy',
        from: 'standard-metrics-server',
      },
    ]);
    // compared with the profile version: the installed layers match, the others are findings
    expect(layerFindings(of('web-1'))).toEqual([
      {
        kind: 'addonFailed',
        subject: 'cert-manager',
        expected: 'v1.18.2',
        actual: 'failed (v1.18.2)',
        message: 'installing cert-manager v1.18.2: context deadline exceeded',
      },
      {
        kind: 'addonVersion',
        subject: 'metrics-server',
        expected: 'v0.8.0',
        actual: 'v0.7.0',
      },
    ]);

    // a cluster with no release of a layer and a resource set not (fully) applied
    apply(
      'ClusterResourceSetBinding',
      binding('web-2', [{ set: 'standard-cni', applied: [true, false] }]),
    );
    apply(
      'HelmReleaseProxy',
      releaseProxy('web-2', 'cert-manager', 'v1.18.2', installing),
    );
    const web2 = of('web-2');
    expect(web2.map(a => [a.name, a.state, a.message])).toEqual([
      ['calico', 'failed', 'not applied: Secret/standard-cni-1'],
      ['cert-manager', 'pending', 'preparing to install the Helm chart'],
    ]);
    expect(layerFindings(web2).map(f => [f.kind, f.subject, f.actual])).toEqual(
      [
        ['addonFailed', 'calico', 'failed (v3.30.3)'],
        ['addonMissing', 'local-path-provisioner', 'missing'],
        ['addonMissing', 'metrics-server', 'missing'],
      ],
    );
  });

  it('follows changes: a new resource-set version, a repaired release, a deleted release and binding', () => {
    const { apply, of } = records();
    apply(
      'ClusterResourceSetBinding',
      binding('web-1', [{ set: 'standard-cni', applied: [true] }]),
    );
    // the binding comes before its resource set: the layer is named after the set until the set is known
    expect(of('web-1').map(a => [a.name, a.version])).toEqual([
      ['standard-cni', undefined],
    ]);
    // the resource set's labels give the layer and its version, and mark its bound clusters
    expect(
      apply(
        'ClusterResourceSet',
        resourceSet('standard-cni', {
          'app.kubernetes.io/name': 'calico',
          'app.kubernetes.io/version': 'v3.29.0',
        }),
      ),
    ).toEqual([`${NS}/web-1`]);
    expect(of('web-1').map(a => [a.name, a.version])).toEqual([
      ['calico', 'v3.29.0'],
    ]);
    expect(
      layerFindings(of('web-1')).find(f => f.subject === 'calico'),
    ).toMatchObject({
      kind: 'addonVersion',
      expected: 'v3.30.3',
      actual: 'v3.29.0',
    });
    apply(
      'ClusterResourceSet',
      resourceSet('standard-cni', {
        'app.kubernetes.io/name': 'calico',
        'app.kubernetes.io/version': 'v3.30.3',
      }),
    );
    expect(
      layerFindings(of('web-1')).find(f => f.subject === 'calico'),
    ).toBeUndefined();

    apply(
      'HelmReleaseProxy',
      releaseProxy('web-1', 'cert-manager', 'v1.18.2', failed),
    );
    expect(of('web-1').find(a => a.name === 'cert-manager')?.state).toBe(
      'failed',
    );
    apply(
      'HelmReleaseProxy',
      releaseProxy('web-1', 'cert-manager', 'v1.18.2', deployed),
    );
    expect(of('web-1').find(a => a.name === 'cert-manager')?.state).toBe(
      'installed',
    );
    expect(
      apply(
        'HelmReleaseProxy',
        releaseProxy('web-1', 'cert-manager', 'v1.18.2', deployed),
        true,
      ),
    ).toEqual([`${NS}/web-1`]);
    expect(of('web-1').map(a => a.name)).toEqual(['calico']);
    apply(
      'ClusterResourceSetBinding',
      binding('web-1', [{ set: 'standard-cni', applied: [true] }]),
      true,
    );
    expect(of('web-1')).toEqual([]);
    expect(layerFindings(of('web-1')).map(f => [f.kind, f.subject])).toEqual([
      ['addonMissing', 'calico'],
      ['addonMissing', 'local-path-provisioner'],
      ['addonMissing', 'cert-manager'],
      ['addonMissing', 'metrics-server'],
    ]);
  });

  it('reads a release through its v1beta2 conditions and skips one that names no cluster', () => {
    const obj = releaseProxy('web-1', 'cert-manager', 'v1.18.2', {
      v1beta2: {
        conditions: [
          {
            type: 'HelmReleaseReady',
            status: 'False',
            reason: 'HelmInstallOrUpgradeFailed',
            message: 'chart not found',
          },
        ],
      },
    });
    expect(projectHelmReleaseProxy(obj)?.addon).toMatchObject({
      state: 'failed',
      message: 'chart not found',
    });
    const orphan = releaseProxy('web-1', 'cert-manager', 'v1.18.2', deployed);
    delete (orphan as any).spec.clusterRef;
    delete (orphan as any).metadata.labels['cluster.x-k8s.io/cluster-name'];
    expect(projectHelmReleaseProxy(orphan)).toBeUndefined();
  });
});

describe('add-on layers from the HelmChartProxy a release comes from', () => {
  it('a selected cluster without a release: failed when the chart proxy could not make it, pending while it has a change to reconcile, missing when it says its releases are made', () => {
    const { r, apply, of } = records();
    apply(
      'HelmReleaseProxy',
      releaseProxy('web-1', 'cert-manager', 'v1.18.2', deployed),
    );
    // web-1 has its release, web-2 has none
    expect(
      apply(
        'HelmChartProxy',
        chartProxy('cert-manager', {
          matching: ['web-1', 'web-2'],
          conditions: valuesNotParsed,
        }),
      ).sort(),
    ).toEqual([`${NS}/web-1`, `${NS}/web-2`]);
    expect(of('web-1').map(a => [a.name, a.state, a.source])).toEqual([
      ['cert-manager', 'installed', 'HelmReleaseProxy'],
    ]);
    expect(of('web-2')).toEqual([
      {
        name: 'cert-manager',
        version: 'v1.18.2',
        state: 'failed',
        source: 'HelmChartProxy',
        from: 'standard-cert-manager',
        message:
          'failed to parse values on cluster web-2: template: values:1: map has no entry for key "replicas"',
      },
    ]);
    expect(
      layerFindings(of('web-2')).find(f => f.subject === 'cert-manager'),
    ).toEqual({
      kind: 'addonFailed',
      subject: 'cert-manager',
      expected: 'v1.18.2',
      actual: 'failed (v1.18.2)',
      message:
        'failed to parse values on cluster web-2: template: values:1: map has no entry for key "replicas"',
    });

    // the values template fixed: a new generation, not reconciled yet
    apply(
      'HelmChartProxy',
      chartProxy('cert-manager', {
        matching: ['web-1', 'web-2'],
        generation: 2,
        observedGeneration: 1,
        conditions: [
          {
            type: 'HelmReleaseProxySpecsUpToDate',
            status: 'True',
            reason: 'HelmReleaseProxySpecsUpToDate',
          },
        ],
      }),
    );
    expect(of('web-2').map(a => [a.name, a.state, a.source])).toEqual([
      ['cert-manager', 'pending', 'HelmChartProxy'],
    ]);
    expect(
      layerFindings(of('web-2')).find(f => f.subject === 'cert-manager'),
    ).toBeUndefined();

    // reconciled: every release made, yet web-2 has none (deleted by hand): missing
    apply(
      'HelmChartProxy',
      chartProxy('cert-manager', {
        matching: ['web-1', 'web-2'],
        generation: 2,
        observedGeneration: 2,
      }),
    );
    expect(of('web-2')).toEqual([]);
    expect(
      layerFindings(of('web-2')).find(f => f.subject === 'cert-manager'),
    ).toMatchObject({ kind: 'addonMissing', actual: 'missing' });
    // a chart proxy that made its releases adds nothing to a cluster: it is not indexed by cluster
    expect(r.chartProxiesOfCluster.size).toBe(0);

    // the chart proxy deleted: nothing of it is kept
    expect(
      apply(
        'HelmChartProxy',
        chartProxy('cert-manager', { matching: ['web-1', 'web-2'] }),
        true,
      ).sort(),
    ).toEqual([`${NS}/web-1`, `${NS}/web-2`]);
    expect(r.chartProxies.size).toBe(0);
    expect(r.chartProxiesOfCluster.size).toBe(0);
  });

  it('marks only the clusters whose add-ons change, and a release provides the layer its chart proxy names', () => {
    const { apply, of } = records();
    apply(
      'HelmChartProxy',
      chartProxy('cert-manager', { matching: ['web-1', 'web-2'] }),
    );
    // the releases made become ready (the chart proxy's Ready flips), one cluster more is selected
    expect(
      apply(
        'HelmChartProxy',
        chartProxy('cert-manager', {
          matching: ['web-1', 'web-2', 'web-3'],
          conditions: [
            { type: 'Ready', status: 'False', reason: 'HelmReleasePending' },
            {
              type: 'HelmReleaseProxySpecsUpToDate',
              status: 'True',
              reason: 'HelmReleaseProxySpecsUpToDate',
            },
          ],
        }),
      ),
    ).toEqual([`${NS}/web-3`]);
    // the chart proxy fails: every cluster it selects may lack its release
    expect(
      apply(
        'HelmChartProxy',
        chartProxy('cert-manager', {
          matching: ['web-1', 'web-3'],
          conditions: valuesNotParsed,
        }),
      ).sort(),
    ).toEqual([`${NS}/web-1`, `${NS}/web-2`, `${NS}/web-3`]);
    expect(of('web-2')).toEqual([]);

    // the provider does not copy the chart proxy's labels onto its releases: the layer comes from the chart proxy
    apply(
      'HelmChartProxy',
      chartProxy('cert-manager', {
        matching: ['web-1'],
        labels: { 'shipyard.io/layer': 'certificates' },
      }),
    );
    apply(
      'HelmReleaseProxy',
      releaseProxy('web-1', 'cert-manager', 'v1.18.2', deployed),
    );
    expect(of('web-1').map(a => [a.name, a.source, a.from])).toEqual([
      ['certificates', 'HelmReleaseProxy', 'standard-cert-manager'],
    ]);
  });

  it('reads the earlier API of the provider (failureReason) and a chart proxy with no status yet', () => {
    const earlier = chartProxy('cert-manager', { matching: ['web-1'] });
    (earlier as any).status = {
      ready: false,
      failureReason: 'failed to get cluster web-1',
      matchingClusters: [{ name: 'web-1' }],
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'ReconciliationError',
          message: 'failed to get cluster web-1',
        },
      ],
    };
    expect(projectChartProxy(earlier)).toEqual({
      layer: 'cert-manager',
      labelled: false,
      version: 'v1.18.2',
      matching: [`${NS}/web-1`],
      state: 'failed',
      message: 'failed to get cluster web-1',
    });
    const fresh = chartProxy('cert-manager', { matching: [] });
    delete (fresh as any).status;
    expect(projectChartProxy(fresh)).toMatchObject({
      matching: [],
      state: 'pending',
    });
  });
});
