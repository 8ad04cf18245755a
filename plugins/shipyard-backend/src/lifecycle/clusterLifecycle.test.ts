import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ClusterLifecycleResponse,
  VersionDebtResponse,
} from '@shipyard/plugin-shipyard-common';
import { clusterPermissionRules } from '@shipyard/plugin-shipyard-node';
import { routerApp } from '../__testUtils__/routerApp';
import request from 'supertest';
import { DEFAULT_HEALTH_CONFIG } from '../health/config';
import { HealthAggregator } from '../health/HealthAggregator';
import { FleetIndex } from '../index/FleetIndex';
import { makeSummary } from '../__testUtils__/summaries';
import { readVersionSupportConfig } from './config';
import { createLifecycleRouter } from './lifecycleRouter';
import { ProfileEntitySource } from '../profiles/CatalogProfileSource';
import { ProfileVersions } from './ProfileVersions';
import { VersionLifecycle } from './VersionLifecycle';
import {
  bearerToken,
  ownerDecision,
  userHttpAuth,
} from '../__testUtils__/access';

const eksStandard = {
  metadata: { name: 'eks-standard' },
  spec: {
    version: '1.2.0',
    distribution: 'eks',
    kubernetes: { versions: ['v1.35', 'v1.34', 'v1.33'] },
    previousVersions: [
      {
        version: '1.1.0',
        kubernetes: { versions: ['v1.33', 'v1.32'] },
        upgradesTo: ['1.2.0'],
      },
      {
        version: '1.0.0',
        kubernetes: { versions: ['v1.32', 'v1.31'] },
        upgradesTo: ['1.1.0'],
      },
    ],
  },
};

function setup(
  options: {
    now?: string;
    source?: ProfileEntitySource;
    decision?: () => any;
    /** Answers the permission backend's decisions instead of `decision`. */
    authorize?: () => Promise<any[]>;
  } = {},
) {
  const t = Date.parse(options.now ?? '2026-12-05T12:00:00Z');
  const lifecycle = new VersionLifecycle({
    config: readVersionSupportConfig(new ConfigReader({})),
    now: () => t,
  });
  const index = new FleetIndex({ now: () => new Date(t) });
  const aggregator = new HealthAggregator(index, DEFAULT_HEALTH_CONFIG, {
    now: () => t,
    lifecycle,
  });
  aggregator.start();
  aggregator.upsert(
    makeSummary({
      name: 'payments',
      distribution: 'eks',
      kubernetesVersion: 'v1.31.9',
      profile: 'eks-standard',
      profileVersion: '1.0.0',
      owner: 'group:default/team-a',
    }),
  );
  aggregator.upsert(
    makeSummary({
      name: 'edge',
      distribution: 'k3s',
      kubernetesVersion: 'v1.34.3+k3s1',
      owner: 'group:default/team-b',
    }),
  );
  aggregator.upsert(
    makeSummary({
      name: 'fresh',
      distribution: 'eks',
      kubernetesVersion: 'v1.35.2',
      owner: 'group:default/team-b',
    }),
  );
  const listProfiles = jest.fn(async () => [eksStandard]);
  const authorizeConditional = jest.fn(
    options.authorize ??
      (async () => [options.decision?.() ?? { result: AuthorizeResult.ALLOW }]),
  );
  const app = routerApp(
    createLifecycleRouter({
      lifecycle,
      httpAuth: userHttpAuth(),
      index,
      permissions: { authorizeConditional } as any,
      ruleset: {
        getRuleByName: () => clusterPermissionRules.isClusterOwner,
      } as any,
      profiles: new ProfileVersions({
        source: options.source ?? { listProfiles },
        logger: mockServices.logger.mock(),
        now: () => t,
      }),
    }),
  );
  return { app, listProfiles, authorizeConditional };
}

describe('GET /clusters/:managementCluster/:namespace/:name/lifecycle', () => {
  it('gives the calendar, the days left and the path back into support', async () => {
    const { app } = setup();
    const res = await request(app).get(
      '/clusters/mc-a/default/payments/lifecycle',
    );
    expect(res.status).toBe(200);
    const body = res.body as ClusterLifecycleResponse;
    expect(body.cluster).toMatchObject({
      distribution: 'eks',
      kubernetesVersion: 'v1.31.9',
      profile: 'eks-standard',
      profileVersion: '1.0.0',
    });
    expect(body.support).toMatchObject({
      status: 'end-of-life',
      calendar: 'eks',
      endOfExtendedSupport: '2026-11-26',
      extendedSupportCharged: true,
    });
    expect(body.calendar).toMatchObject({ name: 'eks', origin: 'bundled' });
    expect(body.calendar.records.find(r => r.minor === '1.33')).toMatchObject({
      status: 'extended',
      source:
        'https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html',
      daysToNextBoundary: 237,
    });
    expect(body.profilesAvailable).toBe(true);
    expect(body.upgrades.profileKnown).toBe(true);
    expect(
      body.upgrades.pathToSupport?.map(
        s => `${s.profileVersion} ${s.kubernetesVersion} ${s.status}`,
      ),
    ).toEqual([
      '1.0.0 v1.32 extended',
      '1.1.0 v1.33 extended',
      '1.2.0 v1.34 extended',
      '1.2.0 v1.35 supported',
    ]);
  });

  it('reports an EKS 1.33 cluster in extended support with its end date, days left and the charge', async () => {
    const { app } = setup({ now: '2026-09-01T12:00:00Z' });
    const res = await request(app).get(
      '/clusters/mc-a/default/payments/lifecycle',
    );
    expect(res.status).toBe(200);
    // payments runs 1.31 (end of life since 2025-11-26 + 12 months): ask about 1.33 through the calendar
    const record = (res.body as ClusterLifecycleResponse).calendar.records.find(
      r => r.minor === '1.33',
    );
    expect(record).toMatchObject({
      status: 'extended',
      endOfExtendedSupport: '2027-07-29',
      extendedSupportCharged: true,
      nextBoundary: { date: '2027-07-30', status: 'end-of-life' },
      daysToNextBoundary: 332,
    });
  });

  it('lets a k3s cluster follow the upstream calendar', async () => {
    const { app } = setup();
    const body = (
      await request(app).get('/clusters/mc-a/default/edge/lifecycle')
    ).body as ClusterLifecycleResponse;
    expect(body.support).toMatchObject({
      status: 'end-of-life',
      distribution: 'k3s',
      calendar: 'upstream',
      endOfLife: '2026-10-27',
    });
    expect(body.calendar).toMatchObject({ name: 'k3s', follows: 'upstream' });
    expect(body.upgrades.pathToSupport?.map(s => s.kubernetesVersion)).toEqual([
      'v1.35',
    ]);
  });

  it('plans from the calendar alone when the catalog cannot be read', async () => {
    const { app } = setup({
      source: {
        listProfiles: async () => {
          throw new Error('catalog unavailable');
        },
      },
    });
    const body = (
      await request(app).get('/clusters/mc-a/default/payments/lifecycle')
    ).body as ClusterLifecycleResponse;
    expect(body.profilesAvailable).toBe(false);
    expect(body.upgrades.profileKnown).toBe(false);
    expect(body.upgrades.pathToSupport?.map(s => s.minor)).toEqual([
      '1.32',
      '1.33',
      '1.34',
      '1.35',
    ]);
  });

  it('answers only for clusters the caller may read', async () => {
    const conditional = setup({
      decision: () => ownerDecision(['group:default/team-b']),
    });
    expect(
      (
        await request(conditional.app).get(
          '/clusters/mc-a/default/payments/lifecycle',
        )
      ).status,
    ).toBe(404);
    expect(
      (
        await request(conditional.app).get(
          '/clusters/mc-a/default/edge/lifecycle',
        )
      ).status,
    ).toBe(200);
    const denied = setup({
      decision: () => ({ result: AuthorizeResult.DENY }),
    });
    expect(
      (await request(denied.app).get('/clusters/mc-a/default/edge/lifecycle'))
        .status,
    ).toBe(403);
    const { app } = setup();
    expect(
      (await request(app).get('/clusters/mc-a/default/nope/lifecycle')).status,
    ).toBe(404);
    expect(
      (await request(app).get('/clusters/mc-a/default/edge/lifecycle?x=1'))
        .status,
    ).toBe(400);
    expect(
      (await request(app).get('/clusters/mc-a/DEFAULT/edge/lifecycle')).status,
    ).toBe(400);
  });

  it('reads the profiles once for a while', async () => {
    const { app, listProfiles } = setup();
    await request(app).get('/clusters/mc-a/default/payments/lifecycle');
    await request(app).get('/clusters/mc-a/default/edge/lifecycle');
    expect(listProfiles).toHaveBeenCalledTimes(1);
  });
});

describe('GET /version-support/debt', () => {
  it('counts statuses per team and distribution, and projects the coming months', async () => {
    const { app } = setup();
    const res = await request(app).get('/version-support/debt');
    expect(res.status).toBe(200);
    const body = res.body as VersionDebtResponse;
    expect(body.totalCount).toBe(3);
    expect(body.byStatus).toEqual({ 'end-of-life': 2, supported: 1 });
    // most debt first; equal debt by name
    expect(body.byOwner).toEqual([
      {
        owner: 'group:default/team-a',
        total: 1,
        counts: { 'end-of-life': 1 },
      },
      {
        owner: 'group:default/team-b',
        total: 2,
        counts: { 'end-of-life': 1, supported: 1 },
      },
    ]);
    expect(body.byDistribution).toEqual([
      {
        distribution: 'eks',
        calendar: 'eks',
        total: 2,
        counts: { 'end-of-life': 1, supported: 1 },
      },
      {
        distribution: 'k3s',
        calendar: 'upstream',
        total: 1,
        counts: { 'end-of-life': 1 },
      },
    ]);
    expect(body.projection).toHaveLength(13);
    expect(body.projection[0]).toEqual({
      date: '2026-12-05',
      counts: { 'end-of-life': 2, supported: 1 },
    });
    // EKS 1.35 leaves standard support after 2027-03-27 and then costs extra
    expect(body.projection.find(p => p.date === '2027-03-01')?.counts).toEqual({
      'end-of-life': 2,
      supported: 1,
    });
    expect(body.projection.find(p => p.date === '2027-04-01')?.counts).toEqual({
      'end-of-life': 2,
      extended: 1,
    });
    expect(body.projection[12].date).toBe('2027-12-01');
  });

  it("takes the filters of GET /clusters and the caller's visibility", async () => {
    const { app } = setup();
    const team = (
      await request(app).get('/version-support/debt?owner=group:default/team-a')
    ).body as VersionDebtResponse;
    expect(team.totalCount).toBe(1);
    expect(
      (await request(app).get('/version-support/debt?months=30')).status,
    ).toBe(400);
    expect(
      (await request(app).get('/version-support/debt?sort=name')).status,
    ).toBe(400);
    const conditional = setup({
      decision: () => ownerDecision(['group:default/team-b']),
    });
    const visible = (
      await request(conditional.app).get('/version-support/debt?months=3')
    ).body as VersionDebtResponse;
    expect(visible.totalCount).toBe(2);
    expect(visible.byOwner.map(o => o.owner)).toEqual(['group:default/team-b']);
    expect(visible.projection).toHaveLength(4);
  });

  it('asks the permission backend once for the reads of one token that come together, and keeps it a while', async () => {
    const { app, authorizeConditional } = setup({
      authorize: async () => {
        await new Promise(r => setTimeout(r, 50));
        return [{ result: AuthorizeResult.ALLOW }];
      },
    });
    const t = bearerToken(Math.floor(Date.now() / 1000) + 3600);
    const answers = await Promise.all(
      [
        '/version-support/debt',
        '/version-support/debt?months=3',
        '/version-support/debt?owner=group:default/team-a',
        '/version-support/debt',
      ].map(path => request(app).get(path).set('authorization', t)),
    );
    expect(answers.map(a => a.status)).toEqual([200, 200, 200, 200]);
    expect(authorizeConditional).toHaveBeenCalledTimes(1);
    expect(
      (await request(app).get('/version-support/debt').set('authorization', t))
        .status,
    ).toBe(200);
    expect(authorizeConditional).toHaveBeenCalledTimes(1);
  });
});
