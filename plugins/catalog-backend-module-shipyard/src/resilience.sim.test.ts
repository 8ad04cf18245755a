import { ShipyardRequest, ShipyardRequestFaults } from '@shipyard/test-utils';
import {
  SimCatalogSuite,
  useSimCatalogBackend,
} from './__testUtils__/simCatalog';
import { clusterEntityName } from './entities/naming';
import { MUTATIONS_METRIC } from './providers/metrics';

/*
 * The cluster provider's full sync when the Shipyard backend answers badly, against the real catalog, the real
 * Shipyard backend and the fleet simulator: the backend's answers to the catalog's listing are replaced by errors,
 * late answers or none at all, and the provider still ends up with every cluster, soon; and bursts of fleet changes
 * while a full sync reads the fleet cost no full sync back to back.
 */

jest.setTimeout(90_000);

const CLUSTERS = 'cluster.x-k8s.io/clusters';
const CATALOG = 'plugin:catalog';

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** A page of the catalog's listing of the clusters after the first one. */
const laterPage = (r: ShipyardRequest) =>
  r.caller === CATALOG && r.path === '/clusters' && 'cursor' in r.query;

/** The first page of a listing of the clusters by the catalog: one per full sync that read the fleet. */
const listingsOf = (faults: ShipyardRequestFaults) =>
  faults.requestsOf(CATALOG, '/clusters').filter(r => !('cursor' in r.query));

function fullMutations(suite: SimCatalogSuite): number {
  return suite.count(MUTATIONS_METRIC, 'ClusterEntityProvider', 'full');
}

/** Whether the catalog has an entity of every cluster the backend lists. */
async function complete(suite: SimCatalogSuite): Promise<boolean> {
  const names = new Set((await suite.entities()).map(e => e.metadata.name));
  return (await suite.fleet()).every(s => names.has(clusterEntityName(s)));
}

/** Creates workload clusters `names` on the first management cluster, like the simulator's own. */
function createClusters(suite: SimCatalogSuite, names: string[]) {
  const mc = suite.sim.managementClusters[0].name;
  const api = suite.sim.management(mc).api;
  const template = JSON.parse(api.list(api.type(CLUSTERS), {}).texts[0]);
  for (const name of names) {
    api.create(api.type(CLUSTERS), 'default', {
      apiVersion: template.apiVersion,
      kind: 'Cluster',
      metadata: {
        name,
        namespace: 'default',
        labels: template.metadata.labels,
      },
      spec: template.spec,
    });
  }
}

describe('catalog module shipyard: a page the backend fails to answer', () => {
  const faults = new ShipyardRequestFaults();
  const logs: string[] = [];
  // the second page refused (a busy backend's 401) and failed (500), the third answered after the request timeout
  faults.inject(laterPage, { status: 401 });
  faults.inject(laterPage, { status: 500 });
  faults.inject(
    r =>
      laterPage(r) &&
      faults.requests.some(
        p => p.fault && laterPage(p) && p.query.cursor !== r.query.cursor,
      ),
    { delayMs: 4_000 },
  );
  const suite = useSimCatalogBackend({
    seed: 'catalog-page-faults',
    clusters: 12,
    pageSize: 4,
    provider: { requestTimeoutMs: 1_500 },
    faults,
    logs,
    initialSync: false,
    timeoutMs: 30_000,
  });

  afterAll(() => faults.clear());

  it('asks for the failed page again and completes the same full sync, with every cluster', async () => {
    const started = Date.now();
    await suite.fullSync();
    const took = Date.now() - started;

    expect(faults.remaining()).toBe(0);
    expect(faults.requests.filter(r => r.fault).map(r => r.fault)).toEqual([
      'status 401',
      'status 500',
      'delay 4000 ms',
    ]);
    // one listing, from its first page to its last: the pages read before the failed one are kept
    expect(listingsOf(faults)).toHaveLength(1);
    expect(fullMutations(suite)).toBe(1);
    expect(logs.filter(l => /Full sync of clusters failed/.test(l))).toEqual(
      [],
    );
    expect(
      logs.some(l => /Reading page 2 of the clusters failed/.test(l)),
    ).toBe(true);
    expect(await complete(suite)).toBe(true);
    // three tries after 1 s, 2 s and 1 s, and the request timeout
    expect(took).toBeLessThan(20_000);
  });
});

describe('catalog module shipyard: a full sync that stops making progress', () => {
  const faults = new ShipyardRequestFaults();
  const logs: string[] = [];
  // the second page is held unanswered, and the request timeout is long: only the stall watchdog ends the wait
  faults.inject(laterPage, { hold: true });
  const suite = useSimCatalogBackend({
    seed: 'catalog-stall',
    clusters: 12,
    pageSize: 4,
    provider: { requestTimeoutMs: 120_000, stallTimeoutMs: 1_500 },
    faults,
    logs,
    initialSync: false,
    timeoutMs: 30_000,
  });

  afterAll(() => faults.clear());

  it('is given up and tried again within seconds, and the next try provides every cluster', async () => {
    const started = Date.now();
    suite.fullSync().catch(() => undefined);
    await suite.eventually(
      async () => fullMutations(suite),
      n => n >= 1,
      20_000,
    );
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(await complete(suite)).toBe(true);
    expect(
      logs.some(l =>
        /Full sync of clusters failed.*no progress for 1500 ms/.test(l),
      ),
    ).toBe(true);
    expect(listingsOf(faults)).toHaveLength(2);
  });
});

describe('catalog module shipyard: fleet changes while a full sync reads the fleet', () => {
  const faults = new ShipyardRequestFaults();
  const logs: string[] = [];
  const suite = useSimCatalogBackend({
    seed: 'catalog-bursts',
    clusters: 12,
    pageSize: 4,
    provider: { clusters: { deltaFetchLimit: 2 } },
    faults,
    logs,
    timeoutMs: 30_000,
  });

  /**
   * Runs a full sync whose second page is held while `names` are created, until the backend lists them and their
   * changes reached the provider; answers when the sync ended and when it read its first page.
   */
  async function syncAround(names: string[]) {
    const before = faults.requests.length;
    faults.inject(laterPage, { hold: true });
    const sync = suite.fullSync();
    const held = await suite.eventually(
      async () => faults.requests.slice(before).find(r => r.fault === 'hold'),
      r => r !== undefined,
    );
    createClusters(suite, names);
    // provisioned: their entities' fields (API server, Kubernetes minor) change no more
    await suite.eventually(
      () => suite.fleet(),
      l =>
        names.every(n => {
          const s = l.find(c => c.name === n);
          return s?.phase === 'Provisioned' && !!s.apiServerUrl;
        }),
    );
    await sleep(500);
    // the held page is answered
    faults.clear();
    await sync;
    const ended = Date.now();
    const firstPage = listingsOf(faults)
      .filter(r => r.at <= (held?.at ?? 0))
      .pop();
    return { ended, firstPage: firstPage?.at ?? ended };
  }

  it('applies the changes the listing read after them with that full sync, and no other', async () => {
    await suite.eventually(
      () => complete(suite),
      c => c,
    );
    const fulls = fullMutations(suite);
    const names = ['zzz-burst-1', 'zzz-burst-2', 'zzz-burst-3', 'zzz-burst-4'];
    await syncAround(names);
    await sleep(1_500);
    await suite.eventually(
      () => complete(suite),
      c => c,
    );
    expect(fullMutations(suite)).toBe(fulls + 1);
    expect(logs.filter(l => /Full sync of clusters failed/.test(l))).toEqual(
      [],
    );
  });

  it('applies the changes the listing had passed by one more full sync, not before the last one’s time has passed again', async () => {
    const fulls = fullMutations(suite);
    const listings = listingsOf(faults).length;
    const names = ['aaa-burst-1', 'aaa-burst-2', 'aaa-burst-3', 'aaa-burst-4'];
    const { ended, firstPage } = await syncAround(names);
    await suite.eventually(
      () => complete(suite),
      c => c,
    );
    expect(fullMutations(suite)).toBe(fulls + 2);
    const next = listingsOf(faults)[listings + 1];
    expect(next).toBeDefined();
    // the second full sync waited about as long as the first one took (not back to back)
    expect(next.at - ended).toBeGreaterThanOrEqual((ended - firstPage) * 0.5);
  });
});
