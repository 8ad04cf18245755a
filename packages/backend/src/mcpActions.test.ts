/*
 * Shipyard's actions through the portal's MCP endpoint (/api/mcp-actions/v1): the real MCP actions backend, the real
 * actions registry and actions service, the real permission backend with the portal's policy (reads restricted to
 * owners), the catalog with the demo organisation and profiles, the scaffolder module's cluster request, the Shipyard
 * backend and the fleet simulator. Each call carries the caller's identity to the action, so a team sees its own
 * clusters only, and a request is checked as that team's member.
 */
import path from 'node:path';
import {
  HttpAuthService,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  actionsRegistryServiceFactory,
  actionsServiceFactory,
} from '@backstage/backend-defaults/alpha';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { permissionsRegistryServiceFactory } from '@backstage/backend-defaults/permissionsRegistry';
import {
  TestBackend,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import mcpActionsPlugin from '@backstage/plugin-mcp-actions-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import {
  FleetSim,
  shipyardManagementClusters,
  startFleetSim,
} from '@shipyard/fleet-sim';
import catalogModuleShipyard from '@shipyard/plugin-catalog-backend-module-shipyard';
import permissionModuleShipyard from '@shipyard/plugin-permission-backend-module-shipyard';
import scaffolderModuleShipyard from '@shipyard/plugin-scaffolder-backend-module-shipyard';
import shipyardPlugin from '@shipyard/plugin-shipyard-backend';
import {
  eventuallyWithin,
  membershipUserInfoFactory,
} from '@shipyard/test-utils';

jest.setTimeout(120_000);

const REPO_ROOT = path.resolve(__dirname, '../../..');
const eventually = eventuallyWithin({ timeoutMs: 30_000, intervalMs: 200 });

/**
 * The test backend's HTTP auth, where a plugin's request on behalf of a user arrives as that user with the plugin as
 * actor, as with the real auth service (the mock turns it into a plain user, which the permission backend refuses
 * for conditional decisions).
 */
const onBehalfOfHttpAuth = createServiceFactory({
  service: coreServices.httpAuth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }): HttpAuthService {
    const inner = mockServices.httpAuth({ pluginId: plugin.getId() });
    const prefix = 'Bearer mock-service-token:';
    return {
      credentials: (async (req: any, options: any) => {
        const header = req.headers.authorization;
        if (typeof header === 'string' && header.startsWith(prefix)) {
          const { sub, obo } = JSON.parse(header.slice(prefix.length));
          if (obo) {
            req.headers.authorization = `Bearer ${mockCredentials.user.token(
              obo,
              { actor: { subject: sub } },
            )}`;
          }
        }
        return inner.credentials(req, options);
      }) as HttpAuthService['credentials'],
      issueUserCookie: (res, options) => inner.issueUserCookie(res, options),
    };
  },
});

const ALICE = 'user:default/alice';
const PAT = 'user:default/pat';

describe('Shipyard actions through the MCP endpoint', () => {
  let sim: FleetSim;
  let backend: TestBackend;
  let rpcId = 0;

  const api = () => `http://localhost:${backend.server.port()}/api`;

  /** One JSON-RPC request to the MCP endpoint as `user`; the answer's result (or error). */
  async function mcp(user: string, method: string, params?: unknown) {
    const res = await fetch(`${api()}/mcp-actions/v1`, {
      method: 'POST',
      headers: {
        authorization: mockCredentials.user.header(user),
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++rpcId, method, params }),
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${method}: ${res.status} ${text}`);
    // a streamable HTTP answer: server-sent events whose data lines hold the JSON-RPC response
    const data = text
      .split('\n')
      .filter(line => line.startsWith('data:'))
      .map(line => line.slice(5).trim())
      .join('');
    const message = JSON.parse(data || text);
    if (message.error) throw new Error(JSON.stringify(message.error));
    return message.result;
  }

  async function call(user: string, tool: string, args: unknown) {
    const result = await mcp(user, 'tools/call', {
      name: tool,
      arguments: args,
    });
    return {
      isError: Boolean(result.isError),
      text: result.content?.map((c: any) => c.text).join('\n') ?? '',
      output: result.structuredContent,
    };
  }

  beforeAll(async () => {
    sim = await startFleetSim({
      managementClusters: 2,
      clusters: 12,
      seed: 'mcp-actions',
      anomalies: false,
      timing: { stepMs: 20, bookmarkMs: 1000 },
    });
    backend = await startTestBackend({
      features: [
        onBehalfOfHttpAuth,
        actionsRegistryServiceFactory,
        actionsServiceFactory,
        permissionsServiceFactory,
        permissionsRegistryServiceFactory,
        membershipUserInfoFactory({
          [ALICE]: ['group:default/team-a'],
          [PAT]: ['group:default/platform-team'],
        }),
        permissionPlugin,
        permissionModuleShipyard,
        catalogPlugin,
        catalogModuleShipyard,
        scaffolderPlugin,
        scaffolderModuleShipyard,
        shipyardPlugin,
        mcpActionsPlugin,
        mockConfig(),
      ],
    });
    await eventually(async () => {
      const res = await fetch(
        `${api()}/catalog/entities/by-name/clusterprofile/default/kubeadm-standard`,
        { headers: { authorization: mockCredentials.user.header(PAT) } },
      );
      if (res.status !== 200)
        throw new Error(`profile: ${res.status} ${await res.text()}`);
      const mcs = await fetch(`${api()}/shipyard/management-clusters`, {
        headers: { authorization: mockCredentials.user.header(PAT) },
      });
      const body = (await mcs.json()) as { items: Array<{ state: string }> };
      if (!body.items?.every(m => m.state === 'connected'))
        throw new Error('management clusters not connected');
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await sim?.stop();
  });

  function mockConfig() {
    return mockServices.rootConfig.factory({
      data: {
        backend: { actions: { pluginSources: ['shipyard', 'scaffolder'] } },
        permission: { enabled: true },
        catalog: {
          rules: [{ allow: ['ClusterProfile', 'Group', 'User', 'Resource'] }],
          locations: [
            {
              type: 'file',
              target: path.join(REPO_ROOT, 'catalog/org.yaml'),
            },
            {
              type: 'file',
              target: path.join(
                REPO_ROOT,
                'plugins/catalog-backend-module-shipyard/catalog/profiles/kubeadm-standard.yaml',
              ),
            },
          ],
        },
        shipyard: {
          platformTeam: 'group:default/platform-team',
          permissions: { restrictReadToOwners: true },
          managementClusters: shipyardManagementClusters(
            sim.managementClusters,
          ),
          sync: {
            persistIntervalMs: 50,
            staleAfterMs: 400,
            requestTimeoutMs: 3000,
            backoff: { initialDelayMs: 20, maxDelayMs: 200 },
          },
          health: { enabled: false },
        },
      },
    });
  }

  it('lists the fleet tools with their schemas and read-only and destructive hints', async () => {
    const { tools } = await mcp(ALICE, 'tools/list');
    const byName = new Map<string, any>(tools.map((t: any) => [t.name, t]));
    for (const name of [
      'shipyard.cluster-list',
      'shipyard.cluster-describe',
      'shipyard.fleet-summary',
      'shipyard.cluster-lifecycle',
      'shipyard.rollout-plan',
      'scaffolder.shipyard-cluster-request',
    ]) {
      expect(byName.get(name)).toBeDefined();
    }
    expect(byName.get('shipyard.cluster-list')).toMatchObject({
      inputSchema: {
        type: 'object',
        properties: expect.objectContaining({
          owner: expect.anything(),
          health: expect.anything(),
          cursor: expect.anything(),
        }),
      },
      annotations: { readOnlyHint: true, destructiveHint: false },
    });
    expect(byName.get('scaffolder.shipyard-cluster-request')).toMatchObject({
      inputSchema: {
        type: 'object',
        required: expect.arrayContaining(['profile', 'name', 'owner']),
      },
      annotations: { readOnlyHint: false, destructiveHint: false },
    });
    expect(byName.get('shipyard.rollout-abort')).toMatchObject({
      annotations: { readOnlyHint: false, destructiveHint: true },
    });
  });

  it('answers the reads with the caller’s permissions: a team member sees its team’s clusters only', async () => {
    const all = await call(PAT, 'shipyard.cluster-list', { limit: 500 });
    expect(all.isError).toBe(false);
    const everyCluster = all.output.items as Array<any>;
    expect(everyCluster.length).toBeGreaterThan(4);
    const teamA = everyCluster.filter(c => c.owner === 'group:default/team-a');
    const other = everyCluster.find(c => c.owner !== 'group:default/team-a');
    expect(teamA.length).toBeGreaterThan(0);
    expect(other).toBeDefined();

    const mine = await call(ALICE, 'shipyard.cluster-list', { limit: 500 });
    expect(mine.output.totalCount).toBe(teamA.length);
    expect(new Set(mine.output.items.map((c: any) => c.owner))).toEqual(
      new Set(['group:default/team-a']),
    );
    // facets count the caller's clusters only
    const ownerFacet = mine.output.facets.owner;
    expect(JSON.stringify(ownerFacet)).not.toContain('team-b');

    // filters as on the fleet page
    const filtered = await call(PAT, 'shipyard.cluster-list', {
      owner: ['team-a'],
      facets: false,
    });
    expect(filtered.output.totalCount).toBe(teamA.length);
    expect(filtered.output.facets).toBeUndefined();

    const summaryAll = await call(PAT, 'shipyard.fleet-summary', {});
    const summaryMine = await call(ALICE, 'shipyard.fleet-summary', {});
    expect(summaryAll.output.totalCount).toBe(everyCluster.length);
    expect(summaryMine.output.totalCount).toBe(teamA.length);

    const key = (c: any) => ({
      managementCluster: c.managementCluster,
      namespace: c.namespace,
      name: c.name,
    });
    const described = await call(
      ALICE,
      'shipyard.cluster-describe',
      key(teamA[0]),
    );
    expect(described.isError).toBe(false);
    expect(described.output.summary).toMatchObject(key(teamA[0]));
    expect(described.output.tree).toBeDefined();
    const lifecycle = await call(
      ALICE,
      'shipyard.cluster-lifecycle',
      key(teamA[0]),
    );
    expect(lifecycle.isError).toBe(false);
    expect(lifecycle.output).toMatchObject({
      cluster: key(teamA[0]),
      support: { status: expect.any(String) },
      upgrades: expect.any(Object),
    });

    // another team's cluster does not exist for alice
    for (const tool of [
      'shipyard.cluster-describe',
      'shipyard.cluster-lifecycle',
    ]) {
      const denied = await call(ALICE, tool, key(other));
      expect(denied.isError).toBe(true);
      expect(denied.text).toMatch(/not found/i);
      const allowed = await call(PAT, tool, key(other));
      expect(allowed.isError).toBe(false);
    }

    // bad input is refused with what is wrong
    const bad = await call(PAT, 'shipyard.cluster-list', {
      health: ['purple'],
    });
    expect(bad.isError).toBe(true);
  });

  it('requests a cluster as the caller, with the scaffolder action’s checks and audit', async () => {
    const mc = sim.managementClusters[0].name;
    // another team's cluster: refused, nothing created, the refusal audited
    const refused = await call(ALICE, 'scaffolder.shipyard-cluster-request', {
      profile: 'clusterprofile:default/kubeadm-standard',
      name: 'agent-other-team',
      owner: 'group:default/team-b',
      managementCluster: mc,
    });
    expect(refused.isError).toBe(true);
    expect(refused.text).toMatch(/team-b/);

    const dryRun = await call(ALICE, 'scaffolder.shipyard-cluster-request', {
      profile: 'clusterprofile:default/kubeadm-standard',
      name: 'agent-dev',
      owner: 'group:default/team-a',
      size: 'small',
      managementCluster: mc,
      variables: { cni: 'calico' },
      dryRun: true,
    });
    expect(dryRun.isError).toBe(false);
    expect(dryRun.output).toMatchObject({ created: false, name: 'agent-dev' });

    const created = await call(ALICE, 'scaffolder.shipyard-cluster-request', {
      profile: 'clusterprofile:default/kubeadm-standard',
      name: 'agent-dev',
      owner: 'group:default/team-a',
      size: 'small',
      managementCluster: mc,
      variables: { cni: 'calico' },
    });
    expect(created.isError).toBe(false);
    expect(created.output).toMatchObject({
      created: true,
      managementCluster: mc,
      namespace: 'team-a',
      name: 'agent-dev',
      owner: 'group:default/team-a',
    });

    // the new cluster reaches the fleet, visible to its team through the same endpoint
    await eventually(async () => {
      const list = await call(ALICE, 'shipyard.cluster-list', {
        q: 'agent-dev',
      });
      if (list.output.totalCount !== 1) throw new Error('not in the fleet yet');
    });

    const audit = await fetch(`${api()}/shipyard/audit?limit=50`, {
      headers: { authorization: mockCredentials.user.header(PAT) },
    });
    const { items } = (await audit.json()) as { items: any[] };
    expect(items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'cluster.create',
          outcome: 'succeeded',
          actor: ALICE,
          cluster: 'agent-dev',
          taskId: created.output.requestId,
        }),
        expect.objectContaining({
          action: 'cluster.create',
          outcome: 'refused',
          actor: ALICE,
          cluster: 'agent-other-team',
        }),
      ]),
    );
  });
});
