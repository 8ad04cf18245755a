import { FleetSim, startFleetSim } from '@shipyard/fleet-sim';
import { eventuallyWithin, Membership } from '@shipyard/test-utils';
import {
  ScaffolderSimBackend,
  managementCluster,
  startScaffolderSimBackend,
} from './__testUtils__/simBackend';
import { simGet } from './__testUtils__/simKube';

const eventually = eventuallyWithin({ timeoutMs: 45_000, intervalMs: 100 });

/*
 * Clusters with a control plane hosted as pods, requested through the repository's request template from the demo
 * catalog's hosted profiles (k0smotron-hosted, kamaji-hosted): the real scaffolder, catalog and Shipyard backends
 * against the fleet simulator, which brings the control plane up as pods on the management cluster the profile
 * chose as the host.
 */

jest.setTimeout(150_000);

const CATALOG = 'plugins/catalog-backend-module-shipyard/catalog';

const MEMBERSHIP: Membership = {
  'user:default/alice': ['group:default/team-a'],
  'user:default/pat': ['group:default/platform-team'],
};

describe('requesting clusters with hosted control planes, against the fleet simulator', () => {
  let sim: FleetSim;
  let harness: ScaffolderSimBackend;

  const mc = (name: string) => managementCluster(sim, name);
  const runTask = (user: string, values: Record<string, unknown>) =>
    harness.runTask(user, 'template:default/request-cluster', values, 90_000);
  const shipyard = <T = any>(p: string) =>
    harness.shipyard<T>(p, 'user:default/pat');

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
    harness = await startScaffolderSimBackend({
      sim,
      membership: MEMBERSHIP,
      locations: [
        'catalog/org.yaml',
        `${CATALOG}/templates/request-cluster.yaml`,
        `${CATALOG}/profiles/k0smotron-hosted.yaml`,
        `${CATALOG}/profiles/kamaji-hosted.yaml`,
      ],
      waitForEntities: [
        'template/default/request-cluster',
        'clusterprofile/default/k0smotron-hosted',
        'clusterprofile/default/kamaji-hosted',
        'user/default/alice',
      ],
      timeoutMs: 45_000,
    });
  });

  afterAll(async () => {
    await harness?.backend.stop();
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
