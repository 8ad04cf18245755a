import { OwnershipResolver } from '../config/ownership';
import { CapiHealthEvaluator } from '../health';
import { FleetIndex } from '../index/FleetIndex';
import { ManagementClusterRecords } from '../records/ManagementClusterRecords';
import { ClusterFolder } from './ClusterFolder';
import { projectCluster, projectMachine } from './records';

describe('ClusterFolder', () => {
  const v2 = 'cluster.x-k8s.io/v1beta2';
  const key = 'mc-a/ns/c1';

  function setup() {
    const records = new ManagementClusterRecords('mc-a');
    const index = new FleetIndex();
    const folder = new ClusterFolder({
      name: 'mc-a',
      records,
      sink: index,
      ownership: new OwnershipResolver({
        ownerKeys: [],
        systemKeys: [],
        lifecycleKeys: [],
        profileKeys: [],
        profileVersionKeys: [],
        namespaceOwners: {},
        defaultOwner: 'group:default/platform',
      }),
      health: new CapiHealthEvaluator(),
      lastSeenAt: () => undefined,
      earlyIntervalMs: 300,
    });
    records.stateOf('ns', 'c1').cluster = projectCluster(
      {
        apiVersion: v2,
        kind: 'Cluster',
        metadata: { name: 'c1', namespace: 'ns', uid: 'u1' },
        spec: {},
        status: { phase: 'Provisioned' },
      },
      new Set(),
    );
    folder.markDirty('ns/c1');
    let machines = 0;
    const addMachine = () => {
      machines++;
      const name = `m${machines}`;
      records.stateOf('ns', 'c1').machines.set(
        name,
        projectMachine({
          apiVersion: v2,
          metadata: { name },
          spec: { clusterName: 'c1' },
          status: { phase: 'Running' },
        }),
      );
      folder.markDirty('ns/c1');
    };
    return { index, folder, addMachine };
  }

  // the folder's interval on a clock of the test's own: a busy machine may let 300 ms pass between two turns
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  const turn = () => new Promise(resolve => setImmediate(resolve));
  const sleep = async (ms: number) => {
    jest.advanceTimersByTime(ms);
    await turn();
  };

  it('folds nothing before it is enabled, then what changed at once and every turn after', async () => {
    const { index, folder, addMachine } = setup();
    await turn();
    expect(index.size).toBe(0);
    folder.enable();
    expect(index.getStored(key)?.machineCount).toBe(0);
    addMachine();
    await turn();
    expect(index.getStored(key)?.machineCount).toBe(1);
  });

  it('enabled before every kind is listed, folds what changed every interval, and at once when all are listed', async () => {
    const { index, folder, addMachine } = setup();
    folder.enable(true);
    // what is known is folded at once
    expect(index.getStored(key)?.machineCount).toBe(0);
    addMachine();
    await turn();
    addMachine();
    await turn();
    // not every turn: the changes wait for the interval
    expect(index.getStored(key)?.machineCount).toBe(0);
    const revision = index.revision;
    await sleep(600);
    // folded once, with both
    expect(index.getStored(key)?.machineCount).toBe(2);
    expect(index.revision).toBe(revision + 1);
    addMachine();
    await turn();
    expect(index.getStored(key)?.machineCount).toBe(2);
    // every kind listed: folded at once, then every turn
    folder.enable();
    expect(index.getStored(key)?.machineCount).toBe(3);
    addMachine();
    await turn();
    expect(index.getStored(key)?.machineCount).toBe(4);
    // enabling early again changes nothing
    folder.enable(true);
    addMachine();
    await turn();
    expect(index.getStored(key)?.machineCount).toBe(5);
  });

  it('folds nothing once stopped', async () => {
    const { index, folder, addMachine } = setup();
    folder.enable(true);
    addMachine();
    folder.stop();
    await sleep(600);
    expect(index.getStored(key)?.machineCount).toBe(0);
  });
});
