/*
 * The real Kubernetes backend with this module and the Shipyard backend against the fleet simulator: the plugin's
 * clusters are the fleet's, named as their catalog entities, with nothing of their credentials in a response; the
 * `shipyard` auth strategy resolves a cluster's credentials from its kubeconfig Secret and they open the cluster; a
 * user limited to their team's clusters gets no other cluster. (The plugin's own fetch of a component's objects loads
 * its Kubernetes client by a dynamic import that the test runner's module sandbox refuses: the browser test
 * e2e/kubernetes.spec.ts covers that path against the running portal.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  TestBackend,
  mockCredentials,
  mockServices,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import {
  FleetSim,
  shipyardManagementClusters,
  startFleetSim,
} from '@shipyard/fleet-sim';
import { clusterEntityName } from '@shipyard/plugin-shipyard-node';
// the real Shipyard backend is what the module lists the clusters from
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import shipyardPlugin from '@shipyard/plugin-shipyard-backend';
import {
  eventuallyWithin,
  fleetCredentials,
  shipyardTestConfig,
  startShipyardBackend,
} from '@shipyard/test-utils';
import { ConfigReader } from '@backstage/config';
import { readManagementClustersConfig } from '@shipyard/plugin-shipyard-node';
import { KubeClient, KubeObject } from '@shipyard/plugin-shipyard-node/kube';
import { KubeconfigSecrets } from './KubeconfigSecrets';
import { kubernetesModuleShipyard } from './module';
import {
  SHIPYARD_CLUSTER_METADATA,
  ShipyardAuthStrategy,
} from './ShipyardClusterSupplier';

jest.setTimeout(120_000);

const eventually = eventuallyWithin({ timeoutMs: 45_000, intervalMs: 200 });
const TEAM = 'group:default/team-a';
const ALICE = 'user:default/alice';
const PAT = 'user:default/pat';

describe('the Kubernetes plugin on Shipyard clusters', () => {
  let sim: FleetSim;
  let backend: TestBackend;
  let tmp: string;
  let target: { managementCluster: string; namespace: string; name: string };
  let other: { managementCluster: string; namespace: string; name: string };
  const responses: string[] = [];

  const api = () => `http://localhost:${backend.server.port()}/api`;

  async function get(user: string, url: string) {
    const res = await fetch(`${api()}${url}`, {
      headers: { authorization: mockCredentials.user.header(user) },
    });
    const text = await res.text();
    responses.push(text);
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  beforeAll(async () => {
    sim = await startFleetSim({
      managementClusters: 2,
      clusters: 8,
      seed: 'kubernetes-module',
      anomalies: false,
      timing: { stepMs: 20 },
    });
    await sim.controller.whenIdle();
    const workloads = sim.workloadClusters();
    const owned = (w: (typeof workloads)[number]) =>
      w.labels['shipyard.io/owner'] === 'team-a';
    const mine = workloads.find(owned);
    const theirs = workloads.find(w => !owned(w));
    if (!mine || !theirs) throw new Error('the fleet has no team-a cluster');
    target = {
      managementCluster: mine.management,
      namespace: mine.namespace,
      name: mine.name,
    };
    other = {
      managementCluster: theirs.management,
      namespace: theirs.namespace,
      name: theirs.name,
    };
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-kubernetes-'));
    const component = (name: string, dependsOn: string[]) => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name,
        annotations: { 'backstage.io/kubernetes-id': 'storefront' },
      },
      spec: {
        type: 'service',
        lifecycle: 'production',
        owner: TEAM,
        dependsOn,
      },
    });
    fs.writeFileSync(
      path.join(tmp, 'components.yaml'),
      [
        component('storefront', [
          `resource:default/${clusterEntityName(target)}`,
        ]),
        component('storefront-elsewhere', [
          `resource:default/${clusterEntityName(other)}`,
        ]),
        component('storefront-nowhere', []),
      ]
        .map(c => JSON.stringify(c))
        .join('\n---\n'),
    );

    ({ backend } = await startShipyardBackend({
      plugin: [
        catalogPlugin,
        kubernetesPlugin,
        kubernetesModuleShipyard,
        shipyardPlugin,
      ],
      features: [
        // the portal's policy with restrictReadToOwners: a team's members read its clusters only
        mockServices.permissions.mock({
          authorize: async requests =>
            requests.map(() => ({ result: AuthorizeResult.ALLOW })),
          authorizeConditional: async (requests, options) => {
            const user = (options.credentials.principal as any).userEntityRef;
            return requests.map(r =>
              user === ALICE && r.permission.name === 'shipyard.cluster.read'
                ? {
                    result: AuthorizeResult.CONDITIONAL,
                    pluginId: 'shipyard',
                    resourceType: 'shipyard-cluster',
                    conditions: {
                      rule: 'IS_CLUSTER_OWNER',
                      resourceType: 'shipyard-cluster',
                      params: { claims: [ALICE, TEAM] },
                    },
                  }
                : { result: AuthorizeResult.ALLOW },
            ) as any;
          },
        }).factory,
      ],
      config: shipyardTestConfig(sim, {
        catalog: {
          rules: [{ allow: ['Component'] }],
          locations: [
            { type: 'file', target: path.join(tmp, 'components.yaml') },
          ],
        },
        kubernetes: {
          serviceLocatorMethod: { type: 'catalogRelation' },
          clusterLocatorMethods: [],
        },
        shipyard: {
          platformTeam: 'group:default/platform-team',
          sync: { requestTimeoutMs: 3000 },
          kubernetes: { refreshSeconds: 1 },
        },
      }),
    }));
    await eventually(async () => {
      const res = await get(
        PAT,
        '/catalog/entities/by-name/component/default/storefront',
      );
      if (res.status !== 200) throw new Error(`component: ${res.status}`);
      const clusters = await get(PAT, '/kubernetes/clusters');
      if (clusters.body?.items?.length !== workloads.length)
        throw new Error(`clusters: ${JSON.stringify(clusters.body)}`);
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await sim?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('lists every cluster of the fleet, named as its catalog entity, with nothing of its credentials', async () => {
    const { body } = await get(PAT, '/kubernetes/clusters');
    const names = body.items.map((c: any) => c.name).sort();
    expect(names).toEqual(
      sim
        .workloadClusters()
        .map(w =>
          clusterEntityName({
            managementCluster: w.management,
            namespace: w.namespace,
            name: w.name,
          }),
        )
        .sort(),
    );
    for (const item of body.items) {
      expect(item.authProvider).toBe('shipyard');
      expect(Object.keys(item)).not.toContain('url');
      expect(Object.keys(item)).not.toContain('caData');
    }
  });

  it('resolves each cluster’s credentials on the backend from its kubeconfig Secret, and they open the cluster', async () => {
    const secrets = new KubeconfigSecrets({
      managementClusters: readManagementClustersConfig(
        new ConfigReader({
          shipyard: {
            managementClusters: shipyardManagementClusters(
              sim.managementClusters,
            ),
          },
        }),
      ),
      logger: mockServices.logger.mock(),
      refreshMs: 60_000,
    });
    try {
      const strategy = new ShipyardAuthStrategy(secrets);
      const details = {
        name: clusterEntityName(target),
        url: 'https://unused.invalid',
        authMetadata: {
          'kubernetes.io/auth-provider': 'shipyard',
          [SHIPYARD_CLUSTER_METADATA]: `${target.managementCluster}/${target.namespace}/${target.name}`,
        },
      };
      const credential = await strategy.getCredential(details);
      expect(credential.type).toBe('bearer token');
      const resolved = await secrets.credentialsOf(target);
      // the demo application is what the plugin lists on this cluster for the storefront component
      expect(resolved).toBeDefined();
      const client = new KubeClient(resolved!, { requestTimeoutMs: 5000 });
      const pods = await client.get<{ items: unknown[] } & KubeObject>(
        '/api/v1/pods?labelSelector=backstage.io%2Fkubernetes-id%3Dstorefront',
      );
      client.close();
      expect(pods?.items).toHaveLength(2);
      expect(strategy.presentAuthMetadata()).toEqual({});
      await expect(
        strategy.getCredential({
          ...details,
          authMetadata: { [SHIPYARD_CLUSTER_METADATA]: 'x/y/none' },
        }),
      ).rejects.toThrow(/no usable kubeconfig Secret/);
      expect(strategy.validateCluster({})).toHaveLength(1);
    } finally {
      await secrets.close();
    }
  });

  it('gives a user restricted to their team the clusters of their team only', async () => {
    const mine = await get(ALICE, '/kubernetes/clusters');
    const theirNames = mine.body.items.map((c: any) => c.name);
    expect(theirNames).toContain(clusterEntityName(target));
    expect(theirNames).not.toContain(clusterEntityName(other));
    const everyone = await get(PAT, '/kubernetes/clusters');
    expect(everyone.body.items.map((c: any) => c.name)).toContain(
      clusterEntityName(other),
    );
  });

  it('lets no credential of the fleet into a response', () => {
    const secrets = fleetCredentials(sim);
    expect(responses.length).toBeGreaterThan(5);
    const literal = [...secrets].filter(secret => secret?.length >= 8);
    expect(literal.length).toBeGreaterThan(4);
    for (const text of responses) {
      for (const secret of literal) expect(text).not.toContain(secret);
      expect(text).not.toMatch(/-----BEGIN [A-Z ]*-----/);
      expect(text).not.toMatch(/certificate-authority-data|client-key-data/);
    }
  });
});
