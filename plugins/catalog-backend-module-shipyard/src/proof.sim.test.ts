import { Entity } from '@backstage/catalog-model';
import { useSimCatalogBackend } from './__testUtils__/simCatalog';
import {
  fleetCredentials,
  managementClusterStates,
} from '@shipyard/test-utils';
import { clusterEntityName } from './entities/naming';
import { CHANGES_METRIC } from './providers/metrics';

/*
 * Fault matrix and security of the catalog module against the real catalog, the real Shipyard backend and the
 * fleet simulator: a management cluster that goes away for a while (and whose API server restarts with its watch
 * history compacted) costs the catalog nothing; and no entity carries a credential of the fleet.
 */

jest.setTimeout(180_000);

const CLUSTERS = 'cluster.x-k8s.io/clusters';
const OUTAGE_SYNCS = 4;

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

describe('catalog module shipyard: fault matrix and secrets', () => {
  const suite = useSimCatalogBackend({
    seed: 'catalog-proof',
    clusters: 12,
    pageSize: 5,
    // the simulator shares the test's process with the backend and the catalog: on a busy machine every kind's
    // relist after the outage can take seconds, so the requests get the product's deadline (30 s), not 1.5 s
    // (with which they failed together and retried together for over a minute), and each wait a minute
    sync: { requestTimeoutMs: 30_000 },
    timeoutMs: 60_000,
    waitMs: 60_000,
  });
  const { get, fleet, eventually, fullSync } = suite;
  const shipyardEntities = (type: string) => suite.entities(type);
  const clusterEntities = () => suite.entities();
  const removedChanges = () =>
    suite.count(CHANGES_METRIC, 'ClusterEntityProvider', 'removed');
  const uidsOf = (entities: Entity[]) =>
    Object.fromEntries(
      entities.map(e => [e.metadata.name, e.metadata.uid as string]),
    );
  const mcState = async (name: string) =>
    (await managementClusterStates(suite.client())).get(name)?.state;

  beforeAll(async () => {
    await eventually(
      clusterEntities,
      l => l.length === suite.sim.workloadClusters().length,
    );
  });

  it('keeps every entity and its uid while a management cluster is down, then resyncs without deleting', async () => {
    const mc = suite.sim.managementClusters[1].name;
    const api = suite.sim.management(mc).api;
    const before = await clusterEntities();
    const uids = uidsOf(before);
    const mcUids = uidsOf(
      await shipyardEntities('kubernetes-management-cluster'),
    );
    expect(Object.keys(mcUids).sort()).toEqual(
      suite.sim.managementClusters.map(m => m.name).sort(),
    );
    const ofMc = before.filter(
      e => e.metadata.annotations?.['shipyard.io/management-cluster'] === mc,
    );
    expect(ofMc.length).toBeGreaterThan(1);
    const removedBefore = removedChanges();

    // watch the catalog continuously: no entity may be missing at any moment of the outage
    const missing = new Set<string>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const names = new Set(
          (await clusterEntities()).map(e => e.metadata.name),
        );
        for (const name of Object.keys(uids)) {
          if (!names.has(name)) missing.add(name);
        }
        await sleep(100);
      }
    })();

    suite.sim.faults.unreachable(mc, 'refuse');
    try {
      await eventually(
        () => mcState(mc),
        s => s === 'stale',
      );
      // what changes on the management cluster while it cannot be seen
      const names = api
        .list(api.type(CLUSTERS), {})
        .texts.map(t => JSON.parse(t))
        .filter(o => o.metadata.namespace && o.metadata.name);
      const [deleted, relabelled] = names;
      api.delete(
        api.type(CLUSTERS),
        deleted.metadata.namespace,
        deleted.metadata.name,
      );
      const relabel = JSON.parse(JSON.stringify(relabelled));
      relabel.metadata.labels = {
        ...relabel.metadata.labels,
        'shipyard.io/owner': 'team-moved',
      };
      api.store.put(
        CLUSTERS,
        `${relabel.metadata.namespace}/${relabel.metadata.name}`,
        relabel,
      );
      api.create(api.type(CLUSTERS), deleted.metadata.namespace, {
        apiVersion: relabelled.apiVersion,
        kind: 'Cluster',
        metadata: {
          name: 'born-in-outage',
          namespace: deleted.metadata.namespace,
          labels: { 'shipyard.io/owner': 'team-a' },
        },
        spec: relabelled.spec,
      });
      // and its API server restarts with the watch history compacted
      suite.sim.faults.restartManagementApi(mc);

      for (let round = 0; round < OUTAGE_SYNCS; round++) {
        await fullSync();
        const during = await clusterEntities();
        expect(uidsOf(during)).toEqual(uids);
        // the backend still lists them, marked as coming from a stale source
        const listed = (await fleet()).filter(s => s.managementCluster === mc);
        expect(listed.length).toBe(ofMc.length);
        expect(await mcState(mc)).toBe('stale');
        await sleep(150);
      }
      expect(
        uidsOf(await shipyardEntities('kubernetes-management-cluster')),
      ).toEqual(mcUids);
      expect(removedChanges()).toBe(removedBefore);
      expect(missing).toEqual(new Set());

      suite.sim.faults.reachable(mc);
      await eventually(
        () => mcState(mc),
        s => s === 'connected',
      );
      // full syncs right as the management cluster comes back, while its kinds relist
      await fullSync();
      await fullSync();

      const deletedName = clusterEntityName({
        managementCluster: mc,
        namespace: deleted.metadata.namespace,
        name: deleted.metadata.name,
      });
      const relabelledName = clusterEntityName({
        managementCluster: mc,
        namespace: relabelled.metadata.namespace,
        name: relabelled.metadata.name,
      });
      const bornName = clusterEntityName({
        managementCluster: mc,
        namespace: deleted.metadata.namespace,
        name: 'born-in-outage',
      });
      const after = await eventually(
        async () => {
          await fullSync();
          return clusterEntities();
        },
        l =>
          !l.some(e => e.metadata.name === deletedName) &&
          l.some(e => e.metadata.name === bornName) &&
          l.find(e => e.metadata.name === relabelledName)?.spec?.owner ===
            'group:default/team-moved',
      );
      sampling = false;
      await sampler;

      // only the cluster really deleted during the outage is gone; every other entity kept its uid
      const expected = { ...uids };
      delete expected[deletedName];
      const afterUids = uidsOf(after);
      delete afterUids[bornName];
      expect(afterUids).toEqual(expected);
      expect([...missing]).toEqual([deletedName]);
      expect(removedChanges() - removedBefore).toBeLessThanOrEqual(1);
      expect(
        uidsOf(await shipyardEntities('kubernetes-management-cluster')),
      ).toEqual(mcUids);
    } finally {
      sampling = false;
      await sampler.catch(() => {});
      suite.sim.faults.reachable(mc);
      suite.sim.faults.clear();
    }
  });

  it('puts no credential of the fleet in any catalog entity', async () => {
    const secrets = fleetCredentials(suite.sim);
    for (const m of suite.sim.managementClusters) secrets.add(m.caData);
    const decodedCa = new Set<string>();
    for (const ca of [...secrets].filter(s => s.startsWith('LS0t'))) {
      // the PEM body of each CA, without its armour, in case it is carried decoded
      const pem = Buffer.from(ca, 'base64').toString('utf8');
      for (const line of pem.split(/\r?\n/)) {
        if (line.length >= 40 && !line.startsWith('-----')) decodedCa.add(line);
      }
    }
    const kubeconfig = suite.sim.kubeconfig();
    const patterns = [
      /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
      /-----BEGIN CERTIFICATE-----/,
      /client-key-data/,
      /client-certificate-data/,
      /certificate-authority-data/,
      /\btoken:\s*\S/,
      /Bearer\s+[A-Za-z0-9._~+/-]{8,}/,
      /apiVersion:\s*v1\s+kind:\s*Config/,
    ];

    const all = (
      await get<{ items: Entity[] }>('/catalog/entities/by-query?limit=1000')
    ).items;
    const ours = all.filter(e =>
      Object.keys(e.metadata.annotations ?? {}).some(a =>
        a.startsWith('shipyard.io/'),
      ),
    );
    expect(ours.length).toBeGreaterThanOrEqual(
      suite.sim.workloadClusters().length + suite.sim.managementClusters.length,
    );
    const leaks: string[] = [];
    for (const entity of ours) {
      const text = JSON.stringify(entity);
      const where = `${entity.kind}:${entity.metadata.name}`;
      for (const s of [...secrets, ...decodedCa]) {
        if (s && s.length >= 8 && text.includes(s))
          leaks.push(`${where}: ${s.slice(0, 12)}…`);
      }
      for (const p of patterns) {
        if (p.test(text)) leaks.push(`${where}: ${p}`);
      }
      // no whole line of the kubeconfig that carries a credential
      for (const line of kubeconfig.split('\n')) {
        if (
          /token|data:/.test(line) &&
          line.trim().length > 20 &&
          text.includes(line.trim())
        ) {
          leaks.push(`${where}: kubeconfig line`);
        }
      }
    }
    expect(leaks).toEqual([]);
  });
});
