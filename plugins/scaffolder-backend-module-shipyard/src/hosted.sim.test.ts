import path from 'node:path';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  TestBackend,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleTemplateKind from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import {
  FleetSim,
  shipyardManagementClusters,
  startFleetSim,
} from '@shipyard/fleet-sim';
import catalogModuleShipyard from '@shipyard/plugin-catalog-backend-module-shipyard';
// the real Shipyard backend is the point of this end-to-end test
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import shipyardPlugin from '@shipyard/plugin-shipyard-backend';
import {
  eventuallyWithin,
  Membership,
  membershipUserInfoFactory,
} from '@shipyard/test-utils';
import { scaffolderModuleShipyard } from './module';
import { SIM_SYNC_CONFIG } from './__testUtils__/simBackend';
import { simGet } from './__testUtils__/simKube';

const eventually = eventuallyWithin({ timeoutMs: 45_000, intervalMs: 100 });

/*
 * Clusters with a control plane hosted as pods, requested through the repository's request template from the demo
 * catalog's hosted profiles (k0smotron-hosted, kamaji-hosted): the real scaffolder, catalog and Shipyard backends
 * against the fleet simulator, which brings the control plane up as pods on the management cluster the profile
 * chose as the host.
 */

jest.setTimeout(150_000);

const REPO_ROOT = path.resolve(__dirname, '../../..');
const CATALOG = path.join(
  REPO_ROOT,
  'plugins/catalog-backend-module-shipyard/catalog',
);

const MEMBERSHIP: Membership = {
  'user:default/alice': ['group:default/team-a'],
  'user:default/pat': ['group:default/platform-team'],
};

describe('requesting clusters with hosted control planes, against the fleet simulator', () => {
  let sim: FleetSim;
  let backend: TestBackend;

  const api = () => `http://localhost:${backend.server.port()}/api`;
  const as = (user: string) => ({
    Authorization: mockCredentials.user.header(user),
    'content-type': 'application/json',
  });
  const mc = (name: string) => {
    const found = sim.managementClusters.find(m => m.name === name);
    if (!found) throw new Error(`no management cluster ${name}`);
    return found;
  };

  async function runTask(
    user: string,
    values: Record<string, unknown>,
  ): Promise<{ status: string; messages: string[]; output: any }> {
    const res = await fetch(`${api()}/scaffolder/v2/tasks`, {
      method: 'POST',
      headers: as(user),
      body: JSON.stringify({
        templateRef: 'template:default/request-cluster',
        values,
      }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const task = await eventually(async () => {
      const t = (await (
        await fetch(`${api()}/scaffolder/v2/tasks/${id}`, { headers: as(user) })
      ).json()) as { status: string };
      if (t.status !== 'completed' && t.status !== 'failed') {
        throw new Error(`task ${id} is still ${t.status}`);
      }
      return t;
    }, 90_000);
    const events = (await (
      await fetch(`${api()}/scaffolder/v2/tasks/${id}/events`, {
        headers: as(user),
      })
    ).json()) as Array<{ type: string; body: any }>;
    const completion = [...events].reverse().find(e => e.type === 'completion');
    return {
      status: task.status,
      messages: events.map(e => String(e.body?.message ?? '')),
      output: completion?.body?.output,
    };
  }

  async function shipyard<T = any>(
    p: string,
  ): Promise<{ status: number; body: T }> {
    const res = await fetch(`${api()}/shipyard${p}`, {
      headers: as('user:default/pat'),
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  beforeAll(async () => {
    sim = await startFleetSim({
      managementClusters: 2,
      clusters: 4,
      seed: 'scaffolder-hosted',
      anomalies: false,
      // with hosted control planes, every management cluster serves the hosted ClusterClasses
      hostedControlPlanes: 2,
      timing: { stepMs: 20, bookmarkMs: 1000 },
    });
    backend = await startTestBackend({
      features: [
        catalogPlugin,
        catalogModuleTemplateKind,
        catalogModuleShipyard,
        scaffolderPlugin,
        scaffolderModuleShipyard,
        shipyardPlugin,
        createServiceFactory({
          service: coreServices.scheduler,
          deps: {},
          factory: () => mockServices.scheduler(),
        }),
        membershipUserInfoFactory(MEMBERSHIP),
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://portal.test' },
            catalog: {
              rules: [
                {
                  allow: [
                    'Template',
                    'ClusterProfile',
                    'Group',
                    'User',
                    'Location',
                    'Resource',
                  ],
                },
              ],
              locations: [
                'catalog/org.yaml',
                'plugins/catalog-backend-module-shipyard/catalog/templates/request-cluster.yaml',
              ]
                .map(f => path.join(REPO_ROOT, f))
                .concat(
                  ['k0smotron-hosted', 'kamaji-hosted'].map(p =>
                    path.join(CATALOG, 'profiles', `${p}.yaml`),
                  ),
                )
                .map(target => ({ type: 'file', target })),
              stitchingStrategy: {
                mode: 'deferred',
                pollingInterval: { milliseconds: 100 },
              },
            },
            shipyard: {
              platformTeam: 'group:default/platform-team',
              managementClusters: shipyardManagementClusters(
                sim.managementClusters,
              ),
              sync: SIM_SYNC_CONFIG,
              health: { enabled: false },
            },
          },
        }),
      ],
    });
    await eventually(async () => {
      for (const ref of [
        'template/default/request-cluster',
        'clusterprofile/default/k0smotron-hosted',
        'clusterprofile/default/kamaji-hosted',
        'user/default/alice',
      ]) {
        const res = await fetch(`${api()}/catalog/entities/by-name/${ref}`, {
          headers: as('user:default/pat'),
        });
        if (res.status !== 200) throw new Error(`${ref}: ${res.status}`);
      }
      const mcs = await shipyard<{ items: any[] }>('/management-clusters');
      if (!mcs.body.items.every(m => m.state === 'connected'))
        throw new Error('not connected');
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await sim?.stop();
  });

  it.each([
    {
      profile: 'k0smotron-hosted',
      name: 'alice-k0smotron',
      size: undefined,
      host: 'mgmt-eu-1',
      version: 'v1.35.5+k0s.0',
      pods: 2,
      kind: 'K0smotronControlPlane',
      workloadKind: 'StatefulSet',
      workloads: 'statefulsets',
      workloadName: (cp: string) => `kmc-${cp}`,
      selector: (cp: string) => `app=k0smotron,cluster=${cp}`,
    },
    {
      profile: 'kamaji-hosted',
      name: 'alice-kamaji',
      size: 'medium',
      host: 'mgmt-us-1',
      version: 'v1.35.5',
      pods: 3,
      kind: 'KamajiControlPlane',
      workloadKind: 'Deployment',
      workloads: 'deployments',
      workloadName: (cp: string) => cp,
      selector: (cp: string) => `kamaji.clastix.io/name=${cp}`,
    },
  ])(
    'requests a $profile cluster on the host the profile chooses ($host), which brings its control plane up as $pods pods there',
    async c => {
      const task = await runTask('user:default/alice', {
        profile: `clusterprofile:default/${c.profile}`,
        name: c.name,
        owner: 'group:default/team-a',
        ...(c.size ? { size: c.size } : {}),
      });
      expect({ status: task.status, messages: task.messages }).toMatchObject({
        status: 'completed',
      });
      expect(task.output.links).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            url: `/shipyard/clusters/${c.host}/team-a/${c.name}`,
          }),
        ]),
      );

      // the Cluster: a topology of the profile's ClusterClass with the size's control plane pods
      const created = await simGet(
        mc(c.host),
        `/apis/cluster.x-k8s.io/v1beta2/namespaces/team-a/clusters/${c.name}`,
      );
      expect(created.status).toBe(200);
      expect(created.body.metadata.labels).toMatchObject({
        'shipyard.io/profile': c.profile,
        'shipyard.io/profile-version': '1.0.0',
      });
      expect(created.body.spec.topology).toMatchObject({
        classRef: { name: c.profile },
        version: c.version,
        controlPlane: { replicas: c.pods },
      });
      expect(created.body.spec.controlPlaneRef).toMatchObject({ kind: c.kind });
      const cpName = created.body.spec.controlPlaneRef.name as string;

      // the host runs the control plane: its workload and pods in the cluster's namespace, all ready
      await eventually(async () => {
        const workload = await simGet(
          mc(c.host),
          `/apis/apps/v1/namespaces/team-a/${c.workloads}/${c.workloadName(
            cpName,
          )}`,
        );
        expect(workload.status).toBe(200);
        expect(workload.body.status.readyReplicas).toBe(c.pods);
        const pods = await simGet(
          mc(c.host),
          `/api/v1/namespaces/team-a/pods?labelSelector=${encodeURIComponent(
            c.selector(cpName),
          )}`,
        );
        expect(
          pods.body.items.map(
            (p: any) =>
              p.status.conditions.find((x: any) => x.type === 'Ready')?.status,
          ),
        ).toEqual(Array(c.pods).fill('True'));
        const service = await simGet(
          mc(c.host),
          `/api/v1/namespaces/team-a/services/${c.workloadName(cpName)}`,
        );
        expect(service.status).toBe(200);
      });
      const other = sim.managementClusters.find(m => m.name !== c.host)!;
      expect(
        (
          await simGet(
            other,
            `/apis/cluster.x-k8s.io/v1beta2/namespaces/team-a/clusters/${c.name}`,
          )
        ).status,
      ).toBe(404);

      // the fleet records where the control plane runs
      await eventually(async () => {
        const res = await shipyard(`/clusters/${c.host}/team-a/${c.name}`);
        expect(res.status).toBe(200);
        expect(res.body.summary).toMatchObject({
          phase: 'Provisioned',
          health: 'healthy',
          profile: c.profile,
          clusterClass: c.profile,
          controlPlaneKind: c.kind,
          hostedControlPlane: {
            provider: c.profile.split('-')[0],
            hostCluster: c.host,
            namespace: 'team-a',
            workloadKind: c.workloadKind,
            workloadName: c.workloadName(cpName),
            replicas: c.pods,
            readyReplicas: c.pods,
          },
        });
      });
    },
  );

  it('refuses a host the profile does not offer, before anything is written', async () => {
    const task = await runTask('user:default/alice', {
      profile: 'clusterprofile:default/kamaji-hosted',
      name: 'alice-elsewhere',
      owner: 'group:default/team-a',
      managementCluster: 'mgmt-ap-1',
    });
    expect(task.status).toBe('failed');
    expect(task.messages.join('\n')).toContain(
      'cannot create clusters on mgmt-ap-1; choose one of mgmt-us-1, mgmt-eu-1',
    );
  });
});
