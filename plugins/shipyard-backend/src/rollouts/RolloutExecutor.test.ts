import { mockServices } from '@backstage/backend-test-utils';
import { createTestDatabases } from '@shipyard/test-utils';
import { ProfileVersionNode } from '@shipyard/plugin-shipyard-common';
import type { StoredClusterSummary } from '../index/FleetIndex';
import { VersionLifecycle } from '../lifecycle/VersionLifecycle';
import { makeSummary } from '../__testUtils__/summaries';
import { Rollout, RolloutSpecInput, parseRolloutSpec } from './model';
import { planRollout } from './planner';
import { RolloutAuditEntry } from './audit';
import { RolloutExecutor, TopologyWriter } from './RolloutExecutor';
import { RolloutStore } from './RolloutStore';

jest.setTimeout(60_000);

const { databases } = createTestDatabases(['SQLITE_3']);
const profiles: ProfileVersionNode[] = [
  {
    profile: 'web',
    version: '1.0.0',
    kubernetesVersions: ['v1.33.5', 'v1.34.2', 'v1.35.1'],
    upgradesTo: [],
  },
];

/** A fleet whose clusters finish a step when the test says so, a writer that counts bumps, and a clock. */
class World {
  clock = Date.parse('2026-12-05T10:00:00Z'); // a Saturday
  readonly clusters = new Map<string, StoredClusterSummary>();
  readonly live = new Map<string, string>();
  readonly bumps: Array<{ key: string; version: string }> = [];
  readonly audits: RolloutAuditEntry[] = [];
  failBumps = false;
  readonly lifecycle = new VersionLifecycle({
    config: { nearingEndOfLifeDays: 90, overrides: {}, extendedSupport: {} },
    now: () => this.clock,
  });

  constructor(count: number, lifecycles: string[] = ['development']) {
    for (let i = 0; i < count; i++) {
      const c = makeSummary({
        name: `c-${String(i).padStart(2, '0')}`,
        clusterClass: 'standard',
        kubernetesVersion: 'v1.33.5',
        kubernetesMinor: '1.33',
        profile: 'web',
        profileVersion: '1.0.0',
        lifecycle: lifecycles[i % lifecycles.length],
      });
      this.clusters.set(`mc-a/default/${c.name}`, c);
      this.live.set(`mc-a/default/${c.name}`, 'v1.33.5');
    }
  }

  writer: TopologyWriter = {
    read: async key => ({ version: this.live.get(key) }),
    bump: async (key, step) => {
      if (this.failBumps) throw new Error('connection refused');
      this.bumps.push({ key, version: step.kubernetesVersion });
      this.live.set(key, step.kubernetesVersion);
      const c = this.clusters.get(key)!;
      // Cluster API starts rolling out: the desired version moves, the rollout is not over
      this.clusters.set(key, {
        ...c,
        kubernetesVersion: step.kubernetesVersion,
        conditions: [{ type: 'RollingOut', status: 'True' }],
      });
    },
  };

  /** Cluster API finished the rollouts under way (healthy, or as `health`). */
  settle(health: StoredClusterSummary['health'] = 'healthy', keys?: string[]) {
    for (const [key, c] of this.clusters) {
      if (keys && !keys.includes(key)) continue;
      if (c.conditions.some(x => x.type === 'RollingOut')) {
        this.clusters.set(key, { ...c, conditions: [], health });
      }
    }
  }

  executor(store: RolloutStore) {
    return new RolloutExecutor({
      store,
      cluster: key => this.clusters.get(key),
      writer: this.writer,
      deprecatedApis: async () => [],
      profiles: async () => profiles,
      calendar: () => this.lifecycle.calendar,
      audit: async entry => {
        this.audits.push(entry);
      },
      logger: mockServices.logger.mock(),
      now: () => this.clock,
      unhealthyGraceMs: 30_000,
    });
  }

  async start(store: RolloutStore, input: RolloutSpecInput): Promise<string> {
    const spec = parseRolloutSpec(input);
    const plan = planRollout(spec, {
      clusters: this.clusters.values(),
      profiles,
      calendar: this.lifecycle.calendar,
      now: this.clock,
    });
    const at = new Date(this.clock).toISOString();
    const id = `r-${Math.round(Math.random() * 1e9)}`;
    const rollout: Rollout = {
      id,
      spec,
      state: 'running',
      createdBy: 'user:default/alice',
      createdAt: at,
      updatedAt: at,
      revision: 1,
      ...plan,
    };
    await store.insert(rollout);
    return id;
  }
}

describe('RolloutExecutor', () => {
  let store: RolloutStore;

  beforeAll(async () => {
    const knex = await databases.init('SQLITE_3');
    await RolloutStore.migrate(knex);
    store = new RolloutStore(knex);
  });

  async function rollout(id: string) {
    return (await store.get(id))!;
  }

  it('upgrades stage by stage within the concurrency, minor by minor, and soaks between stages', async () => {
    const world = new World(6, ['development', 'production']);
    const executor = world.executor(store);
    const id = await world.start(store, {
      name: 'to 1.35',
      target: { kubernetesVersion: 'v1.35.1' },
      stages: [
        {
          name: 'dev',
          selector: { lifecycle: 'development' },
          concurrency: 2,
          soakSeconds: 600,
        },
        {
          name: 'prod',
          selector: { lifecycle: 'production' },
          concurrency: '100%',
        },
      ],
    });
    await executor.tick();
    let r = await rollout(id);
    expect(r.stages[0].clusters.map(c => c.state)).toEqual([
      'upgrading',
      'upgrading',
      'pending',
    ]);
    expect(r.stages[0].waitingOn?.gate).toBe('concurrency');
    expect(world.bumps).toEqual([
      { key: 'mc-a/default/c-00', version: 'v1.34.2' },
      { key: 'mc-a/default/c-02', version: 'v1.34.2' },
    ]);
    // nothing moves while Cluster API is still rolling out
    await executor.tick();
    expect(world.bumps).toHaveLength(2);
    world.settle();
    await executor.tick(); // next minor for the first two
    world.settle();
    await executor.tick(); // they are done; the third starts
    r = await rollout(id);
    expect(r.stages[0].clusters.map(c => c.state)).toEqual([
      'succeeded',
      'succeeded',
      'upgrading',
    ]);
    world.settle();
    await executor.tick();
    world.settle();
    await executor.tick();
    r = await rollout(id);
    expect(r.stages[0].state).toBe('soaking');
    expect(r.stages[0].waitingOn).toMatchObject({
      gate: 'soak',
      until: '2026-12-05T10:10:00.000Z',
    });
    expect(r.stages[1].state).toBe('pending');
    world.clock += 600_000;
    await executor.tick();
    r = await rollout(id);
    expect(r.stages[0].state).toBe('completed');
    expect(r.stages[1].clusters.every(c => c.state === 'upgrading')).toBe(true);
    for (let i = 0; i < 3; i++) {
      world.settle();
      await executor.tick();
    }
    r = await rollout(id);
    expect(r.state).toBe('completed');
    // each cluster bumped once per step, 1.33 → 1.34 → 1.35
    expect(world.bumps).toHaveLength(12);
    expect(new Set(world.bumps.map(b => `${b.key}@${b.version}`)).size).toBe(
      12,
    );
    expect(world.audits.map(a => a.action)).toEqual(
      expect.arrayContaining([
        'rollout.stage',
        'rollout.step',
        'rollout.complete',
      ]),
    );
  });

  it('halts the stage when more clusters fail than its budget, and leaves later stages untouched', async () => {
    const world = new World(6, ['development', 'production']);
    const executor = world.executor(store);
    const id = await world.start(store, {
      name: 'to 1.34',
      target: { kubernetesVersion: 'v1.34.2' },
      stages: [
        {
          name: 'dev',
          selector: { lifecycle: 'development' },
          concurrency: 3,
          failureBudget: 1,
        },
        { name: 'prod', selector: { lifecycle: 'production' }, concurrency: 3 },
      ],
    });
    await executor.tick();
    world.settle('unhealthy', ['mc-a/default/c-00']);
    await executor.tick();
    world.clock += 31_000;
    await executor.tick();
    let r = await rollout(id);
    expect(r.stages[0].clusters[0]).toMatchObject({
      state: 'failed',
      message: expect.stringMatching(/unhealthy/),
    });
    expect(r.state).toBe('running'); // one failure is within the budget
    world.settle('unhealthy', ['mc-a/default/c-02']);
    await executor.tick();
    world.clock += 31_000;
    await executor.tick();
    r = await rollout(id);
    expect(r.state).toBe('halted');
    expect(r.stages[0].state).toBe('halted');
    expect(r.message).toMatch(
      /2 cluster\(s\) failed, more than the failure budget of 1/,
    );
    expect(r.stages[1].state).toBe('pending');
    expect(
      r.stages[1].clusters.every(
        c => c.state === 'pending' && c.bumped.length === 0,
      ),
    ).toBe(true);
    expect(world.bumps.filter(b => /c-0[135]/.test(b.key))).toEqual([]);
    expect(world.audits.some(a => a.action === 'rollout.halt')).toBe(true);
  });

  it('waits at an approval gate until the stage is approved', async () => {
    const world = new World(2);
    const executor = world.executor(store);
    const id = await world.start(store, {
      name: 'gated',
      target: { kubernetesVersion: 'v1.34.2' },
      stages: [
        { name: 'all', approval: { groups: ['group:default/platform'] } },
      ],
    });
    await executor.tick();
    await executor.tick();
    let r = await rollout(id);
    expect(r.stages[0]).toMatchObject({
      state: 'waiting-approval',
      waitingOn: { gate: 'approval' },
    });
    expect(world.bumps).toEqual([]);
    await store.update({
      ...r,
      stages: [
        {
          ...r.stages[0],
          approvedBy: 'user:default/pat',
          approvedAt: new Date(world.clock).toISOString(),
        },
      ],
    });
    await executor.tick();
    r = await rollout(id);
    expect(r.stages[0].state).toBe('running');
    expect(world.bumps).toHaveLength(1);
  });

  it('starts no cluster outside its maintenance window, and starts them when it opens', async () => {
    const world = new World(2);
    const executor = world.executor(store);
    const id = await world.start(store, {
      name: 'windowed',
      target: { kubernetesVersion: 'v1.34.2' },
      stages: [
        {
          name: 'all',
          concurrency: 2,
          maintenanceWindows: [
            {
              days: ['sat'],
              start: '22:00',
              durationMinutes: 120,
              timeZone: 'Europe/Berlin',
            },
          ],
        },
      ],
    });
    await executor.tick();
    let r = await rollout(id);
    expect(r.stages[0].waitingOn).toEqual({
      gate: 'maintenance-window',
      until: '2026-12-05T21:00:00.000Z',
      message: 'no maintenance window is open',
    });
    expect(world.bumps).toEqual([]);
    world.clock = Date.parse('2026-12-05T21:00:01Z');
    await executor.tick();
    r = await rollout(id);
    expect(r.stages[0].clusters.map(c => c.state)).toEqual([
      'upgrading',
      'upgrading',
    ]);
    expect(world.bumps).toHaveLength(2);
  });

  it('resumes after a restart between deciding and bumping without bumping twice', async () => {
    const world = new World(2);
    const id = await world.start(store, {
      name: 'restart',
      target: { kubernetesVersion: 'v1.34.2' },
      stages: [{ name: 'all', concurrency: 2 }],
    });
    // the first replica decides, bumps one cluster, and dies before writing that it did
    const first = world.executor(store);
    world.failBumps = true;
    await first.tick();
    world.failBumps = false;
    let r = await rollout(id);
    expect(
      r.stages[0].clusters.map(c => [c.state, c.bumped, c.applied]),
    ).toEqual([
      ['upgrading', [0], undefined],
      ['upgrading', [0], undefined],
    ]);
    await world.writer.bump('mc-a/default/c-00', {
      kubernetesVersion: 'v1.34.2',
    });
    // another process takes over: it reads the live objects first
    const second = world.executor(store);
    await second.tick();
    r = await rollout(id);
    expect(r.stages[0].clusters.map(c => c.applied)).toEqual([0, 0]);
    expect(world.bumps.map(b => b.key)).toEqual([
      'mc-a/default/c-00',
      'mc-a/default/c-01',
    ]);
    expect(world.audits.some(a => /already had v1.34.2/.test(a.message))).toBe(
      true,
    );
    world.settle();
    await second.tick();
    expect((await rollout(id)).state).toBe('completed');
    expect(world.bumps).toHaveLength(2);
  });

  it('skips a cluster whose pre-flight fails at its turn, with the reason', async () => {
    const world = new World(2);
    const executor = world.executor(store);
    const id = await world.start(store, {
      name: 'preflight',
      target: { kubernetesVersion: 'v1.34.2' },
      stages: [{ name: 'all', concurrency: 2 }],
    });
    const key = 'mc-a/default/c-01';
    world.clusters.set(key, {
      ...world.clusters.get(key)!,
      health: 'degraded',
    });
    await executor.tick();
    const r = await rollout(id);
    expect(r.stages[0].clusters[1]).toMatchObject({
      state: 'skipped',
      problems: [{ check: 'health' }],
    });
    expect(world.bumps.map(b => b.key)).toEqual(['mc-a/default/c-00']);
  });
});
