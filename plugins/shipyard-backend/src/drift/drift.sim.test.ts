import fs from 'node:fs';
import path from 'node:path';
import { Server } from 'node:http';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  TestDatabaseId,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  FleetSim,
  shipyardManagementClusters,
  startFleetSim,
} from '@shipyard/fleet-sim';
import { ClusterSummary, DriftKind } from '@shipyard/plugin-shipyard-common';
import {
  CaptureLogger,
  createTestDatabases,
  describePostgres15Coverage,
  eventuallyWithin,
} from '@shipyard/test-utils';
import { Knex } from 'knex';
import request from 'supertest';
import { parse } from 'yaml';
import { shipyardPlugin } from '../plugin';
import { SimKube } from '../__testUtils__/simKube';

/*
 * Drift against the simulator, through the whole backend: the add-ons the simulator serves (ClusterResourceSets and
 * their bindings, HelmChartProxies and their HelmReleaseProxies) show on the clusters, and each kind of drift appears
 * and clears as it would on a real fleet: a pinned variable edited, a pool or the control plane scaled by hand (through
 * the Cluster's topology, or on the MachineDeployment of a Cluster without one), an add-on failing (its release, or its
 * chart proxy), at another version or missing, a new profile version released, the Cluster rebased on another
 * ClusterClass, its Kubernetes version changed by hand.
 */

jest.setTimeout(180_000);

const eventually = eventuallyWithin({ timeoutMs: 30_000, intervalMs: 100 });

const PROFILES_DIR = path.resolve(
  __dirname,
  '../../../catalog-backend-module-shipyard/catalog/profiles',
);

/** The demo catalog's profiles (their layers are the add-ons the simulator installs). */
function demoProfiles(): any[] {
  return fs
    .readdirSync(PROFILES_DIR)
    .filter(f => f.endsWith('.yaml'))
    .map(f => parse(fs.readFileSync(path.join(PROFILES_DIR, f), 'utf8')));
}

const keyOf = (c: ClusterSummary) =>
  `${c.managementCluster}/${c.namespace}/${c.name}`;
const kinds = (c: ClusterSummary | undefined) =>
  (c?.drift ?? []).map(f => f.kind);

/**
 * Creates a deleted object again at its path from its last read (without the fields the server sets: resource
 * version, uid, creation time) and gives it `status`.
 */
async function createAgain(
  kube: SimKube,
  objectPath: string,
  live: any,
  status: unknown,
): Promise<void> {
  const {
    resourceVersion: _rv,
    uid: _uid,
    creationTimestamp: _created,
    ...metadata
  } = live.metadata;
  const created = await kube.request(
    'POST',
    objectPath.slice(0, objectPath.lastIndexOf('/')),
    { ...live, metadata },
  );
  expect(created.status).toBe(201);
  await kube.request('PUT', `${objectPath}/status`, {
    ...created.body,
    status,
  });
}

// PostgreSQL 15 as well, started for this file when the test run did not start one
const testDatabases = createTestDatabases(['POSTGRES_15', 'SQLITE_3']);
const { databases } = testDatabases;
describePostgres15Coverage(testDatabases, 'drift tests');

describe.each(databases.eachSupportedId())(
  'drift against the fleet simulator (%p)',
  (databaseId: TestDatabaseId) => {
    let sim: FleetSim;
    let knex: Knex;
    let backend: Awaited<ReturnType<typeof startTestBackend>>;
    let server: Server;
    let kube: SimKube;
    const logs: string[] = [];
    let profiles = demoProfiles();

    const get = async (p: string) => {
      const res = await request(server).get(`/api/shipyard${p}`);
      expect(res.status).toBe(200);
      return res.body;
    };
    const summaryOf = async (key: string): Promise<ClusterSummary> =>
      (await get(`/clusters/${key}`)).summary;
    /** The first cluster the fleet serves that `wanted` accepts, once there is one. */
    const findCluster = async (
      wanted: (c: ClusterSummary) => boolean,
    ): Promise<ClusterSummary> => {
      let found: ClusterSummary | undefined;
      await eventually(async () => {
        const all = (await get('/clusters?limit=500'))
          .items as ClusterSummary[];
        found = all.find(wanted);
        expect(found).toBeDefined();
      });
      return found!;
    };
    const objectPath = (c: ClusterSummary) =>
      `/apis/cluster.x-k8s.io/v1beta2/namespaces/${c.namespace}/clusters/${c.name}`;
    const updateCluster = async (
      c: ClusterSummary,
      change: (obj: any) => void,
    ) => {
      // the simulated controllers write the Cluster too: read again on a conflict
      for (let attempt = 0; ; attempt++) {
        const obj = (await kube.request('GET', objectPath(c))).body;
        change(obj);
        const put = await kube.request('PUT', objectPath(c), obj);
        if (put.status === 409 && attempt < 20) continue;
        expect(put.status).toBe(200);
        return;
      }
    };

    beforeAll(async () => {
      sim = await startFleetSim({
        managementClusters: 1,
        clusters: 40,
        seed: 'drift-sim',
        anomalies: false,
        timing: { stepMs: 20 },
      });
      kube = new SimKube(sim.managementClusters[0]);
      knex = await databases.init(databaseId);
      backend = await startTestBackend({
        features: [
          shipyardPlugin,
          createServiceFactory({
            service: coreServices.logger,
            deps: {},
            factory: () => new CaptureLogger(logs),
          }),
          createServiceFactory({
            service: catalogServiceRef,
            deps: {},
            factory: () =>
              ({
                getEntities: async () => ({ items: profiles }),
              } as any),
          }),
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              shipyard: {
                managementClusters: shipyardManagementClusters(
                  sim.managementClusters,
                ),
                sync: {
                  persistIntervalMs: 50,
                  backoff: { initialDelayMs: 20, maxDelayMs: 200 },
                },
                drift: { profileRefreshSeconds: 0.2 },
              },
            },
          }),
        ],
      });
      server = backend.server;
    });

    afterAll(async () => {
      await backend?.stop();
      await sim?.stop();
    });

    it('shows the add-ons the simulator serves, and the seeded add-on drift, as a facet of GET /clusters', async () => {
      await eventually(async () => {
        const page = await get('/clusters?limit=500');
        const values = (page.facets.drift as Array<{ value: string }>).map(
          f => f.value,
        );
        expect(values).toContain('addonFailed');
        const withAddons = (page.items as ClusterSummary[]).filter(
          c => c.addons && c.addons.length > 0,
        );
        expect(withAddons.length).toBeGreaterThan(10);
      });
      const failed = await get('/clusters?drift=addonFailed&limit=500');
      for (const c of failed.items as ClusterSummary[]) {
        const f = c.drift!.find(d => d.kind === 'addonFailed')!;
        expect(f.message).toMatch(/context deadline exceeded|not applied/);
        expect(c.addons!.find(a => a.name === f.subject)?.state).toBe('failed');
      }
      const summary = await get('/summary');
      expect(summary.driftedCount).toBeGreaterThan(0);
      expect(summary.byDrift.addonFailed).toBe(failed.totalCount);
    });

    /** The cluster the drift tests edit, its profile made from what it runs (worked out once, by the first test). */
    interface Subject {
      c: ClusterSummary;
      key: string;
      /** Index of its profile in `profiles`. */
      index: number;
      /** The major of its profile version (new versions go above every demo version). */
      major: number;
      /** The profile version made from what the cluster runs. */
      tailored: string;
      /** The cluster's `cni` variable (pinned by the tailored version). */
      cni: unknown;
    }
    let subject: Promise<Subject> | undefined;
    const machineControlPlane = /^(Kubeadm|KThrees|K0s|RKE2)ControlPlane$/;
    const tailor = async (): Promise<Subject> => {
      // a cluster with a control plane of machines whose add-ons match its profile; its profile is then made from
      // what it runs
      const c = await findCluster(
        x =>
          Boolean(x.clusterClass) &&
          Boolean(x.kubernetesVersion) &&
          machineControlPlane.test(x.controlPlaneKind ?? '') &&
          (x.controlPlane.desired ?? 0) > 0 &&
          x.machineDeployments.length > 0 &&
          Boolean(x.addons?.some(a => a.source === 'HelmReleaseProxy')) &&
          !x.drift?.some(f => f.kind.startsWith('addon')) &&
          x.drift !== undefined &&
          x.phase === 'Provisioned',
      );
      const key = keyOf(c);
      const object = (await kube.request('GET', objectPath(c))).body;
      const cni = object.spec.topology.variables.find(
        (v: any) => v.name === 'cni',
      ).value;
      const desired = c.machineDeployments[0].replicas.desired!;
      const index = profiles.findIndex(p => p.metadata.name === c.profile);
      const profile = profiles[index];
      // released versions are immutable (the version the cluster was made from keeps its first-read definition):
      // the profile made from what the cluster runs is released as a new version, and the cluster labelled with it
      // (above every version the demo profiles declare, so that it is new)
      const major = Number(c.profileVersion!.split('.')[0]);
      const tailored = `${major + 10}.0.0`;
      await updateCluster(c, obj => {
        obj.metadata.labels['shipyard.io/profile-version'] = tailored;
      });
      profile.spec.clusterClass = { name: c.clusterClass };
      profile.spec.kubernetes = { versions: [c.kubernetesVersion] };
      delete profile.spec.previousVersions;
      profile.spec.version = tailored;
      profile.spec.variables = {
        ...profile.spec.variables,
        pinned: { cni },
      };
      profile.spec.sizes = {
        small: {
          controlPlaneReplicas: c.controlPlane.desired!,
          workerReplicas: desired,
        },
        large: {
          controlPlaneReplicas: c.controlPlane.desired!,
          workerReplicas: desired + 2,
        },
      };
      profiles = [...profiles];
      await eventually(async () => {
        expect(kinds(await summaryOf(key))).toEqual([]);
      });
      return { c, key, index, major, tailored, cni };
    };
    /** The tailored cluster, once it shows no drift. */
    const inSync = async (): Promise<Subject> => {
      const s = await (subject ??= tailor());
      await eventually(async () =>
        expect(kinds(await summaryOf(s.key))).toEqual([]),
      );
      return s;
    };

    /**
     * One kind of drift, made and undone on a cluster in sync: after `make`, the cluster's drift is exactly `finding`
     * (and, with `facet`, `GET /clusters?drift=<facet>` lists the cluster); after `undo`, it shows no drift again.
     * `appeared` and `cleared` check more of the summary at each point.
     */
    const driftAppearsAndClears = async (
      key: string,
      drift: {
        make: () => Promise<unknown>;
        finding: Record<string, unknown>;
        facet?: DriftKind;
        appeared?: (s: ClusterSummary) => void;
        undo: () => Promise<unknown>;
        cleared?: (s: ClusterSummary) => void;
      },
    ) => {
      await drift.make();
      await eventually(async () => {
        const s = await summaryOf(key);
        drift.appeared?.(s);
        expect(s.drift).toEqual([expect.objectContaining(drift.finding)]);
        if (drift.facet) {
          const filtered = await get(
            `/clusters?drift=${drift.facet}&limit=500`,
          );
          expect(filtered.items.map(keyOf)).toContain(key);
        }
      });
      await drift.undo();
      await eventually(async () => {
        const s = await summaryOf(key);
        drift.cleared?.(s);
        expect(kinds(s)).toEqual([]);
      });
    };

    it('each kind of drift appears and clears: a pinned variable, a pool scaled by hand, a failed add-on, an add-on at another version, a missing add-on, a new profile version', async () => {
      const { c, key, index, major, tailored, cni } = await inSync();
      const md = c.machineDeployments[0];
      const desired = md.replicas.desired!;
      const profile = profiles[index];

      // a pinned variable edited on the Cluster, then set back
      const other = cni === 'calico' ? 'cilium' : 'calico';
      const setCni = (value: unknown) =>
        updateCluster(c, obj => {
          obj.spec.topology.variables.find((v: any) => v.name === 'cni').value =
            value;
        });
      await driftAppearsAndClears(key, {
        make: () => setCni(other),
        finding: {
          kind: 'variable',
          subject: 'cni',
          expected: JSON.stringify(cni),
          actual: JSON.stringify(other),
        },
        facet: 'variable',
        undo: () => setCni(cni),
      });

      // a pool scaled by hand beyond the profile's sizes, then back
      const setWorkers = (replicas: number) =>
        updateCluster(c, obj => {
          obj.spec.topology.workers.machineDeployments[0].replicas = replicas;
        });
      await driftAppearsAndClears(key, {
        make: () => setWorkers(desired + 5),
        finding: {
          kind: 'replicas',
          subject: md.name,
          actual: `${desired + 5}`,
        },
        undo: () => setWorkers(desired),
      });

      // an add-on whose Helm release fails, then recovers
      const addon = c.addons!.find(a => a.source === 'HelmReleaseProxy')!;
      const hrps = await kube.request(
        'GET',
        `/apis/addons.cluster.x-k8s.io/v1beta1/namespaces/${
          c.namespace
        }/helmreleaseproxies?labelSelector=${encodeURIComponent(
          `cluster.x-k8s.io/cluster-name=${c.name}`,
        )}`,
      );
      const hrp = hrps.body.items.find(
        (i: any) => i.spec.chartName === addon.name,
      );
      const statusPath = `/apis/addons.cluster.x-k8s.io/v1beta1/namespaces/${c.namespace}/helmreleaseproxies/${hrp.metadata.name}/status`;
      const healthyStatus = hrp.status;
      await driftAppearsAndClears(key, {
        make: async () => {
          const failing = await kube.request('PUT', statusPath, {
            ...hrp,
            status: {
              ready: false,
              status: 'failed',
              failureReason:
                'upgrade failed: timed out waiting for the condition',
              conditions: [
                {
                  type: 'HelmReleaseReady',
                  status: 'False',
                  reason: 'HelmInstallOrUpgradeFailed',
                  lastTransitionTime: `${new Date()
                    .toISOString()
                    .slice(0, 19)}Z`,
                },
              ],
            },
          });
          expect(failing.status).toBe(200);
        },
        finding: {
          kind: 'addonFailed',
          subject: addon.name,
          message: 'upgrade failed: timed out waiting for the condition',
        },
        undo: async () => {
          const current = (
            await kube.request('GET', statusPath.replace(/\/status$/, ''))
          ).body;
          const recovered = await kube.request('PUT', statusPath, {
            ...current,
            status: healthyStatus,
          });
          expect(recovered.status).toBe(200);
        },
      });

      // the add-on upgraded outside the profile, then back
      const releasePath = statusPath.replace(/\/status$/, '');
      const setVersion = async (version: string) => {
        const live = (await kube.request('GET', releasePath)).body;
        const put = await kube.request('PUT', releasePath, {
          ...live,
          spec: { ...live.spec, version },
        });
        expect(put.status).toBe(200);
      };
      await driftAppearsAndClears(key, {
        make: () => setVersion('v99.0.0'),
        finding: {
          kind: 'addonVersion',
          subject: addon.name,
          expected: addon.version,
          actual: 'v99.0.0',
        },
        undo: () => setVersion(addon.version!),
      });

      // the add-on's release deleted, then created again
      const live = (await kube.request('GET', releasePath)).body;
      await driftAppearsAndClears(key, {
        make: async () =>
          expect((await kube.request('DELETE', releasePath)).status).toBe(200),
        finding: {
          kind: 'addonMissing',
          subject: addon.name,
          actual: 'missing',
        },
        undo: () => createAgain(kube, releasePath, live, healthyStatus),
      });

      // a new profile version is released: the cluster is behind until it is moved to it
      const released = `${major + 11}.0.0`;
      await driftAppearsAndClears(key, {
        make: async () => {
          profiles[index] = {
            ...profile,
            spec: {
              ...profile.spec,
              version: released,
              previousVersions: [
                ...(profile.spec.previousVersions ?? []).filter(
                  (p: any) => p.version !== tailored,
                ),
                {
                  version: tailored,
                  kubernetes: { versions: profile.spec.kubernetes.versions },
                },
              ],
            },
          };
          profiles = [...profiles];
        },
        finding: {
          kind: 'profileVersion' as DriftKind,
          expected: released,
          actual: tailored,
        },
        undo: () =>
          updateCluster(c, obj => {
            obj.metadata.labels['shipyard.io/profile-version'] = released;
          }),
        cleared: s => expect(s.profileVersion).toBe(released),
      });
      expect(logs.filter(l => /^(warn|error) /.test(l))).toEqual([]);
    });

    it('the ClusterClass, the Kubernetes version and the control plane replicas drift and clear: the Cluster rebased on another class, upgraded by hand, its control plane scaled by hand, each then set back', async () => {
      const { c, key } = await inSync();
      const object = (await kube.request('GET', objectPath(c))).body;
      const topology = object.spec.topology;
      const className: string = topology.classRef.name;
      expect(className).toBe(c.clusterClass);
      const version: string = topology.version;
      expect(version).toBe(c.kubernetesVersion);
      const cpReplicas = c.controlPlane.desired!;

      // rebased on a copy of its ClusterClass under another name, then back
      const classesPath = `/apis/cluster.x-k8s.io/v1beta2/namespaces/${
        topology.classRef.namespace ?? c.namespace
      }/clusterclasses`;
      const cls = (await kube.request('GET', `${classesPath}/${className}`))
        .body;
      const copy = `${className}-rebased`.slice(0, 63);
      const created = await kube.request('POST', classesPath, {
        apiVersion: cls.apiVersion,
        kind: cls.kind,
        metadata: {
          name: copy,
          namespace: cls.metadata.namespace,
          labels: cls.metadata.labels ?? {},
          annotations: cls.metadata.annotations ?? {},
        },
        spec: cls.spec,
      });
      expect(created.status).toBe(201);
      const setClass = (name: string) =>
        updateCluster(c, obj => {
          obj.spec.topology.classRef.name = name;
        });
      await driftAppearsAndClears(key, {
        make: () => setClass(copy),
        finding: { kind: 'clusterClass', expected: className, actual: copy },
        facet: 'clusterClass',
        undo: () => setClass(className),
      });

      // upgraded by hand to the next patch release (the profile version allows only the one it runs), then back
      const parts = /^(v?\d+\.\d+\.)(\d+)(.*)$/.exec(version);
      expect(parts).not.toBeNull();
      const upgraded = `${parts![1]}${Number(parts![2]) + 1}${parts![3]}`;
      const setVersion = (to: string) =>
        updateCluster(c, obj => {
          obj.spec.topology.version = to;
        });
      await driftAppearsAndClears(key, {
        make: () => setVersion(upgraded),
        finding: {
          kind: 'kubernetesVersion',
          expected: version,
          actual: upgraded,
        },
        facet: 'kubernetesVersion',
        undo: () => setVersion(version),
      });

      // the control plane scaled by hand beyond the profile's sizes, then back
      await driftAppearsAndClears(key, {
        make: () =>
          updateCluster(c, obj => {
            obj.spec.topology.controlPlane = {
              ...obj.spec.topology.controlPlane,
              replicas: cpReplicas + 2,
            };
          }),
        appeared: s => expect(s.controlPlane.desired).toBe(cpReplicas + 2),
        finding: {
          kind: 'replicas',
          subject: 'controlPlane',
          expected: `${cpReplicas}`,
          actual: `${cpReplicas + 2}`,
        },
        undo: () =>
          updateCluster(c, obj => {
            obj.spec.topology.controlPlane.replicas = cpReplicas;
          }),
        cleared: s => expect(s.controlPlane.desired).toBe(cpReplicas),
      });
      expect(logs.filter(l => /^(warn|error) /.test(l))).toEqual([]);
    });

    it("a MachineDeployment of a Cluster without a topology scaled by hand beyond its profile's sizes drifts, and clears when scaled back", async () => {
      // a cluster that is not managed through a ClusterClass: its MachineDeployments are scaled on themselves
      const c = await findCluster(
        x =>
          !x.clusterClass &&
          Boolean(x.profile) &&
          x.drift !== undefined &&
          x.phase === 'Provisioned' &&
          x.machineDeployments.length > 0 &&
          !x.drift.some(
            f =>
              f.kind === 'replicas' &&
              f.subject === x.machineDeployments[0].name,
          ),
      );
      const key = keyOf(c!);
      const md = c!.machineDeployments[0];
      const before = (await summaryOf(key)).drift!;
      // above every size the profile declares, in any of its versions
      const profile = profiles.find(p => p.metadata.name === c!.profile);
      const sizes = [
        profile.spec.sizes,
        ...(profile.spec.previousVersions ?? []).map((v: any) => v.sizes),
      ]
        .filter(Boolean)
        .flatMap((set: any) => Object.values(set))
        .map((size: any) => size.workerReplicas as number);
      const scaled = Math.max(md.replicas.desired ?? 0, ...sizes) + 1;
      const mdPath = `/apis/cluster.x-k8s.io/v1beta2/namespaces/${
        c!.namespace
      }/machinedeployments/${md.name}`;
      const scale = async (replicas: number) => {
        const res = await kube.request(
          'PATCH',
          mdPath,
          { spec: { replicas } },
          'application/merge-patch+json',
        );
        expect(res.status).toBe(200);
      };
      await scale(scaled);
      await eventually(async () => {
        const s = await summaryOf(key);
        expect(
          s.machineDeployments.find(m => m.name === md.name)?.replicas.desired,
        ).toBe(scaled);
        expect(s.drift).toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              kind: 'replicas',
              subject: md.name,
              actual: `${scaled}`,
            }),
          ]),
        );
        const filtered = await get('/clusters?drift=replicas&limit=500');
        expect(filtered.items.map(keyOf)).toContain(key);
      });
      await scale(md.replicas.desired!);
      await eventually(async () => {
        const s = await summaryOf(key);
        expect(s.drift!.map(f => [f.kind, f.subject])).toEqual(
          before.map(f => [f.kind, f.subject]),
        );
      });
    });

    it("an add-on whose chart proxy cannot make the cluster's release is failed, as the HelmChartProxy's status says, and clears when the release is made", async () => {
      const { c, key } = await inSync();
      const addon = c.addons!.find(a => a.source === 'HelmReleaseProxy')!;
      const helm = `/apis/addons.cluster.x-k8s.io/v1beta1/namespaces/${c.namespace}`;
      const hrps = await kube.request(
        'GET',
        `${helm}/helmreleaseproxies?labelSelector=${encodeURIComponent(
          `cluster.x-k8s.io/cluster-name=${c.name}`,
        )}`,
      );
      const live = hrps.body.items.find(
        (i: any) => i.spec.chartName === addon.name,
      );
      const releasePath = `${helm}/helmreleaseproxies/${live.metadata.name}`;
      const proxyName =
        live.metadata.labels[
          'helmreleaseproxy.addons.cluster.x-k8s.io/helmchartproxy-name'
        ];
      const proxyPath = `${helm}/helmchartproxies/${proxyName}`;
      const proxy = (await kube.request('GET', proxyPath)).body;
      // the chart proxy selects the cluster and has made its releases
      expect(proxy.status.matchingClusters.map((m: any) => m.name)).toContain(
        c.name,
      );
      const madeStatus = proxy.status;

      // the release gone while the chart proxy says its releases are made: missing
      expect((await kube.request('DELETE', releasePath)).status).toBe(200);
      await eventually(async () => {
        const s = await summaryOf(key);
        expect(s.drift).toEqual([
          expect.objectContaining({
            kind: 'addonMissing',
            subject: addon.name,
          }),
        ]);
      });

      // the chart proxy cannot render its values for the cluster: the layer is failed, with the provider's reason
      const reason = `failed to parse values on cluster ${c.name}: template: values:1: map has no entry for key "region"`;
      const failing = await kube.request('PUT', `${proxyPath}/status`, {
        ...proxy,
        status: {
          ...madeStatus,
          conditions: [
            {
              type: 'Ready',
              status: 'False',
              reason: 'ValueParsingFailed',
              message: reason,
              lastTransitionTime: `${new Date().toISOString().slice(0, 19)}Z`,
            },
            {
              type: 'HelmReleaseProxySpecsUpToDate',
              status: 'False',
              reason: 'ValueParsingFailed',
              message: reason,
              lastTransitionTime: `${new Date().toISOString().slice(0, 19)}Z`,
            },
          ],
        },
      });
      expect(failing.status).toBe(200);
      await eventually(async () => {
        const s = await summaryOf(key);
        expect(s.drift).toEqual([
          expect.objectContaining({
            kind: 'addonFailed',
            subject: addon.name,
            expected: addon.version,
            message: reason,
          }),
        ]);
        expect(s.addons!.filter(a => a.name === addon.name)).toEqual([
          expect.objectContaining({
            state: 'failed',
            source: 'HelmChartProxy',
            from: proxyName,
          }),
        ]);
      });

      // the values fixed: the chart proxy makes the release again
      const current = (await kube.request('GET', proxyPath)).body;
      const made = await kube.request('PUT', `${proxyPath}/status`, {
        ...current,
        status: madeStatus,
      });
      expect(made.status).toBe(200);
      await createAgain(kube, releasePath, live, live.status);
      await eventually(async () => {
        const s = await summaryOf(key);
        expect(kinds(s)).toEqual([]);
        expect(s.addons!.filter(a => a.name === addon.name)).toEqual([
          expect.objectContaining({
            state: 'installed',
            source: 'HelmReleaseProxy',
          }),
        ]);
      });
      expect(logs.filter(l => /^(warn|error) /.test(l))).toEqual([]);
    });
  },
);
