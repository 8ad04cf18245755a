import fs from 'node:fs';
import path from 'node:path';
import { AuditorService } from '@backstage/backend-plugin-api';
import {
  TestBackend,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ConflictError, InputError, NotAllowedError } from '@backstage/errors';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  FLEET_SIM_TYPE_IDS,
  FleetSim,
  shipyardManagementClusters,
  startFleetSim,
} from '@shipyard/fleet-sim';
// the real Shipyard backend is the point of this end-to-end test
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import shipyardPlugin from '@shipyard/plugin-shipyard-backend';
import { readManagementClustersConfig } from '@shipyard/plugin-shipyard-node';
import { KubeClient } from '@shipyard/plugin-shipyard-node/kube';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { createShipyardActions } from './actions';
import { readShipyardRequestsConfig } from './config';
import { RequestAccess } from './service/access';
import { ClusterAuditRecorder } from './service/audit';
import { ClusterRequestService } from './service/ClusterRequestService';
import { ManagementClusterConnections } from './service/ManagementClusterConnections';
import { ShipyardBackendClient } from './service/ShipyardBackendClient';
import { mockActionContext } from './__testUtils__/actionContext';
import {
  eventuallyWithin,
  Membership,
  membershipUserInfo,
  membershipUserInfoFactory,
} from '@shipyard/test-utils';
import { SIM_SYNC_CONFIG } from './__testUtils__/simBackend';

const eventually = eventuallyWithin({ timeoutMs: 30_000, intervalMs: 100 });

/*
 * Bad input and faults of the cluster actions, through their real handlers, the real request service and the real
 * Shipyard backend against the fleet simulator: fuzzed inputs fail only with InputError, ConflictError or
 * NotAllowedError and write nothing; refusals by permission are audited in both trails; a restart in the middle of a
 * task does not create twice.
 */

jest.setTimeout(120_000);

const REPO_ROOT = path.resolve(__dirname, '../../..');
const SEED = 4242;
const ALICE = 'user:default/alice';
const PAT = 'user:default/pat';
const MEMBERSHIP: Membership = {
  [ALICE]: ['group:default/team-a'],
  [PAT]: ['group:default/platform-team'],
};
const VERSIONS = ['v1.36.2', 'v1.35.5', 'v1.34.7'];
const NASTY = [
  '',
  ' ',
  '../../etc/passwd',
  '..',
  '%2e%2e',
  'a/b',
  'a/b/c/d',
  '/',
  '\u0000',
  '\ud83d\ude80',
  '__proto__',
  'constructor',
  "'; DROP TABLE audit; --",
  '${{ secrets.x }}',
  '<script>',
  'x'.repeat(300),
  'UPPER',
  '-leading',
  'trailing-',
  'resource:default/nope',
  'group:default/team-a',
  'clusterprofile:default/kubeadm-standard',
];

const ALLOWED_ERRORS = [InputError, ConflictError, NotAllowedError];

function isAllowedError(error: unknown): boolean {
  return ALLOWED_ERRORS.some(E => error instanceof E);
}

function describeError(error: unknown): string {
  return `${(error as Error)?.name}: ${(error as Error)?.message}`;
}

/** Catalog lookups of the repository's cluster profiles. */
function profileCatalog() {
  const entities = ['kubeadm-standard', 'k3s-edge'].map(name =>
    parseYaml(
      fs.readFileSync(
        path.join(
          REPO_ROOT,
          `plugins/catalog-backend-module-shipyard/catalog/profiles/${name}.yaml`,
        ),
        'utf8',
      ),
    ),
  );
  for (const e of entities) e.metadata.namespace ??= 'default';
  return {
    async getEntityByRef(ref: any) {
      const wanted = typeof ref === 'string' ? ref : stringifyEntityRef(ref);
      return entities.find(
        e =>
          stringifyEntityRef(e).toLocaleLowerCase('en-US') ===
          wanted.toLocaleLowerCase('en-US'),
      );
    },
  };
}

interface AuditorEvent {
  eventId: string;
  severityLevel?: string;
  meta?: any;
  outcome?: 'success' | 'fail';
  error?: Error;
}

function recordingAuditor(events: AuditorEvent[]): AuditorService {
  return {
    async createEvent(options: any) {
      const event: AuditorEvent = {
        eventId: options.eventId,
        severityLevel: options.severityLevel,
        meta: options.meta,
      };
      events.push(event);
      return {
        async success(o?: any) {
          event.outcome = 'success';
          event.meta = { ...event.meta, ...o?.meta };
        },
        async fail(o: any) {
          event.outcome = 'fail';
          event.error = o.error;
          event.meta = { ...event.meta, ...o?.meta };
        },
      };
    },
  } as AuditorService;
}

describe('shipyard cluster actions: fuzzed inputs, refusals and restarts', () => {
  let sim: FleetSim;
  let backend: TestBackend;
  let port = 0;
  const closers: Array<() => Promise<void>> = [];

  const discovery = {
    getBaseUrl: async (id: string) => `http://localhost:${port}/api/${id}`,
    getExternalBaseUrl: async (id: string) =>
      `http://localhost:${port}/api/${id}`,
  };

  const backendFeatures = (simRef: FleetSim) => [
    shipyardPlugin,
    membershipUserInfoFactory(MEMBERSHIP),
    mockServices.rootConfig.factory({ data: config(simRef) }),
  ];

  function config(s: FleetSim) {
    return {
      app: { baseUrl: 'http://portal.test' },
      shipyard: {
        platformTeam: 'group:default/platform-team',
        managementClusters: shipyardManagementClusters(s.managementClusters),
        sync: SIM_SYNC_CONFIG,
        health: { enabled: false },
        requests: { requestTimeoutMs: 3000 },
      },
    };
  }

  /** One instance of the module's services, as a backend start builds them. */
  function harness(
    options: {
      permissions?: ReturnType<typeof mockServices.permissions.mock>;
      wrapApi?: (api: KubeClient) => KubeClient;
    } = {},
  ) {
    const rootConfig = new ConfigReader(config(sim));
    const requestsConfig = readShipyardRequestsConfig(rootConfig);
    const logger = mockServices.logger.mock();
    const connections = new ManagementClusterConnections(
      readManagementClustersConfig(rootConfig),
      { logger, requestTimeoutMs: requestsConfig.requestTimeoutMs },
    );
    closers.push(() => connections.close());
    const shipyardClient = new ShipyardBackendClient({
      discovery: discovery as any,
      auth: mockServices.auth({ pluginId: 'scaffolder' }),
    });
    const auditorEvents: AuditorEvent[] = [];
    const requests = new ClusterRequestService({
      config: requestsConfig,
      backend: shipyardClient,
      catalog: profileCatalog() as any,
      access: new RequestAccess({
        permissions: options.permissions ?? mockServices.permissions(),
        userInfo: membershipUserInfo(MEMBERSHIP),
        platformTeam: requestsConfig.platformTeam,
      }),
      managementCluster: async name => {
        const api = await connections.get(name);
        return api && options.wrapApi ? options.wrapApi(api) : api;
      },
      logger,
    });
    const [create, wait, upgrade] = createShipyardActions({
      requests,
      audit: new ClusterAuditRecorder({
        auditor: recordingAuditor(auditorEvents),
        backend: shipyardClient,
        logger,
      }),
      entityRefOf: k =>
        `resource:default/${k.managementCluster}--${k.namespace}--${k.name}`,
      clusterUrlOf: () => undefined,
    });
    return { create, wait, upgrade, auditorEvents };
  }

  let taskCounter = 0;
  /** Runs an action handler as a task of `user`; resolves with the error it threw, if any. */
  async function run(
    action: { handler: (ctx: any) => Promise<void> },
    input: unknown,
    opts: {
      user?: string;
      taskId?: string;
      checkpoints?: Map<string, unknown>;
      limitMs?: number;
    } = {},
  ): Promise<{ error?: unknown; outputs: Record<string, unknown> }> {
    const user = opts.user ?? ALICE;
    const { ctx, outputs, cleanup } = mockActionContext(
      input,
      opts.checkpoints,
    );
    ctx.task = { id: opts.taskId ?? `fuzz-${++taskCounter}` };
    ctx.user = { ref: user };
    ctx.getInitiatorCredentials = async () => mockCredentials.user(user);
    const controller = new AbortController();
    ctx.signal = controller.signal;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        action.handler(ctx),
        new Promise((_, reject) => {
          timer = setTimeout(() => {
            controller.abort();
            reject(
              new Error(`HANG: no answer in ${opts.limitMs ?? 15_000} ms`),
            );
          }, opts.limitMs ?? 15_000);
        }),
      ]);
      return { outputs };
    } catch (error) {
      return { error, outputs };
    } finally {
      clearTimeout(timer);
      cleanup();
    }
  }

  /** Namespaces, clusters (with uid and desired version) of every management cluster, from the simulator itself. */
  function snapshot(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const m of sim.managementClusters) {
      const api = sim.management(m.name).api;
      const namespaces = api
        .list(api.type(FLEET_SIM_TYPE_IDS.namespace), {})
        .texts.map(t => `ns/${JSON.parse(t).metadata.name}`);
      const clusters = api
        .list(api.type(FLEET_SIM_TYPE_IDS.cluster), {})
        .texts.map(t => {
          const o = JSON.parse(t);
          return `cluster/${o.metadata.namespace}/${o.metadata.name}/${o.metadata.uid}/${o.spec?.topology?.version}`;
        });
      out[m.name] = [...namespaces, ...clusters].sort();
    }
    return out;
  }

  function diff(
    before: Record<string, string[]>,
    after: Record<string, string[]>,
  ) {
    const added: string[] = [];
    const removed: string[] = [];
    for (const mc of Object.keys(after)) {
      const b = new Set(before[mc]);
      const a = new Set(after[mc]);
      for (const x of a) if (!b.has(x)) added.push(`${mc}:${x}`);
      for (const x of b) if (!a.has(x)) removed.push(`${mc}:${x}`);
    }
    return { added, removed };
  }

  async function shipyard(p: string, user = PAT) {
    const res = await fetch(`http://localhost:${port}/api/shipyard${p}`, {
      headers: { Authorization: mockCredentials.user.header(user) },
    });
    return { status: res.status, body: (await res.json()) as any };
  }

  /** Every record of the audit trail (as the platform team reads it), following cursors. */
  async function auditTrail(): Promise<any[]> {
    const items: any[] = [];
    let cursor: string | undefined;
    do {
      const res = await shipyard(
        `/audit?limit=500${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      items.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    return items;
  }

  /** The tasks among `taskIds` that have no record with `outcome` in the audit trail. */
  async function unaudited(
    taskIds: string[],
    outcome: string,
  ): Promise<string[]> {
    const trail = await auditTrail();
    const audited = new Set(
      trail.filter(r => r.outcome === outcome).map(r => r.taskId),
    );
    return taskIds.filter(id => !audited.has(id));
  }

  async function waitConnected() {
    await eventually(async () => {
      const res = await shipyard('/management-clusters').catch(() => undefined);
      if (
        res?.status !== 200 ||
        res.body.items.length !== sim.managementClusters.length ||
        !res.body.items.every((m: any) => m.state === 'connected')
      ) {
        throw new Error('not connected');
      }
    }, 20_000);
  }

  async function startBackend() {
    backend = await startTestBackend({ features: backendFeatures(sim) });
    port = backend.server.port();
    await waitConnected();
  }

  beforeAll(async () => {
    sim = await startFleetSim({
      managementClusters: 2,
      clusters: 6,
      seed: 'scaffolder-proof',
      anomalies: false,
      timing: { stepMs: 20, bookmarkMs: 1000 },
    });
    await startBackend();
  });

  afterAll(async () => {
    for (const close of closers) await close().catch(() => {});
    await backend?.stop();
    await sim?.stop();
  });

  const existingRefs = () =>
    sim.model.clusters.map(c => `${c.management}/${c.namespace}/${c.name}`);

  const opt = <T>(arb: fc.Arbitrary<T>) =>
    fc.option(arb, { nil: undefined, freq: 2 });
  /** Mostly absent, else mostly a sensible value, sometimes garbage. */
  const field = <T, U>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>) =>
    fc.oneof(
      { weight: 4, arbitrary: fc.constant(undefined) },
      { weight: 2, arbitrary: good },
      { weight: 1, arbitrary: bad },
    );
  const text = fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...NASTY) },
    { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.fullUnicodeString({ maxLength: 12 }) },
  );
  const dnsName = fc
    .stringMatching(/^[a-z][a-z0-9-]{0,14}[a-z0-9]$/)
    .map(s => `fz-${s}`);
  /** Any JSON-ish value of the wrong type for a string or number field. */
  const wrongType = fc.oneof(
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string(), { maxLength: 2 }),
    fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), {
      maxKeys: 2,
    }),
  );

  it('fuzzed shipyard:cluster:create inputs fail only with a 4xx-type error and write nothing', async () => {
    const { create } = harness();
    const structured = fc.record(
      {
        profile: fc.oneof(
          {
            weight: 4,
            arbitrary: fc.constantFrom(
              'clusterprofile:default/kubeadm-standard',
              'kubeadm-standard',
            ),
          },
          fc.constantFrom(
            'clusterprofile:default/k3s-edge',
            'clusterprofile:default/missing',
            'component:default/kubeadm-standard',
          ),
          text,
        ),
        name: fc.oneof(
          { weight: 4, arbitrary: dnsName },
          { weight: 1, arbitrary: text },
        ),
        owner: fc.oneof(
          {
            weight: 3,
            arbitrary: fc.constantFrom('group:default/team-a', 'team-a'),
          },
          {
            weight: 2,
            arbitrary: fc.constantFrom(
              'group:default/team-b',
              'group:default/platform-team',
              'user:default/alice',
              'group:other/team-a',
            ),
          },
          { weight: 1, arbitrary: text },
        ),
        managementCluster: field(
          fc.constantFrom('mgmt-us-1', 'mgmt-eu-1'),
          fc.oneof(fc.constant('mgmt-ap-1'), text),
        ),
        namespace: field(dnsName, text),
        size: field(
          fc.constantFrom('small', 'medium', 'large'),
          fc.oneof(fc.constant('huge'), text),
        ),
        controlPlaneReplicas: field(
          fc.constantFrom(1, 3),
          fc.integer({ min: -2, max: 9 }),
        ),
        workerReplicas: field(
          fc.integer({ min: 0, max: 3 }),
          fc.oneof(
            fc.integer({ min: -3, max: -1 }),
            fc.integer({ min: 400, max: 1e7 }),
          ),
        ),
        kubernetesVersion: field(
          fc.constantFrom(...VERSIONS),
          fc.oneof(fc.constantFrom('v1.30.0', 'v2'), text),
        ),
        variables: field(
          fc.record({ cni: fc.constantFrom('calico', 'cilium') }),
          fc.dictionary(
            fc.oneof(
              fc.constantFrom(
                'cni',
                'region',
                'etcdBackup',
                'imageRepository',
                '__proto__',
              ),
              fc.string({ maxLength: 10 }),
            ),
            fc.oneof(
              fc.constantFrom('flannel', 'local'),
              fc.jsonValue({ maxDepth: 2 }),
            ),
            { minKeys: 1, maxKeys: 3 },
          ),
        ),
        labels: field(
          fc.constant({ 'example.com/tier': 'gold' }),
          fc.dictionary(text, text, { minKeys: 1, maxKeys: 2 }),
        ),
        mode: field(
          fc.constantFrom('apply', 'manifests'),
          fc.constant('manifests'),
        ),
        manifestPath: field(fc.constant('out/cluster.yaml'), text),
      },
      { requiredKeys: ['profile', 'name', 'owner'] },
    );
    const malformed = fc
      .tuple(
        structured,
        fc.constantFrom(
          'profile',
          'name',
          'owner',
          'managementCluster',
          'workerReplicas',
          'variables',
          'labels',
          'mode',
          'extra',
        ),
        wrongType,
      )
      .map(([input, key, value]) => ({ ...input, [key]: value }));
    const inputs = fc.oneof(
      { weight: 5, arbitrary: structured },
      { weight: 1, arbitrary: malformed },
    );
    const outcomes = { succeeded: 0, refused: 0 };
    const refusedTasks: string[] = [];

    await fc.assert(
      fc.asyncProperty(inputs, async input => {
        const before = snapshot();
        const taskId = `fuzz-create-${++taskCounter}`;
        const { error } = await run(create, input, { taskId });
        const after = snapshot();
        const changes = diff(before, after);
        const problems: string[] = [];
        const wrote = changes.added.length + changes.removed.length > 0;
        if (error) {
          outcomes.refused++;
          refusedTasks.push(taskId);
          if (!isAllowedError(error)) problems.push(describeError(error));
          // no partial write: not a namespace, not a cluster
          if (wrote) problems.push(`wrote ${JSON.stringify(changes)}`);
        } else {
          outcomes.succeeded++;
          const mode = (input as any).mode ?? 'apply';
          const clusters = changes.added.filter(a => a.includes(':cluster/'));
          const others = changes.added.filter(
            a => !a.includes(':cluster/') && !a.includes(':ns/'),
          );
          // apply: exactly one cluster, and its namespace when it was new; manifests: nothing
          const expected = mode === 'manifests' ? 0 : 1;
          if (
            changes.removed.length > 0 ||
            others.length > 0 ||
            clusters.length !== expected ||
            (mode === 'manifests' && wrote)
          ) {
            problems.push(`success wrote ${JSON.stringify(changes)}`);
          }
        }
        expect({ input, problems }).toEqual({ input, problems: [] });
      }),
      { seed: SEED, numRuns: 100, endOnFailure: true },
    );
    // the fuzzer reached both sides
    expect(outcomes.refused).toBeGreaterThan(20);
    expect(outcomes.succeeded).toBeGreaterThan(0);
    // every refusal, hostile input included, is in the audit trail
    expect(await unaudited(refusedTasks, 'refused')).toEqual([]);
  });

  it('fuzzed shipyard:cluster:upgrade inputs fail only with a 4xx-type error and change no cluster', async () => {
    const { upgrade } = harness();
    const refs = existingRefs();
    const structured = fc.record({
      cluster: fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...refs) },
        {
          weight: 1,
          arbitrary: fc.constantFrom(...refs).map(r => {
            const [m, n, c] = r.split('/');
            return `resource:default/${m}--${n}--${c}`;
          }),
        },
        {
          weight: 1,
          arbitrary: fc.tuple(text, text, text).map(p => p.join('/')),
        },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            '../../x',
            'mgmt-us-1/../..',
            'mgmt-us-1/%2e%2e/x',
            'mgmt-us-1/a b/c',
          ),
        },
        { weight: 2, arbitrary: text },
      ),
      kubernetesVersion: fc.oneof(
        fc.constantFrom(
          ...VERSIONS,
          'v1.33.0',
          'v1.37.0',
          'v2.0.0',
          'latest',
          '1.36',
        ),
        text,
      ),
    });
    const malformed = fc
      .tuple(
        structured,
        fc.constantFrom('cluster', 'kubernetesVersion', 'extra'),
        wrongType,
      )
      .map(([input, key, value]) => ({ ...input, [key]: value }));
    let refused = 0;
    const refusedTasks: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { weight: 5, arbitrary: structured },
          { weight: 1, arbitrary: malformed },
        ),
        async input => {
          const before = snapshot();
          const taskId = `fuzz-upgrade-${++taskCounter}`;
          const { error } = await run(upgrade, input, { taskId });
          const changes = diff(before, snapshot());
          const problems: string[] = [];
          if (error) {
            refused++;
            refusedTasks.push(taskId);
            if (!isAllowedError(error)) problems.push(describeError(error));
            if (changes.added.length + changes.removed.length > 0) {
              problems.push(`wrote ${JSON.stringify(changes)}`);
            }
          } else if (
            // at most the version of one cluster changed
            changes.removed.length > 1 ||
            changes.added.length !== changes.removed.length
          ) {
            problems.push(`success wrote ${JSON.stringify(changes)}`);
          }
          expect({ input, problems }).toEqual({ input, problems: [] });
        },
      ),
      { seed: SEED, numRuns: 60, endOnFailure: true },
    );
    expect(refused).toBeGreaterThan(20);
    expect(await unaudited(refusedTasks, 'refused')).toEqual([]);
  });

  it('knows only the sizes a profile has: __proto__, constructor and toString are not sizes', async () => {
    const { create } = harness();
    const before = snapshot();
    for (const size of ['__proto__', 'constructor', 'toString']) {
      const { error } = await run(create, {
        profile: 'clusterprofile:default/kubeadm-standard',
        name: `proto-${size.replace(/_/g, '').toLowerCase()}`,
        owner: 'group:default/team-a',
        managementCluster: 'mgmt-us-1',
        size,
        workerReplicas: 1,
        controlPlaneReplicas: 1,
      });
      expect({ size, error: describeError(error) }).toEqual({
        size,
        error: expect.stringMatching(
          /^InputError: Size "\w+" is not a size of profile/,
        ),
      });
    }
    expect(diff(before, snapshot())).toEqual({ added: [], removed: [] });
  });

  it('keeps hostile refusals in the audit trail, with what was asked escaped and truncated', async () => {
    const { create } = harness();
    const hostile = [
      { managementCluster: '../mgmt-eu-1' },
      { owner: `group:default/${'x'.repeat(300)}` },
      { namespace: "'; DROP TABLE audit; --" },
      { name: '<script>alert(1)</script>' },
      { name: 'ok-name', profile: '\u0000'.repeat(3) },
    ];
    const tasks: string[] = [];
    for (const [i, extra] of hostile.entries()) {
      const taskId = `hostile-${i}`;
      tasks.push(taskId);
      const { error } = await run(
        create,
        {
          profile: 'clusterprofile:default/kubeadm-standard',
          name: 'hostile-dev',
          owner: 'group:default/team-a',
          managementCluster: 'mgmt-us-1',
          ...extra,
        },
        { taskId },
      );
      expect(isAllowedError(error)).toBe(true);
    }
    expect(await unaudited(tasks, 'refused')).toEqual([]);
    const trail = await auditTrail();
    const byTask = (id: string) => trail.find(r => r.taskId === id);
    expect(byTask('hostile-0')).toMatchObject({
      actor: ALICE,
      details: { 'requested.managementCluster': '../mgmt-eu-1' },
    });
    expect(byTask('hostile-0').managementCluster).toBeUndefined();
    const owner = byTask('hostile-1').details['requested.owner'];
    expect(owner).toMatch(/^group:default\/x+… \(314 characters\)$/);
    expect(byTask('hostile-1').owner).toBeUndefined();
  });

  it('fuzzed shipyard:cluster:wait inputs end in bounded time with a 4xx-type error or success', async () => {
    const { wait } = harness();
    const refs = existingRefs();
    const structured = fc.record(
      {
        cluster: opt(
          fc.oneof(
            fc.constantFrom(...refs),
            fc.constantFrom(
              'mgmt-us-1/../..',
              '../../x',
              'a/b/c',
              'resource:default/nope',
            ),
            text,
          ),
        ),
        managementCluster: opt(
          fc.oneof(fc.constantFrom('mgmt-us-1', 'mgmt-eu-1'), text),
        ),
        namespace: opt(text),
        name: opt(text),
        phase: opt(
          fc.oneof(fc.constantFrom('Provisioned', 'Failed', 'Deleting'), text),
        ),
        health: opt(
          fc.constantFrom(
            'healthy',
            'degraded',
            'unhealthy',
            'unknown',
            'provisioning',
            'deleting',
          ),
        ),
        kubernetesVersion: opt(fc.oneof(fc.constantFrom(...VERSIONS), text)),
        timeoutSeconds: fc.constant(1),
        pollIntervalSeconds: fc.constantFrom(0.05, 0.2),
      },
      { requiredKeys: ['timeoutSeconds', 'pollIntervalSeconds'] },
    );
    const malformed = fc
      .tuple(
        structured,
        fc.constantFrom(
          'cluster',
          'phase',
          'health',
          'timeoutSeconds',
          'pollIntervalSeconds',
          'extra',
        ),
        fc.oneof(wrongType, fc.constantFrom(0, -1, 1e9, 'soon')),
      )
      .map(([input, key, value]) => ({ ...input, [key]: value }));
    // waiting writes nothing and may take up to its timeout: run the cases side by side
    const cases = fc.sample(
      fc.oneof(
        { weight: 4, arbitrary: structured },
        { weight: 1, arbitrary: malformed },
      ),
      { seed: SEED, numRuns: 60 },
    );
    const before = snapshot();
    const failures: string[] = [];
    for (let i = 0; i < cases.length; i += 15) {
      const batch = cases.slice(i, i + 15);
      const results = await Promise.all(
        batch.map(input => run(wait, input, { limitMs: 6_000 })),
      );
      results.forEach(({ error }, j) => {
        if (error && !isAllowedError(error)) {
          failures.push(
            `${(error as Error)?.name}: ${
              (error as Error)?.message
            } for ${JSON.stringify(batch[j])}`,
          );
        }
      });
    }
    expect(failures).toEqual([]);
    expect(diff(before, snapshot())).toEqual({ added: [], removed: [] });
  });

  it('refuses a user without shipyard.cluster.create / update, and audits the refusal in both trails', async () => {
    const denied = mockServices.permissions.mock({
      authorize: async requests =>
        requests.map(() => ({ result: AuthorizeResult.DENY })) as any,
      authorizeConditional: async requests =>
        requests.map(() => ({ result: AuthorizeResult.DENY })) as any,
    });
    const { create, upgrade, auditorEvents } = harness({ permissions: denied });
    const before = snapshot();
    const createTask = 'denied-create';
    const created = await run(
      create,
      {
        profile: 'clusterprofile:default/kubeadm-standard',
        name: 'denied-dev',
        owner: 'group:default/team-a',
        managementCluster: 'mgmt-us-1',
      },
      { taskId: createTask },
    );
    expect(created.error).toBeInstanceOf(NotAllowedError);
    expect(String((created.error as Error).message)).toMatch(
      /shipyard\.cluster\.create/,
    );

    const target =
      sim.model.clusters.find(
        c => c.labels['shipyard.io/owner'] === 'team-a',
      ) ?? sim.model.clusters[0];
    const upgradeTask = 'denied-upgrade';
    const upgraded = await run(
      upgrade,
      {
        cluster: `${target.management}/${target.namespace}/${target.name}`,
        kubernetesVersion: 'v1.36.2',
      },
      { taskId: upgradeTask },
    );
    expect(upgraded.error).toBeInstanceOf(NotAllowedError);
    expect(String((upgraded.error as Error).message)).toMatch(
      /shipyard\.cluster\.update/,
    );
    expect(diff(before, snapshot())).toEqual({ added: [], removed: [] });

    // the auditor service got a failed, high-severity event for each
    const failed = auditorEvents.filter(e => e.outcome === 'fail');
    expect(
      failed.map(e => [
        e.eventId,
        e.severityLevel,
        e.meta?.outcome,
        e.meta?.actor,
      ]),
    ).toEqual([
      ['cluster-request', 'high', 'refused', ALICE],
      ['cluster-upgrade', 'high', 'refused', ALICE],
    ]);
    expect(failed.every(e => e.error instanceof NotAllowedError)).toBe(true);

    // the platform team reads both refusals at GET /api/shipyard/audit
    const audit = await shipyard('/audit?limit=500');
    expect(audit.status).toBe(200);
    const byTask = (id: string) =>
      audit.body.items.filter((r: any) => r.taskId === id);
    expect(byTask(createTask)).toEqual([
      expect.objectContaining({
        action: 'cluster.create',
        outcome: 'refused',
        actor: ALICE,
        cluster: 'denied-dev',
        message: expect.stringMatching(/shipyard\.cluster\.create/),
      }),
    ]);
    expect(byTask(upgradeTask)).toEqual([
      expect.objectContaining({
        action: 'cluster.upgrade',
        outcome: 'refused',
        actor: ALICE,
        message: expect.stringMatching(/shipyard\.cluster\.update/),
      }),
    ]);
    // outside the platform team, only the entries of clusters the user or the user's groups own
    const alices = await shipyard('/audit?limit=500', ALICE);
    expect(alices.status).toBe(200);
    expect(
      alices.body.items.every((r: any) =>
        ['group:default/team-a', ALICE].includes(r.owner),
      ),
    ).toBe(true);
  });

  it('does not create twice when the backend restarts in the middle of a task and the task is retried', async () => {
    const taskId = 'restart-mid-task';
    const input = {
      profile: 'clusterprofile:default/kubeadm-standard',
      name: 'restart-dev',
      owner: 'group:default/team-a',
      managementCluster: 'mgmt-eu-1',
      namespace: 'team-a-restart',
    };
    // first life: the process dies right after the Cluster was written, before the checkpoint is stored
    let died = false;
    const first = harness({
      wrapApi: api =>
        Object.assign(Object.create(api), {
          create: async (p: string, body: unknown, o: any) => {
            const result = await api.create(p, body, o);
            if (!o?.dryRun && p.endsWith('/clusters')) {
              died = true;
              throw new Error('backend process killed');
            }
            return result;
          },
        }),
    });
    const checkpoints = new Map<string, unknown>();
    const before = snapshot();
    const crashed = await run(first.create, input, { taskId, checkpoints });
    expect(died).toBe(true);
    expect((crashed.error as Error).message).toBe('backend process killed');
    expect(checkpoints.size).toBe(0);
    const afterCrash = diff(before, snapshot());
    const createdCluster = afterCrash.added.filter(a =>
      a.includes(':cluster/team-a-restart/restart-dev/'),
    );
    expect(createdCluster).toHaveLength(1);

    // the Shipyard backend restarts too before the task is retried
    await backend.stop();
    await startBackend();

    // second life: fresh services, the same task id, no checkpoint
    const second = harness();
    const retried = await run(second.create, input, { taskId, checkpoints });
    expect(retried.error).toBeUndefined();
    expect(retried.outputs.name).toBe('restart-dev');
    expect(diff(before, snapshot()).added).toEqual(afterCrash.added);

    // a retry of the completed task (checkpoint stored now) does not create either
    const third = harness();
    expect(
      (await run(third.create, input, { taskId, checkpoints })).error,
    ).toBeUndefined();
    expect(diff(before, snapshot()).added).toEqual(afterCrash.added);

    // another task with the same name is refused as a duplicate
    const other = await run(second.create, input, { taskId: 'another-task' });
    expect(other.error).toBeInstanceOf(ConflictError);

    // the wait step survives a restart of the Shipyard backend in the middle of its wait
    const key = {
      management: 'mgmt-eu-1',
      namespace: 'team-a-restart',
      name: 'restart-dev',
    };
    sim.faults.controlPlaneDown(key);
    await eventually(async () => {
      const res = await shipyard(
        '/clusters/mgmt-eu-1/team-a-restart/restart-dev',
      );
      if (res.body.summary?.health === 'healthy') {
        throw new Error('the control plane fault was not seen');
      }
    }, 15_000);
    const waiting = run(
      second.wait,
      {
        cluster: 'mgmt-eu-1/team-a-restart/restart-dev',
        timeoutSeconds: 30,
        pollIntervalSeconds: 0.1,
      },
      { taskId, limitMs: 40_000 },
    );
    await new Promise(r => setTimeout(r, 300));
    await backend.stop();
    await new Promise(r => setTimeout(r, 500));
    sim.faults.clear(key);
    await startBackend();
    const waited = await waiting;
    expect(waited.error).toBeUndefined();
    expect(waited.outputs.phase).toBe('Provisioned');
  });
});
