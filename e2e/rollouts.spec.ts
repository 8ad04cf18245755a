import { APIRequestContext, expect, test } from '@playwright/test';
import { signInAsGuest } from './support';

/*
 * A fleet rollout from the portal, as a member of the platform team (the demo guest): from the fleet page's
 * selection to the plan form, plan an upgrade of two clusters to a newer Kubernetes version (a canary, then the rest
 * behind an approval gate), start it, watch the canary upgrade, see the gate on the rollout page and the step on a
 * cluster's page, approve the gate, and see the rollout complete.
 */

interface Cluster {
  managementCluster: string;
  namespace: string;
  name: string;
  owner: string;
  health: string;
  phase: string;
  lifecycle?: string;
  kubernetesVersion?: string;
  clusterClass?: string;
  paused?: unknown;
  deletingSince?: string;
  machineDeployments: unknown[];
}

const keyOf = (c: Cluster) => `${c.managementCluster}/${c.namespace}/${c.name}`;

async function tokenOf(request: APIRequestContext): Promise<string> {
  const refresh = await request.get('/api/auth/guest/refresh', {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  return (await refresh.json()).backstageIdentity.token;
}

/**
 * Two healthy, settled topology clusters outside production that a rollout to one Kubernetes version plans without a
 * pre-flight problem (asked of the backend's plan endpoint, which starts nothing), with the shortest chains, and
 * that version.
 */
async function plannable(
  request: APIRequestContext,
): Promise<{ clusters: Cluster[]; target: string }> {
  const token = await tokenOf(request);
  const headers = { Authorization: `Bearer ${token}` };
  let found: { clusters: Cluster[]; target: string } | undefined;
  let why: string[] = [];
  await expect
    .poll(
      async () => {
        const res = await request.get(
          '/api/shipyard/clusters?limit=500&facets=false',
          { headers },
        );
        if (!res.ok()) return 0;
        const current: string[] = [];
        const all = (await res.json()).items as Cluster[];
        const healthy = all.filter(
          c =>
            c.health === 'healthy' &&
            c.phase === 'Provisioned' &&
            c.lifecycle !== 'production' &&
            !c.paused &&
            !c.deletingSince &&
            c.clusterClass &&
            c.machineDeployments.length > 0,
        );
        // the versions clusters of the fleet run (those their profiles approve) and each minor, as targets
        const targets = new Set<string>();
        for (const c of all) {
          const m = /^(v1\.(\d+)\.\d+)/.exec(c.kubernetesVersion ?? '');
          if (m) targets.add(m[1]).add(`v1.${m[2]}`);
        }
        let best:
          | { clusters: Cluster[]; target: string; steps: number }
          | undefined;
        for (const target of targets) {
          const plan = await request.post('/api/shipyard/rollouts/plan', {
            headers,
            data: {
              name: 'probe',
              target: { kubernetesVersion: target },
              selector: { cluster: healthy.map(keyOf) },
              stages: [{ name: 'all' }],
            },
          });
          if (!plan.ok()) {
            current.push(`${target}: ${plan.status()} ${await plan.text()}`);
            continue;
          }
          const body = await plan.json();
          const candidates = body.stages[0].clusters as any[];
          const ready = candidates.filter(
            c => c.state === 'pending' && !c.problems?.length,
          );
          current.push(
            ...[...candidates, ...body.excluded]
              .filter(c => !ready.includes(c))
              .map(c => `${target} ${c.key}: ${c.message}`),
          );
          if (ready.length < 2) continue;
          // the two with the shortest chains
          const picked = ready
            .sort((a, b) => a.steps.length - b.steps.length)
            .slice(0, 2);
          const steps = Math.max(...picked.map(c => c.steps.length));
          if (!best || steps < best.steps) {
            best = {
              target,
              steps,
              clusters: picked
                .map(c => healthy.find(h => keyOf(h) === c.key)!)
                .sort((a, b) => keyOf(a).localeCompare(keyOf(b))),
            };
          }
        }
        why = current;
        if (best) {
          found = { clusters: best.clusters, target: best.target };
          return 2;
        }
        return 0;
      },
      { timeout: 150_000 },
    )
    .toBe(2)
    .catch(error => {
      throw new Error(
        `No two healthy clusters one rollout can take (${why
          .slice(0, 30)
          .join('; ')}): ${error}`,
      );
    });
  return found!;
}

test('plan a rollout, start it, watch its progress, approve its gate and see it complete', async ({
  page,
}) => {
  test.setTimeout(480_000);
  await signInAsGuest(page);
  const { clusters, target } = await plannable(page.request);
  const [canary, other] = clusters;

  // the fleet page's selection leads to the plan form, with its filters as the rollout's selection
  const owner = canary.owner.replace(/^group:default\//, '');
  await page.goto(`/shipyard?owner=${encodeURIComponent(owner)}`);
  await page.getByTestId('plan-rollout-link').click();
  await expect(page).toHaveURL(/\/shipyard\/rollouts\/new\?owner=/);
  await expect(page.getByText(`owner=${owner}`)).toBeVisible();

  // the two clusters to the target: a canary, then the rest after an approval
  const params = new URLSearchParams([
    ['cluster', keyOf(canary)],
    ['cluster', keyOf(other)],
    ['target', target],
    ['name', `browser rollout to ${target}`],
    ['soakMinutes', '0'],
    ['approvers', 'group:default/platform-team'],
  ]);
  await page.goto(`/shipyard/rollouts/new?${params}`);
  await expect(page.getByLabel('Target Kubernetes version')).toHaveValue(
    target,
  );
  await expect(
    page.getByRole('button', { name: 'Start rollout' }),
  ).toBeDisabled();
  await page.getByRole('button', { name: 'Plan' }).click();
  // the plan, per stage and cluster, before anything starts
  await expect(page.getByText(/Stage\s+canary: 1 cluster/)).toBeVisible();
  await expect(page.getByText(/Stage\s+rest: 1 cluster/)).toBeVisible();
  await expect(page.getByRole('cell', { name: keyOf(other) })).toBeVisible();
  await page.getByRole('button', { name: 'Start rollout' }).click();

  // the rollout's page: the canary upgrades, then the rest waits for its approval
  await expect(page).toHaveURL(/\/shipyard\/rollouts\/[0-9a-f-]{36}$/);
  const rolloutUrl = page.url();
  await expect(page.getByTestId('rollout-state')).toHaveText('running');
  const canaryStage = page
    .locator('[class*="MuiCard-root"]', { hasText: 'Stage canary' })
    .first();
  await expect(canaryStage).toContainText(keyOf(canary));
  await expect(canaryStage).toContainText('succeeded', { timeout: 300_000 });
  await expect(page.getByTestId('gate-rest')).toContainText(
    'group:default/platform-team',
    { timeout: 60_000 },
  );

  // the waiting cluster's page shows its step in the rollout
  await page.goto(
    `/shipyard/clusters/${other.managementCluster}/${other.namespace}/${other.name}`,
  );
  await expect(page.getByTestId('cluster-rollout-step')).toContainText(
    'stage rest, pending',
  );

  // approve the gate: the rest upgrades, and the rollout completes
  await page.goto(rolloutUrl);
  await page.getByRole('button', { name: 'Approve rest' }).click();
  await expect(page.getByTestId('gate-rest')).toHaveCount(0);
  await expect(page.getByTestId('rollout-state')).toHaveText('completed', {
    timeout: 300_000,
  });
  const restStage = page
    .locator('[class*="MuiCard-root"]', { hasText: 'Stage rest' })
    .first();
  await expect(restStage).toContainText('succeeded');

  // the fleet runs the target on both
  const token = await tokenOf(page.request);
  for (const c of clusters) {
    const res = await page.request.get(`/api/shipyard/clusters/${keyOf(c)}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect((await res.json()).summary.kubernetesVersion).toMatch(
      new RegExp(`^${target.replace(/\./g, '\\.')}(\\.|$)`),
    );
  }
});
