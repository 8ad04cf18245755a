// the naive baseline is a development benchmark; client-node is a dev dependency
import * as k8s from '@kubernetes/client-node';
import {
  CAPI_GROUP,
  CAPI_VERSION,
  LABEL_OWNER,
  ListClustersRequest,
} from '@shipyard/plugin-shipyard-common';
import { FleetService } from '@shipyard/plugin-shipyard-backend/src/service/FleetService';
import { SimHost, benchBackendConfig } from './fleetBenchmark';
import { heapUsed, percentile } from '../stats';
import { mockServices } from '@backstage/backend-test-utils';

/** Options of {@link runNaiveBaseline}. */
export interface NaiveBaselineOptions {
  clusters: number;
  managementClusters: number;
  /** Queries per side (default 500). */
  queries?: number;
  /** The owning team asked about (default `team-a`). */
  team?: string;
  seed?: string;
}

/** Figures of one fleet size: a client-node informer per kind holding full objects versus the FleetIndex. */
export interface NaiveBaselineResult {
  clusters: number;
  managementClusters: number;
  machines: number;
  /** Informers (one per kind per management cluster). */
  informers: number;
  /** Objects the informers hold. */
  informerObjects: number;
  informerHeapMB: number;
  fleetIndexHeapMB: number;
  informerQueryP50Ms: number;
  informerQueryP99Ms: number;
  fleetIndexQueryP50Ms: number;
  fleetIndexQueryP99Ms: number;
  /** Whether both sides answered the same clusters (the full team, unpaged). */
  sameAnswer: boolean;
  teamClusters: number;
}

type KubeObject = k8s.KubernetesObject & {
  status?: {
    phase?: string;
    conditions?: Array<{ type?: string; status?: string; reason?: string }>;
  };
};

/** The kinds a fleet view needs, as the naive approach watches them: whole objects, one informer each. */
const KINDS = [
  'clusters',
  'machinedeployments',
  'machinesets',
  'machines',
  'machinepools',
  'machinehealthchecks',
];

const silentLogger = mockServices.rootLogger({ level: 'none' });

interface NaiveRow {
  key: string;
  name: string;
  phase?: string;
  available?: string;
}

/** The naive answer: list() every cached Cluster, filter by the owner label, sort by name, take a page. */
function naiveQuery(
  clusterInformers: Array<{
    mc: string;
    informer: k8s.ObjectCache<KubeObject>;
  }>,
  team: string,
  limit: number,
): NaiveRow[] {
  const rows: NaiveRow[] = [];
  for (const { mc, informer } of clusterInformers) {
    for (const c of informer.list()) {
      if (c.metadata?.labels?.[LABEL_OWNER] !== team) continue;
      rows.push({
        key: `${mc}/${c.metadata?.namespace}/${c.metadata?.name}`,
        name: c.metadata?.name ?? '',
        phase: c.status?.phase,
        available: c.status?.conditions?.find(x => x.type === 'Available')
          ?.status,
      });
    }
  }
  rows.sort((a, b) =>
    a.name === b.name
      ? a.key.localeCompare(b.key)
      : a.name.localeCompare(b.name),
  );
  return rows.slice(0, limit);
}

async function timeQueries(count: number, fn: () => void): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
    if (i % 50 === 0) await new Promise(r => setImmediate(r));
  }
  return out;
}

/**
 * Measures, against the fleet simulator (in a worker thread), a plain `@kubernetes/client-node` informer per kind
 * holding full objects (queried with `list()` + filter + sort + slice) against Shipyard's FleetIndex answering the
 * same question in-process: heap after GC and query time. Run with `--expose-gc`.
 */
export async function runNaiveBaseline(
  options: NaiveBaselineOptions,
): Promise<NaiveBaselineResult> {
  const queries = options.queries ?? 500;
  const team = options.team ?? 'team-a';
  const sim = new SimHost({
    managementClusters: options.managementClusters,
    clusters: options.clusters,
    seed: options.seed ?? 'shipyard-compare',
    timing: { stepMs: 1000 },
  });
  const info = await sim.ready;
  try {
    // 1. informers holding full objects
    const base1 = heapUsed();
    const informers: Array<{
      mc: string;
      plural: string;
      informer: k8s.Informer<KubeObject> & k8s.ObjectCache<KubeObject>;
    }> = [];
    for (const mc of info.managementClusters) {
      const kc = new k8s.KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: mc.name, server: mc.url, caData: mc.caData }],
        users: [{ name: 'bench', token: mc.token }],
        contexts: [{ name: mc.name, cluster: mc.name, user: 'bench' }],
        currentContext: mc.name,
      });
      const api = kc.makeApiClient(k8s.CustomObjectsApi);
      for (const plural of KINDS) {
        const informer = k8s.makeInformer<KubeObject>(
          kc,
          `/apis/${CAPI_GROUP}/${CAPI_VERSION}/${plural}`,
          async () =>
            (await api.listClusterCustomObject({
              group: CAPI_GROUP,
              version: CAPI_VERSION,
              plural,
            })) as k8s.KubernetesListObject<KubeObject>,
        );
        informer.on('error', () => undefined);
        informers.push({ mc: mc.name, plural, informer });
      }
    }
    await Promise.all(informers.map(i => i.informer.start()));
    const informerObjects = informers.reduce(
      (n, i) => n + i.informer.list().length,
      0,
    );
    const informerHeapMB = (heapUsed() - base1) / 1024 / 1024;
    const clusterInformers = informers
      .filter(i => i.plural === 'clusters')
      .map(i => ({ mc: i.mc, informer: i.informer }));
    const naive = () => naiveQuery(clusterInformers, team, 50);
    await timeQueries(Math.min(queries, 100), naive); // warm-up
    const naiveTimes = await timeQueries(queries, naive);
    const naiveAll = new Set(
      naiveQuery(clusterInformers, team, Infinity).map(r => r.key),
    );
    await Promise.all(informers.map(i => i.informer.stop()));
    informers.length = 0;
    clusterInformers.length = 0;

    // 2. Shipyard's FleetIndex, fed by its own reconcilers
    const base2 = heapUsed();
    const config = benchBackendConfig(info.managementClusters, LABEL_OWNER);
    const fleet = new FleetService({ config, logger: silentLogger });
    await fleet.start();
    await fleet.waitForInitialSync();
    await new Promise(r => setImmediate(r));
    const fleetIndexHeapMB = (heapUsed() - base2) / 1024 / 1024;
    const request: ListClustersRequest = {
      owner: [`group:default/${team}`],
      sort: 'name',
      limit: 50,
      facets: false,
    };
    const indexed = () => fleet.index.query(request);
    await timeQueries(Math.min(queries, 100), indexed); // warm-up
    const indexTimes = await timeQueries(queries, indexed);
    const indexAll = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = fleet.index.query({ ...request, limit: 500, cursor });
      for (const s of page.items)
        indexAll.add(`${s.managementCluster}/${s.namespace}/${s.name}`);
      cursor = page.nextCursor;
    } while (cursor);
    await fleet.stop();

    return {
      clusters: info.clusters,
      managementClusters: info.managementClusters.length,
      machines: info.machines,
      informers: KINDS.length * info.managementClusters.length,
      informerObjects,
      informerHeapMB,
      fleetIndexHeapMB,
      informerQueryP50Ms: percentile(naiveTimes, 50),
      informerQueryP99Ms: percentile(naiveTimes, 99),
      fleetIndexQueryP50Ms: percentile(indexTimes, 50),
      fleetIndexQueryP99Ms: percentile(indexTimes, 99),
      sameAnswer:
        naiveAll.size === indexAll.size &&
        [...naiveAll].every(k => indexAll.has(k)),
      teamClusters: indexAll.size,
    };
  } finally {
    await sim.stop();
  }
}
