import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import {
  createTemplateAction,
  scaffolderActionsExtensionPoint,
} from '@backstage/plugin-scaffolder-node';
import { FleetSim, startFleetSim } from '@shipyard/fleet-sim';
import Ajv from 'ajv';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import {
  REPO_ROOT,
  ScaffolderSimBackend,
  managementCluster,
  startScaffolderSimBackend,
} from './__testUtils__/simBackend';
import { eventuallyWithin, Membership } from '@shipyard/test-utils';
import { simClusterNames, simGet } from './__testUtils__/simKube';

const eventually = eventuallyWithin({ timeoutMs: 30_000, intervalMs: 100 });

/*
 * The real scaffolder backend running the repository's templates with this module, the catalog (with the Shipyard
 * catalog module and the example org and profiles), the Shipyard backend, and the fleet simulator.
 */

jest.setTimeout(90_000);

const execFileAsync = promisify(execFile);
/** Cluster API's own CRDs beside the repository, when present (tests that compare with them are skipped otherwise). */
const CAPI_FIXTURES = [path.resolve(REPO_ROOT, '../shared/fixtures/capi')].find(
  dir => fs.existsSync(path.join(dir, 'cluster.x-k8s.io_clusters.yaml')),
);
/** The Cluster object of the last rendered GitOps manifest. */
let renderedGitOpsCluster: any;
const KUBECTL = '/usr/bin/kubectl';

const MEMBERSHIP: Membership = {
  'user:default/alice': ['group:default/team-a'],
  'user:default/carol': ['group:default/team-c'],
  'user:default/pat': ['group:default/platform-team'],
};

/** Files the fake `publish:github:pull-request` saw, by task. */
const published: Array<{ input: any; files: Record<string, string> }> = [];
let failOnce = true;

const testActions = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'shipyard-test-actions',
  register(env) {
    env.registerInit({
      deps: { scaffolder: scaffolderActionsExtensionPoint },
      async init({ scaffolder }) {
        scaffolder.addActions(
          createTemplateAction({
            id: 'publish:github:pull-request',
            description:
              'Records the workspace instead of opening a pull request',
            schema: {
              input: z => z.object({}).passthrough(),
              output: { remoteUrl: z => z.string() },
            },
            async handler(ctx) {
              // a repository the pull request cannot be opened in (the provider refuses the branch)
              if (String(ctx.input.repoUrl ?? '').includes('repo=locked')) {
                throw new Error(
                  'Pull request could not be opened: the repository refused the branch',
                );
              }
              const files: Record<string, string> = {};
              const walk = (dir: string) => {
                for (const entry of fs.readdirSync(dir, {
                  withFileTypes: true,
                })) {
                  const full = path.join(dir, entry.name);
                  if (entry.isDirectory()) walk(full);
                  else
                    files[path.relative(ctx.workspacePath, full)] =
                      fs.readFileSync(full, 'utf8');
                }
              };
              walk(ctx.workspacePath);
              published.push({ input: ctx.input, files });
              ctx.output(
                'remoteUrl',
                'https://github.com/example-org/fleet/pull/1',
              );
            },
          }),
          createTemplateAction({
            id: 'test:fail-once',
            description: 'Fails the first time it runs',
            async handler() {
              if (failOnce) {
                failOnce = false;
                throw new Error(
                  'transient failure after the cluster was created',
                );
              }
            },
          }),
        );
      },
    });
  },
});

describe('shipyard scaffolder actions through the real scaffolder backend and the fleet simulator', () => {
  let sim: FleetSim;
  let harness: ScaffolderSimBackend;
  let tmp: string;
  const scheduler = mockServices.scheduler();

  const api = () => harness.api();
  const as = (user: string) => harness.as(user);
  const mc = (name: string) => managementCluster(sim, name);
  const runTask = (
    user: string,
    template: string,
    values: Record<string, unknown>,
  ) => harness.runTask(user, `template:default/${template}`, values, 45_000);
  const waitForTask = (user: string, id: string) =>
    harness.waitForTask(user, id, 45_000);
  const shipyard = <T = any>(p: string, user = 'user:default/pat') =>
    harness.shipyard<T>(p, user);

  async function audit(): Promise<any[]> {
    const res = await shipyard<{ items: any[] }>('/audit?limit=500');
    expect(res.status).toBe(200);
    return res.body.items;
  }

  async function snapshot(): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    for (const m of sim.managementClusters)
      out[m.name] = await simClusterNames(m);
    return out;
  }

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-scaffolder-'));
    // a variant of request-cluster whose last step fails once, to retry the task
    const template = parseYaml(
      fs.readFileSync(
        path.join(
          REPO_ROOT,
          'plugins/catalog-backend-module-shipyard/catalog/templates/request-cluster.yaml',
        ),
        'utf8',
      ),
    );
    template.metadata.name = 'request-cluster-flaky';
    // (with a namespace parameter, so that the namespace is created by the request too)
    template.spec.steps[0].input.namespace = '${{ parameters.namespace }}';
    template.spec.steps = [
      template.spec.steps[0],
      { id: 'flaky', name: 'Flaky', action: 'test:fail-once' },
    ];
    template.spec.output = {};
    fs.writeFileSync(path.join(tmp, 'flaky.yaml'), JSON.stringify(template));

    sim = await startFleetSim({
      managementClusters: 2,
      clusters: 6,
      seed: 'scaffolder-module',
      anomalies: false,
      timing: { stepMs: 20, bookmarkMs: 1000 },
    });
    // the catalog has the templates, the org and the profiles; the backend is connected to both management clusters
    harness = await startScaffolderSimBackend({
      sim,
      membership: MEMBERSHIP,
      scheduler,
      features: [testActions],
      locations: [
        'catalog/org.yaml',
        'plugins/catalog-backend-module-shipyard/catalog/profiles/kubeadm-standard.yaml',
        'plugins/catalog-backend-module-shipyard/catalog/profiles/k3s-edge.yaml',
        'plugins/catalog-backend-module-shipyard/catalog/templates/request-cluster.yaml',
        'plugins/catalog-backend-module-shipyard/catalog/templates/request-cluster-gitops.yaml',
        'plugins/catalog-backend-module-shipyard/catalog/templates/upgrade-cluster.yaml',
        path.join(tmp, 'flaky.yaml'),
      ],
      waitForEntities: [
        'template/default/request-cluster',
        'template/default/request-cluster-flaky',
        'clusterprofile/default/kubeadm-standard',
        'user/default/alice',
      ],
      shipyard: {
        quotas: {
          teams: [{ team: 'group:default/team-c', maxClusters: 0 }],
        },
      },
    });
  });

  afterAll(async () => {
    await harness?.backend.stop();
    await sim?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('serves the ClusterClasses with their variable schemas', async () => {
    const res = await shipyard<{ items: any[] }>(
      '/cluster-classes?managementCluster=mgmt-us-1',
    );
    expect(res.status).toBe(200);
    const cc = res.body.items.find(
      c => c.name === 'kubeadm-standard' && c.namespace === 'fleet-shared',
    );
    expect(cc).toMatchObject({
      managementCluster: 'mgmt-us-1',
      provider: 'docker',
      distribution: 'kubeadm',
    });
    expect(cc.machineDeploymentClasses).toContain('default-worker');
    expect(cc.variables.find((v: any) => v.name === 'region')).toMatchObject({
      required: true,
    });
  });

  it('requests a cluster on the chosen management cluster, which provisions and shows up in the fleet and the catalog', async () => {
    const task = await runTask('user:default/alice', 'request-cluster', {
      profile: 'clusterprofile:default/kubeadm-standard',
      name: 'alice-dev',
      owner: 'group:default/team-a',
      size: 'small',
      managementCluster: 'mgmt-us-1',
      variables: { cni: 'calico' },
    });
    expect(task.messages.join('\n')).toContain('alice-dev');
    expect(task.status).toBe('completed');

    const created = await simGet(
      mc('mgmt-us-1'),
      '/apis/cluster.x-k8s.io/v1beta2/namespaces/team-a/clusters/alice-dev',
    );
    expect(created.status).toBe(200);
    expect(created.body.metadata.labels).toMatchObject({
      'shipyard.io/owner': 'team-a',
      'shipyard.io/profile': 'kubeadm-standard',
      'shipyard.io/profile-version': '2.1.0',
    });
    expect(created.body.spec.topology).toMatchObject({
      classRef: { name: 'kubeadm-standard' },
      version: 'v1.35.5',
      workers: {
        machineDeployments: [{ class: 'default-worker', replicas: 1 }],
      },
    });
    expect(created.body.spec.topology.variables).toEqual(
      expect.arrayContaining([{ name: 'cni', value: 'calico' }]),
    );
    expect(
      (await simClusterNames(mc('mgmt-eu-1'))).filter(n =>
        n.endsWith('/alice-dev'),
      ),
    ).toEqual([]);

    // the wait step returned once the fleet index saw it provisioned and healthy
    const fleet = await shipyard('/clusters/mgmt-us-1/team-a/alice-dev');
    expect(fleet.body.summary).toMatchObject({
      phase: 'Provisioned',
      health: 'healthy',
      owner: 'group:default/team-a',
    });
    expect(task.output.links).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          entityRef: 'resource:default/mgmt-us-1--team-a--alice-dev',
        }),
        // a path: the task page follows it inside the portal
        expect.objectContaining({
          url: '/shipyard/clusters/mgmt-us-1/team-a/alice-dev',
        }),
      ]),
    );

    await eventually(async () => {
      await scheduler.triggerTask('ClusterEntityProvider:refresh');
      const res = await fetch(
        `${api()}/catalog/entities/by-name/resource/default/mgmt-us-1--team-a--alice-dev`,
        {
          headers: as('user:default/pat'),
        },
      );
      if (res.status !== 200) throw new Error(`entity: ${res.status}`);
      const entity = await res.json();
      expect(entity.spec.owner).toBe('group:default/team-a');
    });

    const records = await audit();
    expect(records[0]).toMatchObject({
      action: 'cluster.create',
      outcome: 'succeeded',
      actor: 'user:default/alice',
      managementCluster: 'mgmt-us-1',
      cluster: 'alice-dev',
    });
  });

  it.each([
    [
      'a duplicate name',
      'user:default/alice',
      { name: 'alice-dev', managementCluster: 'mgmt-us-1' },
      /already exists in namespace team-a on mgmt-us-1; choose another name/,
    ],
    [
      'a forbidden profile',
      'user:default/alice',
      { name: 'alice-edge', profile: 'clusterprofile:default/k3s-edge' },
      /Profile clusterprofile:default\/k3s-edge is open to .* only/,
    ],
    [
      'an exceeded quota',
      'user:default/carol',
      { name: 'carol-dev', owner: 'group:default/team-c' },
      /group:default\/team-c already owns \d+ clusters? and its quota is 0/,
    ],
    [
      'an invalid variable',
      'user:default/alice',
      { name: 'alice-flannel', variables: { cni: 'flannel' } },
      /variables\.cni must be one of "calico", "cilium"/,
    ],
  ])(
    'refuses %s before any write, with a clear message',
    async (_what, user, values, message) => {
      const before = await snapshot();
      const task = await runTask(user, 'request-cluster', {
        profile: 'clusterprofile:default/kubeadm-standard',
        owner: 'group:default/team-a',
        ...values,
      });
      expect(task.status).toBe('failed');
      expect(task.messages.join('\n')).toMatch(message);
      expect(await snapshot()).toEqual(before);
      const [last] = await audit();
      expect(last).toMatchObject({
        action: 'cluster.create',
        outcome: 'refused',
        actor: user,
      });
      expect(last.message).toMatch(message);
    },
  );

  it('checks a request before submit and names every problem at once, writing nothing', async () => {
    const before = await snapshot();
    const validate = (user: string, body: object) =>
      fetch(`${api()}/scaffolder/shipyard/cluster-requests/validate`, {
        method: 'POST',
        headers: as(user),
        body: JSON.stringify(body),
      });
    const bad = await validate('user:default/alice', {
      profile: 'clusterprofile:default/kubeadm-standard',
      name: 'alice-dev',
      owner: 'group:default/team-a',
      managementCluster: 'mgmt-us-1',
      size: 'gigantic',
      variables: { cni: 'flannel' },
    });
    expect(bad.status).toBe(200);
    const { problems } = (await bad.json()) as {
      problems: Array<{ field: string; message: string }>;
    };
    expect(problems.map(p => p.field).sort()).toEqual([
      'name',
      'size',
      'variables',
    ]);
    expect(problems.find(p => p.field === 'name')?.message).toMatch(
      /already exists in namespace team-a on mgmt-us-1/,
    );
    expect(problems.find(p => p.field === 'variables')?.message).toMatch(
      /variables\.cni must be one of "calico", "cilium"/,
    );
    // who may use the profile, and the quota
    const fields = async (user: string, body: object) =>
      (
        ((await (await validate(user, body)).json()) as any).problems as Array<{
          field: string;
        }>
      ).map(p => p.field);
    expect(
      await fields('user:default/alice', {
        profile: 'clusterprofile:default/k3s-edge',
        name: 'alice-edge',
        owner: 'group:default/team-a',
      }),
    ).toContain('profile');
    expect(
      await fields('user:default/carol', {
        profile: 'clusterprofile:default/kubeadm-standard',
        name: 'carol-dev',
        owner: 'group:default/team-c',
      }),
    ).toEqual(['owner']);
    const fine = await validate('user:default/alice', {
      profile: 'clusterprofile:default/kubeadm-standard',
      name: 'alice-fine',
      owner: 'group:default/team-a',
      variables: { cni: 'cilium' },
    });
    expect(await fine.json()).toEqual({ problems: [] });
    // a malformed body is a 400, and nothing was written
    expect((await validate('user:default/alice', { name: 3 })).status).toBe(
      400,
    );
    expect(await snapshot()).toEqual(before);
  });

  it('does not create twice when a task is retried', async () => {
    failOnce = true;
    const first = await runTask('user:default/alice', 'request-cluster-flaky', {
      profile: 'clusterprofile:default/kubeadm-standard',
      name: 'alice-retry',
      owner: 'group:default/team-a',
      managementCluster: 'mgmt-eu-1',
      namespace: 'team-a-retry',
    });
    expect(first.status).toBe('failed');
    expect(first.messages.join('\n')).toContain('transient failure');
    const ns = await simGet(mc('mgmt-eu-1'), '/api/v1/namespaces/team-a-retry');
    expect(ns.body.metadata.labels).toMatchObject({
      'shipyard.io/owner': 'team-a',
    });
    const created = await simGet(
      mc('mgmt-eu-1'),
      '/apis/cluster.x-k8s.io/v1beta2/namespaces/team-a-retry/clusters/alice-retry',
    );
    expect(created.status).toBe(200);
    const uid = created.body.metadata.uid;

    const retry = await fetch(
      `${api()}/scaffolder/v2/tasks/${first.id}/retry`,
      {
        method: 'POST',
        headers: as('user:default/alice'),
        body: JSON.stringify({}),
      },
    );
    expect(retry.status).toBe(201);
    const second = await waitForTask('user:default/alice', first.id);
    expect(second.status).toBe('completed');
    const after = await simGet(
      mc('mgmt-eu-1'),
      '/apis/cluster.x-k8s.io/v1beta2/namespaces/team-a-retry/clusters/alice-retry',
    );
    expect(after.body.metadata.uid).toBe(uid);
    expect(
      (await simClusterNames(mc('mgmt-eu-1'))).filter(n =>
        n.endsWith('/alice-retry'),
      ),
    ).toEqual(['team-a-retry/alice-retry']);
  });

  it('renders GitOps manifests that apply with kubectl --dry-run=server', async () => {
    const before = await snapshot();
    const task = await runTask('user:default/pat', 'request-cluster-gitops', {
      profile: 'clusterprofile:default/kubeadm-standard',
      name: 'search-gitops',
      owner: 'group:default/team-b',
      size: 'medium',
      managementCluster: 'mgmt-eu-1',
      variables: { region: 'local', etcdBackup: true },
    });
    expect(task.status).toBe('completed');
    expect(await snapshot()).toEqual(before);
    // the request succeeded once its pull request was opened, and the entry names it
    const entries = (await audit()).filter(r => r.taskId === task.id);
    expect(entries.map(r => r.outcome)).toEqual(['succeeded']);
    expect(entries[0]).toMatchObject({
      action: 'cluster.create',
      mode: 'manifests',
      actor: 'user:default/pat',
      managementCluster: 'mgmt-eu-1',
      namespace: 'team-b',
      cluster: 'search-gitops',
      owner: 'group:default/team-b',
      profile: 'clusterprofile:default/kubeadm-standard',
      details: expect.objectContaining({
        pullRequest: 'https://github.com/example-org/fleet/pull/1',
      }),
    });
    const { files, input } = published[published.length - 1];
    expect(input.branchName).toBe(
      'shipyard/cluster-mgmt-eu-1-team-b-search-gitops',
    );
    const text = files['clusters/mgmt-eu-1/team-b/search-gitops.yaml'];
    expect(text).toBeDefined();
    const docs = parseAllDocuments(text).map(d => d.toJSON());
    expect(docs.map(d => d.kind)).toEqual(['Namespace', 'Cluster']);
    const cluster = docs[1];

    renderedGitOpsCluster = cluster;
    expect(cluster.spec.topology.controlPlane.replicas).toBe(3);

    // the real kubectl against the simulator, with its own HOME
    const home = fs.mkdtempSync(path.join(tmp, 'home-'));
    const kubeconfig = path.join(home, 'kubeconfig');
    fs.writeFileSync(kubeconfig, sim.kubeconfig());
    const manifest = path.join(home, 'cluster.yaml');
    fs.writeFileSync(manifest, text);
    const { stdout } = await execFileAsync(
      KUBECTL,
      [
        '--kubeconfig',
        kubeconfig,
        '--context',
        'mgmt-eu-1',
        'apply',
        '--dry-run=server',
        '-f',
        manifest,
      ],
      { env: { PATH: process.env.PATH ?? '', HOME: home }, timeout: 30_000 },
    );
    expect(stdout).toMatch(
      /cluster\.cluster\.x-k8s\.io\/search-gitops (created|configured) \(server dry run\)/,
    );
    expect(await snapshot()).toEqual(before);
  });

  it('audits a GitOps request whose pull request failed as failed, never as succeeded', async () => {
    const count = published.length;
    const task = await runTask('user:default/pat', 'request-cluster-gitops', {
      profile: 'clusterprofile:default/kubeadm-standard',
      name: 'locked-gitops',
      owner: 'group:default/team-b',
      size: 'medium',
      managementCluster: 'mgmt-eu-1',
      variables: { region: 'local', etcdBackup: true },
      repoUrl: 'github.com?owner=example-org&repo=locked',
    });
    expect(task.status).toBe('failed');
    expect(published.length).toBe(count);
    const entries = (await audit()).filter(r => r.taskId === task.id);
    expect(entries.map(r => r.outcome)).toEqual(['failed']);
    expect(entries[0]).toMatchObject({
      action: 'cluster.create',
      mode: 'manifests',
      actor: 'user:default/pat',
      managementCluster: 'mgmt-eu-1',
      namespace: 'team-b',
      cluster: 'locked-gitops',
      owner: 'group:default/team-b',
    });
    expect(entries[0].message).toMatch(/pull request/i);
  });

  it('audits a refused GitOps request once, as refused', async () => {
    const task = await runTask('user:default/pat', 'request-cluster-gitops', {
      profile: 'clusterprofile:default/kubeadm-standard',
      name: 'over-quota',
      // team-c's quota allows no cluster
      owner: 'group:default/team-c',
      size: 'medium',
      managementCluster: 'mgmt-eu-1',
      variables: { region: 'local', etcdBackup: true },
    });
    expect(task.status).toBe('failed');
    const entries = (await audit()).filter(r => r.taskId === task.id);
    expect(entries.map(r => r.outcome)).toEqual(['refused']);
  });

  (CAPI_FIXTURES ? describe : describe.skip)(
    `compared with Cluster API's own CRDs${
      CAPI_FIXTURES
        ? ''
        : ' (skipped: the Cluster API fixtures, ../shared/fixtures/capi, are not beside this clone)'
    }`,
    () => {
      it('renders a GitOps Cluster that validates against the CAPI CRD schema', () => {
        expect(renderedGitOpsCluster).toBeDefined();
        // the real CRD's openAPIV3Schema (storage version v1beta2)
        const crd = parseYaml(
          fs.readFileSync(
            path.join(
              CAPI_FIXTURES as string,
              'cluster.x-k8s.io_clusters.yaml',
            ),
            'utf8',
          ),
        );
        const version = crd.spec.versions.find(
          (v: any) => v.name === 'v1beta2',
        );
        const validate = new Ajv({
          strict: false,
          allErrors: true,
          validateFormats: false,
        }).compile(version.schema.openAPIV3Schema);
        expect(validate(renderedGitOpsCluster) ? [] : validate.errors).toEqual(
          [],
        );
      });
    },
  );

  it('upgrades a cluster one minor up and waits until control plane and workers run it', async () => {
    const task = await runTask('user:default/alice', 'upgrade-cluster', {
      cluster: 'mgmt-us-1/team-a/alice-dev',
      kubernetesVersion: 'v1.36.2',
    });
    expect(task.messages.join('\n')).toContain(
      'Upgrading alice-dev from v1.35.5 to v1.36.2',
    );
    expect(task.status).toBe('completed');
    const after = await simGet(
      mc('mgmt-us-1'),
      '/apis/cluster.x-k8s.io/v1beta2/namespaces/team-a/clusters/alice-dev',
    );
    expect(after.body.spec.topology.version).toBe('v1.36.2');
    // the wait step returned only when the rollout was over: every Machine runs the target version and is running,
    // no old Machine is left, the control plane reports the version
    const machines = await simGet(
      mc('mgmt-us-1'),
      '/apis/cluster.x-k8s.io/v1beta2/namespaces/team-a/machines?labelSelector=cluster.x-k8s.io%2Fcluster-name%3Dalice-dev',
    );
    const items = machines.body.items as any[];
    expect(items.length).toBeGreaterThan(0);
    expect(
      items.map(m => `${m.metadata.name} ${m.spec.version} ${m.status?.phase}`),
    ).toEqual(items.map(m => `${m.metadata.name} v1.36.2 Running`));
    const desired =
      (after.body.spec.topology.controlPlane?.replicas ?? 1) +
      (after.body.spec.topology.workers?.machineDeployments ?? []).reduce(
        (n: number, md: any) => n + (md.replicas ?? 1),
        0,
      );
    expect(items).toHaveLength(desired);
    const [last] = await audit();
    expect(last).toMatchObject({
      action: 'cluster.upgrade',
      outcome: 'succeeded',
      cluster: 'alice-dev',
    });
  });

  it("serves the whole audit log to the platform team, and others their groups' clusters' entries", async () => {
    const mine = await shipyard<{ items: any[] }>(
      '/audit?limit=500',
      'user:default/alice',
    );
    expect(mine.status).toBe(200);
    expect(mine.body.items.length).toBeGreaterThan(0);
    expect(mine.body.items.every(r => r.owner === 'group:default/team-a')).toBe(
      true,
    );
    const records = await audit();
    expect(records.length).toBeGreaterThan(mine.body.items.length);
    expect(records.map(r => r.outcome)).toEqual(
      expect.arrayContaining(['succeeded', 'refused']),
    );
  });

  // refused connections, and a partition that leaves them open with no answer (the backend's heartbeat and
  // watch deadlines tell): the pre-check reads the same state as GET /management-clusters
  it.each(['refuse', 'blackhole'] as const)(
    'refuses a request to a disconnected management cluster before any write (%s)',
    async mode => {
      sim.faults.unreachable('mgmt-eu-1', mode);
      try {
        await eventually(async () => {
          const mcs = await shipyard<{ items: any[] }>('/management-clusters');
          if (
            mcs.body.items.find(m => m.name === 'mgmt-eu-1')?.state !== 'stale'
          )
            throw new Error('still connected');
        });
        const task = await runTask('user:default/alice', 'request-cluster', {
          profile: 'clusterprofile:default/kubeadm-standard',
          name: `alice-offline-${mode}`,
          owner: 'group:default/team-a',
          managementCluster: 'mgmt-eu-1',
        });
        expect(task.status).toBe('failed');
        expect(task.messages.join('\n')).toMatch(
          /Management cluster mgmt-eu-1 is not connected .*nothing was created/,
        );
      } finally {
        sim.faults.reachable('mgmt-eu-1');
      }
      expect(
        (await simClusterNames(mc('mgmt-eu-1'))).filter(n =>
          n.endsWith(`/alice-offline-${mode}`),
        ),
      ).toEqual([]);
      // connected again before the next case
      await eventually(async () => {
        const mcs = await shipyard<{ items: any[] }>('/management-clusters');
        if (
          mcs.body.items.find(m => m.name === 'mgmt-eu-1')?.state !==
          'connected'
        )
          throw new Error('not connected yet');
      });
    },
  );
});
