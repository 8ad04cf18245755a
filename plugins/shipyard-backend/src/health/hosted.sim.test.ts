import type { FleetSim } from '@shipyard/fleet-sim';
import { simulatorForSuite } from '../__testUtils__/suiteSim';
import { ClusterSummary } from '@shipyard/plugin-shipyard-common';
import request from 'supertest';
import { shipyardPlugin } from '../plugin';
import { eventuallyWithin, startSimulatedFleet } from '@shipyard/test-utils';

jest.setTimeout(120_000);

const eventually = eventuallyWithin({ timeoutMs: 30_000, intervalMs: 100 });

describe('control planes hosted as pods, against the fleet simulator', () => {
  let sim: FleetSim;
  simulatorForSuite(
    {
      managementClusters: 2,
      clusters: 4,
      seed: 'hosted-health',
      hostedControlPlanes: 2,
      managementChain: true,
    },
    s => (sim = s),
  );

  it('records where a hosted control plane runs, turns its cluster unhealthy while its pods are not ready, and recovers', async () => {
    const backend = await startSimulatedFleet({ plugin: shipyardPlugin, sim });
    try {
      const get = (path: string) =>
        request(backend.server).get(`/api/shipyard${path}`);
      const k0smotron = sim.model.clusters.find(
        c => c.flavor.hosted === 'k0smotron',
      )!;
      const kamaji = sim.model.clusters.find(
        c => c.flavor.hosted === 'kamaji',
      )!;
      const summaryOf = async (c: typeof k0smotron) => {
        const res = await get(
          `/clusters/${c.management}/${c.namespace}/${c.name}`,
        );
        expect(res.status).toBe(200);
        return res.body.summary as ClusterSummary;
      };
      await eventually(async () => {
        const s = await summaryOf(k0smotron);
        expect(s.health).toBe('healthy');
        expect(s.hostedControlPlane).toEqual({
          provider: 'k0smotron',
          hostCluster: k0smotron.management,
          namespace: k0smotron.namespace,
          workloadKind: 'StatefulSet',
          workloadName: `kmc-${k0smotron.controlPlaneName}`,
          replicas: k0smotron.controlPlaneReplicas,
          readyReplicas: k0smotron.controlPlaneReplicas,
          datastore: expect.stringMatching(/^(etcd|kine: postgres)$/),
          endpoint: expect.stringContaining(':30443'),
        });
      });
      const k = await summaryOf(kamaji);
      expect(k.controlPlaneKind).toBe('KamajiControlPlane');
      expect(k.hostedControlPlane).toMatchObject({
        provider: 'kamaji',
        workloadKind: 'Deployment',
        workloadName: kamaji.controlPlaneName,
        datastore: expect.stringMatching(/^DataStore /),
      });
      // the management chain: each management cluster's own Cluster names it
      const chain = (await get('/clusters?limit=100')).body
        .items as ClusterSummary[];
      expect(
        chain
          .filter(c => c.managementClusterOf)
          .map(c => c.managementClusterOf)
          .sort(),
      ).toEqual(sim.managementClusters.map(m => m.name).sort());

      sim.faults.hostedControlPlanePodsNotReady(
        `${k0smotron.management}/${k0smotron.namespace}/${k0smotron.name}`,
      );
      await eventually(async () => {
        const s = await summaryOf(k0smotron);
        expect(s.health).toBe('unhealthy');
        expect(s.hostedControlPlane?.readyReplicas).toBe(0);
        expect(s.healthReasons[0]).toMatchObject({
          type: 'HostedControlPlanePodsNotReady',
          severity: 'error',
          message: `Hosted control plane pods not ready: 0 of ${k0smotron.controlPlaneReplicas} ready (StatefulSet ${k0smotron.namespace}/kmc-${k0smotron.controlPlaneName} on ${k0smotron.management})`,
        });
      });
      // the other hosted control plane is untouched
      expect((await summaryOf(kamaji)).health).toBe('healthy');

      sim.faults.hostedControlPlanePodsNotReady(
        `${k0smotron.management}/${k0smotron.namespace}/${k0smotron.name}`,
        0,
      );
      await eventually(async () => {
        const s = await summaryOf(k0smotron);
        expect(s.health).toBe('healthy');
        expect(
          s.healthReasons.some(
            r => r.type === 'HostedControlPlanePodsNotReady',
          ),
        ).toBe(false);
      });
    } finally {
      await backend.stop();
    }
  });

  it('reports the blast radius of an unreachable management cluster and deletes nothing', async () => {
    const backend = await startSimulatedFleet({ plugin: shipyardPlugin, sim });
    const [root, other] = sim.managementClusters.map(m => m.name);
    try {
      const get = (path: string) =>
        request(backend.server).get(`/api/shipyard${path}`);
      const mcs = async () =>
        (await get('/management-clusters')).body.items as Array<{
          name: string;
          state: string;
          cluster?: {
            managementCluster: string;
            namespace: string;
            name: string;
          };
          blastRadius?: {
            clusters: number;
            teams: number;
            hostedControlPlanes: number;
            managementClusters: string[];
            total: { clusters: number };
          };
          staleMessage?: string;
        }>;
      const onRoot = sim.model.clusters.filter(c => c.management === root);
      const teams = new Set(onRoot.map(c => c.team ?? 'none')).size;
      const hostedOnRoot = onRoot.filter(c => c.flavor.hosted).length;
      await eventually(async () => {
        const list = await mcs();
        const r = list.find(m => m.name === root)!;
        // the chain: the first management cluster is its own Cluster and the other's
        expect(r.cluster).toEqual({
          managementCluster: root,
          namespace: 'management',
          name: root,
        });
        expect(list.find(m => m.name === other)?.cluster).toEqual({
          managementCluster: root,
          namespace: 'management',
          name: other,
        });
        expect(r.blastRadius).toMatchObject({
          clusters: onRoot.length,
          hostedControlPlanes: hostedOnRoot,
          managementClusters: [other],
          total: { clusters: sim.model.clusters.length },
        });
        expect(r.staleMessage).toBeUndefined();
      });
      const before = (await get('/clusters?limit=200')).body.totalCount;
      expect(before).toBe(sim.model.clusters.length);

      sim.faults.unreachable(root, 'refuse');
      await eventually(async () => {
        const r = (await mcs()).find(m => m.name === root)!;
        expect(r.state).toBe('stale');
        expect(r.staleMessage).toBe(
          `${root} unreachable: ${
            onRoot.length
          } clusters of ${teams} teams not observed, ${hostedOnRoot} hosted control plane${
            hostedOnRoot === 1 ? '' : 's'
          } not confirmed; the management cluster ${other} it manages cannot be changed through it`,
        );
      });
      // nothing is deleted while the management cluster cannot be reached
      const during = await get('/clusters?limit=200');
      expect(during.body.totalCount).toBe(before);
      // each of its clusters says so: since when it is not observed, and what the outage leaves unconfirmed
      const staleReason = async (c: { namespace: string; name: string }) => {
        const s = (await get(`/clusters/${root}/${c.namespace}/${c.name}`)).body
          .summary as ClusterSummary;
        expect(s.source.state).toBe('stale');
        const reason = s.healthReasons.find(r => r.type === 'SourceStale');
        expect(reason?.message).toMatch(
          new RegExp(
            `^${root} unreachable: not observed since ${s.source.lastSeenAt}; the Cluster API state may be outdated`,
          ),
        );
        return reason!.message;
      };
      const hostedPart =
        ', and the control plane pods it hosts are not confirmed';
      const chainPart = `; the management cluster ${other} cannot be changed through Cluster API meanwhile`;
      await eventually(async () => {
        for (const c of onRoot) {
          const message = await staleReason(c);
          // what follows the common part: only for a control plane hosted there or a management cluster managed there
          expect({
            cluster: c.name,
            rest: message.split('outdated')[1],
          }).toEqual({
            cluster: c.name,
            rest: `${c.flavor.hosted ? hostedPart : ''}${
              c.labels['shipyard.io/is-management-cluster'] === other
                ? chainPart
                : ''
            }`,
          });
        }
      });
      expect(onRoot.some(c => c.flavor.hosted)).toBe(true);

      sim.faults.reachable(root);
      await eventually(async () => {
        const r = (await mcs()).find(m => m.name === root)!;
        expect(r.state).toBe('connected');
        expect(r.staleMessage).toBeUndefined();
        for (const c of onRoot) {
          const summary = (
            await get(`/clusters/${root}/${c.namespace}/${c.name}`)
          ).body.summary as ClusterSummary;
          expect(summary.source.state).toBe('connected');
          expect(
            summary.healthReasons.some(x => x.type === 'SourceStale'),
          ).toBe(false);
        }
      });
      expect((await get('/clusters?limit=200')).body.totalCount).toBe(before);
    } finally {
      sim.faults.clear();
      await backend.stop();
    }
  });
});
