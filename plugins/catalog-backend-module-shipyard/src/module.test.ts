import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { coreServices } from '@backstage/backend-plugin-api';
import {
  TestBackend,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { metricsServiceMock } from '@backstage/backend-test-utils/alpha';
import { Entity } from '@backstage/catalog-model';
import catalogPlugin, {
  CATALOG_ERRORS_TOPIC,
} from '@backstage/plugin-catalog-backend';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { ClusterSummary } from '@shipyard/plugin-shipyard-common';
import { catalogModuleShipyard } from './module';
import { CHANGES_METRIC, MUTATIONS_METRIC } from './providers/metrics';
import { FakeShipyardBackend } from './__testUtils__/FakeShipyardBackend';
import {
  clusterClass,
  managementCluster,
  summary,
} from './__testUtils__/fixtures';
import {
  eventually as eventuallyUntil,
  fixedService,
} from '@shipyard/test-utils';

/** Calls `fn` every 100 ms until `accept` takes its value. */
const eventually = <T>(
  fn: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 20_000,
) => eventuallyUntil(fn, { until: accept, timeoutMs, intervalMs: 100 });

jest.setTimeout(60_000);

const profilesGlob = path.resolve(__dirname, '../catalog/profiles/*.yaml');

const BROKEN_PROFILE = `
apiVersion: shipyard.io/v1alpha1
kind: ClusterProfile
metadata:
  name: broken-profile
spec:
  owner: group:default/platform-team
  lifecycle: production
  version: 1.0.0
  managementClusters: [mgmt-eu-1]
  provider: docker
  distribution: kubeadm
  kubernetes: { versions: [v1.35.5] }
  layers: { kubernetes: { name: kubeadm, version: v1.35.5 } }
  sizes:
    small: { controlPlaneReplicas: 1, workerReplicas: "three" }
  allowedGroups: [group:default/team-a]
`;

/** Counter values recorded through the metrics service, by `name|attr=value,...`. */
const counters = new Map<string, number>();
function counter(name: string, attributes: Record<string, string>): number {
  const key = `${name}|${Object.entries(attributes)
    .sort()
    .map(([k, v]) => `${k}=${v}`)
    .join(',')}`;
  return counters.get(key) ?? 0;
}
const metrics = metricsServiceMock.mock({
  createCounter: (name: string) => ({
    add: (value: number, attributes?: Record<string, unknown>) => {
      const key = `${name}|${Object.entries(attributes ?? {})
        .sort()
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(',')}`;
      counters.set(key, (counters.get(key) ?? 0) + value);
    },
  }),
});

const deltas = () =>
  counter(MUTATIONS_METRIC, {
    provider: 'ClusterEntityProvider',
    type: 'delta',
  });
const fulls = () =>
  counter(MUTATIONS_METRIC, {
    provider: 'ClusterEntityProvider',
    type: 'full',
  });

describe('catalog module shipyard (with the real catalog backend)', () => {
  const events = mockServices.events();
  const scheduler = mockServices.scheduler();
  const fleet = new FakeShipyardBackend(events);
  const catalogErrors: Array<{ entity: string; message: string }> = [];
  let backend: TestBackend;
  let tmp: string;

  const catalogUrl = () =>
    `http://localhost:${backend.server.port()}/api/catalog`;

  async function entities(filter: string): Promise<Entity[]> {
    const items: Entity[] = [];
    let cursor: string | undefined;
    do {
      const query = cursor
        ? `cursor=${encodeURIComponent(cursor)}`
        : `filter=${encodeURIComponent(filter)}&limit=500`;
      const res = await fetch(`${catalogUrl()}/entities/by-query?${query}`, {
        headers: { Authorization: mockCredentials.user.header() },
      });
      if (!res.ok) throw new Error(`catalog answered ${res.status}`);
      const body = (await res.json()) as {
        items: Entity[];
        pageInfo: { nextCursor?: string };
      };
      items.push(...body.items);
      cursor = body.pageInfo.nextCursor;
    } while (cursor);
    return items;
  }

  const clusterEntities = () =>
    entities('kind=resource,spec.type=kubernetes-cluster');
  const byName = (list: Entity[]) =>
    new Map(list.map(e => [e.metadata.name, e]));
  const dependsOn = (e: Entity | undefined) =>
    (e?.relations ?? [])
      .filter(r => r.type === 'dependsOn')
      .map(r => r.targetRef)
      .sort();

  async function fullSync() {
    await scheduler.triggerTask('ClusterEntityProvider:refresh');
  }

  const seed: ClusterSummary[] = [
    summary({
      name: 'payments-prod',
      profile: 'eks-standard',
      profileVersion: '2.0.0',
      system: 'system:default/payments',
    }),
    summary({
      managementCluster: 'mgmt-eu-1',
      namespace: 'default',
      name: 'prod',
      owner: 'group:default/team-b',
      clusterClass: 'kubeadm-standard',
      provider: 'docker',
      distribution: 'kubeadm',
    }),
    summary({
      managementCluster: 'mgmt-us-1',
      namespace: 'default',
      name: 'prod',
      owner: 'group:default/team-c',
    }),
    summary({
      managementCluster: 'mgmt-us-1',
      name: 'edge-01',
      clusterClass: 'quick-start',
      provider: 'docker',
      distribution: 'kubeadm',
    }),
    summary({
      managementCluster: 'mgmt-us-1',
      name: 'search-staging',
      lifecycle: 'staging',
      owner: 'group:default/team-b',
    }),
    summary({
      name: 'data-dev',
      namespace: 'team-c',
      owner: 'group:default/team-c',
      lifecycle: undefined,
    }),
    summary({
      managementCluster: 'mgmt-eu-1',
      namespace: 'team-a',
      name: 'observability-production-eu-central-1-blue-green-canary-01',
    }),
  ];

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-catalog-'));
    const broken = path.join(tmp, 'broken-profile.yaml');
    fs.writeFileSync(broken, BROKEN_PROFILE);

    fleet.addManagementCluster(managementCluster('mgmt-eu-1'));
    fleet.addManagementCluster(managementCluster('mgmt-us-1'));
    for (const s of seed) fleet.put(s);
    fleet.clusterClasses = [
      clusterClass({
        managementCluster: 'mgmt-eu-1',
        namespace: 'default',
        name: 'kubeadm-standard',
      }),
      clusterClass({
        managementCluster: 'mgmt-us-1',
        namespace: 'team-a',
        name: 'quick-start',
      }),
    ];

    await events.subscribe({
      id: 'test',
      topics: [CATALOG_ERRORS_TOPIC],
      onEvent: async ({ eventPayload }) => {
        const p = eventPayload as { entity: string; errors: Error[] };
        for (const e of p.errors)
          catalogErrors.push({ entity: p.entity, message: e.message });
      },
    });

    backend = await startTestBackend({
      features: [
        catalogPlugin,
        catalogModuleShipyard,
        fleet.plugin(),
        fixedService(eventsServiceRef, events),
        fixedService(coreServices.scheduler, scheduler),
        metrics.factory,
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://portal.test' },
            shipyard: { platformTeam: 'group:default/platform-team' },
            catalog: {
              rules: [
                {
                  allow: [
                    'Component',
                    'Resource',
                    'Location',
                    'Group',
                    'ClusterProfile',
                  ],
                },
              ],
              locations: [
                { type: 'file', target: profilesGlob },
                { type: 'file', target: broken },
              ],
              stitchingStrategy: {
                mode: 'deferred',
                pollingInterval: { milliseconds: 100 },
              },
              providers: {
                shipyard: {
                  clusters: {
                    pageSize: 3,
                    links: [
                      {
                        title: 'Grafana',
                        url: 'https://grafana.test/d/k8s?var-cluster={{managementCluster}}/{{namespace}}/{{name}}',
                      },
                    ],
                  },
                },
              },
            },
          },
        }),
      ],
    });

    // YAML profiles first (they take precedence over generated ones), then the providers
    await eventually(
      () => entities('kind=clusterprofile'),
      list => list.length === 8,
    );
    await scheduler.triggerTask('ClusterProfileEntityProvider:refresh');
    await fullSync();
  });

  afterAll(async () => {
    await backend?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('provides one entity per cluster, owned by its team, with distinct names for duplicates', async () => {
    const list = await eventually(
      clusterEntities,
      l => l.length === seed.length,
    );
    const names = byName(list);
    expect(list).toHaveLength(fleet.clusters.size);

    for (const s of seed) {
      const match = list.filter(
        e =>
          e.metadata.annotations?.['shipyard.io/management-cluster'] ===
            s.managementCluster &&
          e.metadata.annotations?.['shipyard.io/cluster-namespace'] ===
            s.namespace &&
          e.metadata.annotations?.['shipyard.io/cluster-name'] === s.name,
      );
      expect(match).toHaveLength(1);
      expect(match[0].spec?.owner).toBe(s.owner);
      expect(match[0].metadata.title).toBe(s.name);
      expect(match[0].metadata.name.length).toBeLessThanOrEqual(63);
    }

    const eu = names.get('mgmt-eu-1--default--prod');
    const us = names.get('mgmt-us-1--default--prod');
    expect(eu?.spec?.owner).toBe('group:default/team-b');
    expect(us?.spec?.owner).toBe('group:default/team-c');

    const payments = names.get('mgmt-eu-1--team-a--payments-prod');
    expect(payments?.spec?.system).toBe('system:default/payments');
    expect(payments?.metadata.links?.map(l => l.url)).toEqual([
      'http://portal.test/shipyard/clusters/mgmt-eu-1/team-a/payments-prod',
      'https://grafana.test/d/k8s?var-cluster=mgmt-eu-1/team-a/payments-prod',
    ]);
    expect(payments?.metadata.tags).toEqual(['aws', 'eks', 'k8s-1-35']);
    expect(payments?.metadata.annotations?.['kubernetes.io/api-server']).toBe(
      'https://payments-prod.example.com:6443',
    );

    // every read used the catalog's service credentials, and the listing was paged
    expect(new Set(fleet.requests.map(r => r.principal))).toEqual(
      new Set(['plugin:catalog']),
    );
    expect(
      fleet.requests.filter(r => r.path === '/clusters').length,
    ).toBeGreaterThanOrEqual(3);
  });

  it('relates clusters to their profile and management cluster, and management clusters to the platform team', async () => {
    const names = byName(
      await eventually(clusterEntities, l =>
        l.every(e => (e.relations ?? []).some(r => r.type === 'ownedBy')),
      ),
    );
    expect(dependsOn(names.get('mgmt-eu-1--team-a--payments-prod'))).toEqual([
      'clusterprofile:default/eks-standard',
      'resource:default/mgmt-eu-1',
    ]);
    // a YAML profile that names the ClusterClass wins over the generated one
    expect(dependsOn(names.get('mgmt-eu-1--default--prod'))).toEqual([
      'clusterprofile:default/kubeadm-standard',
      'resource:default/mgmt-eu-1',
    ]);
    expect(dependsOn(names.get('mgmt-us-1--team-a--edge-01'))).toEqual([
      'clusterprofile:default/mgmt-us-1--team-a--quick-start',
      'resource:default/mgmt-us-1',
    ]);

    const mcs = await entities(
      'kind=resource,spec.type=kubernetes-management-cluster',
    );
    expect(mcs.map(e => [e.metadata.name, e.spec?.owner]).sort()).toEqual([
      ['mgmt-eu-1', 'group:default/platform-team'],
      ['mgmt-us-1', 'group:default/platform-team'],
    ]);

    const profiles = byName(await entities('kind=clusterprofile'));
    expect(profiles.has('mgmt-us-1--team-a--quick-start')).toBe(true);
    expect(profiles.has('mgmt-eu-1--default--kubeadm-standard')).toBe(false);
    const generated = profiles.get('mgmt-us-1--team-a--quick-start');
    expect(generated?.spec?.variables).toMatchObject({
      defaults: { imageRepository: 'registry.k8s.io' },
      schema: { type: 'object', required: ['imageRepository'] },
    });

    // the profile knows the clusters that depend on it and its owner
    const eks = await eventually(
      async () =>
        profiles.get('eks-standard') &&
        (
          await entities('kind=clusterprofile,metadata.name=eks-standard')
        )[0],
      e => (e?.relations ?? []).some(r => r.type === 'dependencyOf'),
    );
    const relations =
      eks?.relations?.map(r => `${r.type} ${r.targetRef}`) ?? [];
    expect(relations).toEqual(
      expect.arrayContaining([
        'dependencyOf resource:default/mgmt-eu-1--team-a--payments-prod',
        // no profile label, but its ClusterClass is claimed by eks-standard on that management cluster
        'dependencyOf resource:default/mgmt-us-1--default--prod',
        'dependsOn resource:default/mgmt-eu-1',
        'dependsOn resource:default/mgmt-us-1',
        'ownedBy group:default/platform-team',
      ]),
    );
    expect(relations).not.toContain(
      'dependencyOf resource:default/mgmt-us-1--team-a--edge-01',
    );
  });

  it('reports an invalid profile as a processing error that names the field', async () => {
    const error = await eventually(
      async () =>
        catalogErrors.find(
          e => e.entity === 'clusterprofile:default/broken-profile',
        ),
      e => e !== undefined,
    );
    expect(error?.message).toContain(
      'spec.sizes.small.workerReplicas must be integer',
    );
    expect(
      await entities('kind=clusterprofile,metadata.name=broken-profile'),
    ).toEqual([]);
  });

  it('writes nothing for health-only changes', async () => {
    const before = deltas();
    const ignored = counter(CHANGES_METRIC, {
      provider: 'ClusterEntityProvider',
      outcome: 'ignored',
    });
    const payments = seed[0];

    // the backend flags the change as not entity-relevant
    await fleet.upsert(
      { ...payments, health: 'degraded', phase: 'Provisioned' },
      false,
    );
    expect(
      counter(CHANGES_METRIC, {
        provider: 'ClusterEntityProvider',
        outcome: 'ignored',
      }),
    ).toBe(ignored + 1);

    // even a change flagged relevant writes nothing when the entity would not change
    const unchanged = counter(CHANGES_METRIC, {
      provider: 'ClusterEntityProvider',
      outcome: 'unchanged',
    });
    await fleet.upsert(
      { ...payments, health: 'unhealthy', machineCount: 2 },
      true,
    );
    await eventually(
      async () =>
        counter(CHANGES_METRIC, {
          provider: 'ClusterEntityProvider',
          outcome: 'unchanged',
        }),
      n => n === unchanged + 1,
    );
    expect(deltas()).toBe(before);
  });

  it('applies entity-relevant changes and new clusters as delta mutations', async () => {
    const before = deltas();
    const fullBefore = fulls();
    await fleet.upsert({ ...seed[0], owner: 'group:default/team-b' }, true);
    await fleet.upsert(
      summary({
        managementCluster: 'mgmt-us-1',
        namespace: 'team-b',
        name: 'ml-gpu',
        owner: 'group:default/team-b',
      }),
      true,
    );

    const names = byName(
      await eventually(clusterEntities, l => {
        const m = byName(l);
        return (
          m.get('mgmt-eu-1--team-a--payments-prod')?.spec?.owner ===
            'group:default/team-b' && m.has('mgmt-us-1--team-b--ml-gpu')
        );
      }),
    );
    expect(names.size).toBe(fleet.clusters.size);
    expect(deltas()).toBe(before + 2);
    expect(fulls()).toBe(fullBefore);
  });

  it('deletes nothing while a management cluster is unreachable', async () => {
    const count = (await clusterEntities()).length;
    expect(count).toBe(fleet.clusters.size);

    // stale: the backend keeps serving the last known clusters
    fleet.setState('mgmt-us-1', 'stale');
    await fullSync();
    expect((await clusterEntities()).length).toBe(count);

    // even if the listing lacked them, the clusters of a stale management cluster are kept
    fleet.hiddenManagementClusters.add('mgmt-us-1');
    const fullBefore = fulls();
    await fullSync();
    expect(fulls()).toBe(fullBefore + 1);
    expect((await clusterEntities()).length).toBe(count);
    expect(
      await entities('kind=resource,metadata.name=mgmt-us-1'),
    ).toHaveLength(1);

    // the Shipyard backend itself down: no mutation at all
    fleet.unavailable = true;
    await fullSync();
    expect(fulls()).toBe(fullBefore + 1);
    expect((await clusterEntities()).length).toBe(count);

    fleet.unavailable = false;
    fleet.hiddenManagementClusters.clear();
    fleet.setState('mgmt-us-1', 'connected');
    await fullSync();
    expect((await clusterEntities()).length).toBe(count);
  });

  it('removes a cluster on a confirmed deletion', async () => {
    await fleet.delete({
      managementCluster: 'mgmt-us-1',
      namespace: 'default',
      name: 'prod',
    });
    const list = await eventually(
      clusterEntities,
      l => !byName(l).has('mgmt-us-1--default--prod'),
    );
    expect(byName(list).has('mgmt-eu-1--default--prod')).toBe(true);
    expect(list).toHaveLength(fleet.clusters.size);

    // gone from a connected management cluster without an event: the next full sync removes it
    fleet.clusters.delete('mgmt-eu-1/team-c/data-dev');
    await fullSync();
    const after = await clusterEntities();
    expect(byName(after).has('mgmt-eu-1--team-c--data-dev')).toBe(false);
    expect(after).toHaveLength(fleet.clusters.size);
  });

  it('follows the management chain: a managed management cluster depends on its manager’s cluster, a hosted control plane on its host', async () => {
    // mgmt-eu-1 manages itself and mgmt-us-1 as Cluster API clusters; mgmt-us-1 hosts a k0smotron control plane
    const own = (name: string) => ({
      managementCluster: 'mgmt-eu-1',
      namespace: 'management',
      name,
    });
    fleet.addManagementCluster(
      managementCluster('mgmt-eu-1', { cluster: own('mgmt-eu-1') }),
    );
    fleet.addManagementCluster(
      managementCluster('mgmt-us-1', { cluster: own('mgmt-us-1') }),
    );
    for (const name of ['mgmt-eu-1', 'mgmt-us-1'])
      fleet.put(
        summary({
          ...own(name),
          owner: 'group:default/platform-team',
          clusterClass: undefined,
          managementClusterOf: name,
        }),
      );
    fleet.put(
      summary({
        managementCluster: 'mgmt-us-1',
        name: 'payments-hcp',
        clusterClass: undefined,
        controlPlaneKind: 'K0smotronControlPlane',
        hostedControlPlane: {
          provider: 'k0smotron',
          hostCluster: 'mgmt-us-1',
          namespace: 'team-a',
          workloadKind: 'StatefulSet',
          workloadName: 'kmc-payments-hcp-control-plane',
          replicas: 2,
          readyReplicas: 2,
        },
      }),
    );
    await fullSync();
    const names = byName(
      await eventually(clusterEntities, l =>
        ['mgmt-eu-1--management--mgmt-us-1', 'mgmt-us-1--team-a--payments-hcp']
          .map(n => l.find(e => e.metadata.name === n))
          .every(e => (e?.relations ?? []).some(r => r.type === 'dependsOn')),
      ),
    );
    expect(dependsOn(names.get('mgmt-eu-1--management--mgmt-us-1'))).toEqual([
      'resource:default/mgmt-eu-1',
      'resource:default/mgmt-eu-1--management--mgmt-eu-1',
    ]);
    // self-hosted: no dependency on itself
    expect(dependsOn(names.get('mgmt-eu-1--management--mgmt-eu-1'))).toEqual([
      'resource:default/mgmt-eu-1',
    ]);
    expect(dependsOn(names.get('mgmt-us-1--team-a--payments-hcp'))).toEqual([
      'resource:default/mgmt-eu-1--management--mgmt-us-1',
      'resource:default/mgmt-us-1',
    ]);
    const mc = await eventually(
      async () => (await entities('kind=resource,metadata.name=mgmt-us-1'))[0],
      e => (e?.relations ?? []).some(r => r.type === 'dependsOn'),
    );
    expect(dependsOn(mc)).toEqual([
      'resource:default/mgmt-eu-1--management--mgmt-us-1',
    ]);
    // the host sees what depends on it
    const host = await eventually(
      async () =>
        (
          await entities(
            'kind=resource,metadata.name=mgmt-eu-1--management--mgmt-us-1',
          )
        )[0],
      e =>
        (e?.relations ?? []).some(
          r =>
            r.type === 'dependencyOf' &&
            r.targetRef === 'resource:default/mgmt-us-1--team-a--payments-hcp',
        ),
    );
    expect(host).toBeDefined();
  });
});
