import { mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ClusterObjectiveResponse,
  ObjectivesResponse,
} from '@shipyard/plugin-shipyard-common';
import { clusterPermissionRules } from '@shipyard/plugin-shipyard-node';
import express from 'express';
import { routerApp } from '../__testUtils__/routerApp';
import { TestDatabaseId } from '@backstage/backend-test-utils';
import {
  createTestDatabases,
  describePostgres15Coverage,
} from '@shipyard/test-utils';
import { Knex } from 'knex';
import request from 'supertest';
import { DEFAULT_HEALTH_CONFIG } from '../health/config';
import { HealthService } from '../health/HealthService';
import { FleetIndex, StoredClusterSummary } from '../index/FleetIndex';
import { HealthStore } from '../stores/HealthStore';
import { makeSummary } from '../__testUtils__/summaries';
import { DEFAULT_OBJECTIVES_CONFIG } from './config';
import { createObjectivesRouter } from './objectivesRouter';
import { FastBurnNotifier } from './FastBurnNotifier';
import { ownerDecision, userHttpAuth } from '../__testUtils__/access';

/*
 * The objectives of the health stage end to end: health statuses go through the aggregator into the history
 * (SQLite), the tracker reads them back, the budget state reaches the index (facet and filter of GET /clusters) and
 * the routes answer from it.
 */

const MIN = 60_000;
const DAY = 86_400_000;
const T0 = Date.parse('2026-03-01T00:00:00Z');

jest.setTimeout(60_000);

// PostgreSQL 15 as well, started for this file when the test run did not start one
const testDatabases = createTestDatabases(['POSTGRES_15', 'SQLITE_3']);
const { databases } = testDatabases;
describePostgres15Coverage(testDatabases, 'objectives tests');

describe.each(databases.eachSupportedId())(
  'availability objectives of the health stage on %s',
  (databaseId: TestDatabaseId) => {
    let knex: Knex;
    let clock: number;
    let index: FleetIndex;
    let health: HealthService;
    let app: express.Express;
    let decision: () => any;
    let sent: Array<{ recipients: any; payload: any }>;
    let notifier: FastBurnNotifier;

    const cluster = (name: string, overrides: Partial<StoredClusterSummary>) =>
      makeSummary({
        name,
        createdAt: new Date(T0 - 40 * DAY).toISOString(),
        conditions: [
          {
            type: 'Available',
            status: 'True',
            lastTransitionTime: new Date(T0 - 40 * DAY).toISOString(),
          },
        ],
        ...overrides,
      });
    const payments = (h: StoredClusterSummary['health']) =>
      cluster('payments', {
        lifecycle: 'production',
        profile: 'eks-standard',
        health: h,
      });

    async function settle() {
      await health.historyWritten();
      await health.refreshObjectives();
      notifier.flush();
    }

    beforeEach(async () => {
      clock = T0;
      knex = await databases.init(databaseId);
      await HealthStore.migrate(knex);
      index = new FleetIndex({ now: () => new Date(clock) });
      health = new HealthService({
        config: { ...DEFAULT_HEALTH_CONFIG, enabled: false },
        logger: mockServices.logger.mock(),
        index,
        store: new HealthStore(knex),
        connectionOf: () => undefined,
        objectives: DEFAULT_OBJECTIVES_CONFIG,
        now: () => clock,
      });
      sent = [];
      notifier = new FastBurnNotifier({
        objectives: health.objectives,
        notifications: {
          send: async (options: { recipients: any; payload: any }) => {
            sent.push(options);
          },
        },
        logger: mockServices.logger.mock(),
        summaryOf: key => index.getStored(key),
        now: () => clock,
      });
      notifier.start();
      await health.start();
      health.aggregator.upsert(payments('healthy'));
      health.aggregator.upsert(
        cluster('sandbox', {
          lifecycle: 'development',
          owner: 'group:default/team-b',
        }),
      );
      health.aggregator.upsert(
        cluster('legacy', {
          owner: 'group:default/team-b',
          availabilityObjective: '99.5/14d',
        }),
      );
      await settle();
      decision = () => ({ result: AuthorizeResult.ALLOW });
      app = routerApp(
        createObjectivesRouter({
          objectives: health.objectives,
          index,
          httpAuth: userHttpAuth(),
          permissions: {
            authorizeConditional: async () => [decision()],
          } as any,
          ruleset: {
            getRuleByName: () => clusterPermissionRules.isClusterOwner,
          } as any,
        }),
      );
    });

    afterEach(async () => {
      notifier?.stop();
      await health?.stop();
    });

    const budgetFacet = () =>
      Object.fromEntries(
        (index.query({}).facets?.budget ?? []).map(f => [f.value, f.count]),
      );

    it('burns the budget of a cluster in an outage, shows it in the budget facet, and recovers', async () => {
      expect(budgetFacet()).toEqual({ ok: 3 });

      // 10 minutes unhealthy: 1 h burns at 166×, the last 5 min at 1000× (page: 14.4× over both)
      clock += DAY;
      health.aggregator.upsert(payments('unhealthy'));
      clock += 10 * MIN;
      await settle();
      expect(budgetFacet()).toEqual({ ok: 2, burning: 1 });
      expect(
        index.query({ budget: ['burning'] }).items.map(s => s.name),
      ).toEqual(['payments']);

      const one = await request(app).get(
        '/clusters/mc-a/default/payments/objective',
      );
      expect(one.status).toBe(200);
      const body = one.body as ClusterObjectiveResponse;
      expect(body.rules).toEqual({
        badStates: ['unhealthy', 'unknown'],
        excludeMaintenance: true,
      });
      const o = body.objective!;
      expect(o.objective).toEqual({
        name: 'production',
        target: 99.9,
        windowDays: 30,
      });
      expect(o.state).toBe('burning');
      expect(o.fastBurn).toBe(true);
      expect(o.minutes).toEqual({
        good: 43_190,
        bad: 10,
        excluded: 0,
        noData: 0,
      });
      // budget 43.2 min, 33.2 left
      expect(o.budget.totalMinutes).toBeCloseTo(43.2, 6);
      expect(o.budget.remainingMinutes).toBeCloseTo(33.2, 6);
      expect(o.burnRates.oneHour).toBeCloseTo(166.666_667, 5);
      expect(o.alerts.find(a => a.name === 'fast-1h')!.firing).toBe(true);
      expect(o.days).toHaveLength(30);
      expect(o.days[29].badMinutes).toBe(10);

      // the owning team heard of the fast burn once, however often it is computed
      clock += MIN;
      await settle();
      await request(app).get('/clusters/mc-a/default/payments/objective');
      expect(sent).toHaveLength(1);
      expect(sent[0].recipients).toEqual({
        type: 'entity',
        entityRef: 'group:default/team-a',
      });
      expect(sent[0].payload).toMatchObject({
        severity: 'high',
        topic: 'shipyard.objectives',
        scope: 'shipyard:fast-burn:mc-a/default/payments',
        link: '/shipyard/clusters/mc-a/default/payments',
      });
      expect(sent[0].payload.title).toBe(
        'Cluster payments is burning its error budget fast',
      );
      expect(sent[0].payload.description).toBe(
        'Availability 99.977 % against an objective of 99.9 % over 30 days; 76.852 % of the budget left. ' +
          'Burn rate 166.7× over 1 h (threshold 14.4×); 27.8× over 6 h (threshold 6×).',
      );

      // healthy again; 7 h later every short lookback is clean
      health.aggregator.upsert(payments('healthy'));
      clock += 7 * 60 * MIN;
      await settle();
      expect(budgetFacet()).toEqual({ ok: 3 });
      const after = (
        await request(app).get('/clusters/mc-a/default/payments/objective')
      ).body as ClusterObjectiveResponse;
      expect(after.objective!.fastBurn).toBe(false);
      expect(after.objective!.minutes.bad).toBe(11);
      expect(sent).toHaveLength(1);

      // a new outage is a new burn: one more notification
      health.aggregator.upsert(payments('unhealthy'));
      clock += 10 * MIN;
      await settle();
      expect(sent).toHaveLength(2);
    });

    it('pages no one on a cold start: a cluster first seen in a bad state burns only once its history covers the lookback', async () => {
      // a portal started on an empty history: 30 production clusters of team-c first seen unknown (bad by default)
      const fresh = Array.from({ length: 30 }, (_, i) =>
        cluster(`fresh-${String(i).padStart(2, '0')}`, {
          lifecycle: 'production',
          owner: 'group:default/team-c',
          health: 'unknown',
          conditions: [],
        }),
      );
      clock += DAY;
      for (const c of fresh) health.aggregator.upsert(c);
      clock += 10_000;
      await settle();
      // 10 s of unknown after the provisioning since creation: 1 000× over every lookback, none of them covered
      const first = (
        await request(app).get('/clusters/mc-a/default/fresh-00/objective')
      ).body as ClusterObjectiveResponse;
      const fast1h = first.objective!.alerts.find(a => a.name === 'fast-1h')!;
      expect(fast1h.longBurnRate).toBeCloseTo(1000, 6);
      expect(fast1h.shortBurnRate).toBeCloseTo(1000, 6);
      expect(fast1h.covered).toBe(false);
      expect(fast1h.firing).toBe(false);
      expect(first.objective!.fastBurn).toBe(false);
      expect(sent).toEqual([]);

      // unknown for an hour: the 1 h lookback is covered and the burn is real; team-c hears of it once, in one
      // notification that counts the clusters and names the worst
      clock += 60 * MIN;
      await settle();
      const later = (
        await request(app).get('/clusters/mc-a/default/fresh-00/objective')
      ).body as ClusterObjectiveResponse;
      expect(later.objective!.alerts.find(a => a.name === 'fast-1h')).toEqual(
        expect.objectContaining({ covered: true, firing: true }),
      );
      expect(sent).toHaveLength(1);
      expect(sent[0].recipients).toEqual({
        type: 'entity',
        entityRef: 'group:default/team-c',
      });
      expect(sent[0].payload).toMatchObject({
        title: '30 clusters are burning their error budget fast',
        severity: 'high',
        topic: 'shipyard.objectives',
        scope: 'shipyard:fast-burn:group:default/team-c:production:99.9/30d',
        link: '/shipyard?owner=group%3Adefault%2Fteam-c&budget=burning',
      });
      expect(sent[0].payload.description).toBe(
        '30 clusters with production objective (99.9 % over 30 days) burn their error budget fast: 30 on mc-a. ' +
          'Worst: fresh-00 on mc-a, 1000× over 1 h (threshold 14.4×); fresh-01 on mc-a, 1000× over 1 h (threshold 14.4×); ' +
          'fresh-02 on mc-a, 1000× over 1 h (threshold 14.4×); fresh-03 on mc-a, 1000× over 1 h (threshold 14.4×); ' +
          'fresh-04 on mc-a, 1000× over 1 h (threshold 14.4×); and 25 more. ' +
          'Clusters that start burning within 15 min are notified after that.',
      );
    });

    it('sends one notification per team and objective when many clusters burn at once, and holds later starts for the interval', async () => {
      const team = (owner: string, prefix: string, n: number) =>
        Array.from({ length: n }, (_, i) =>
          cluster(`${prefix}-${String(i).padStart(2, '0')}`, {
            lifecycle: 'production',
            owner,
          }),
        );
      const a = team('group:default/team-a', 'a', 15);
      const b = team('group:default/team-b', 'b', 2);
      for (const c of [...a.slice(0, 12), ...b]) health.aggregator.upsert(c);
      clock += DAY;
      await settle();
      // 12 clusters of team-a and 2 of team-b go down together (their management cluster, say)
      for (const c of [...a.slice(0, 12), ...b]) {
        health.aggregator.upsert({ ...c, health: 'unhealthy' });
      }
      clock += 10 * MIN;
      await settle();
      const byRecipient = () =>
        sent.map(n => `${n.recipients.entityRef} ${n.payload.title}`).sort();
      // team-a: one summary of its 12; team-b: its two clusters one by one
      expect(byRecipient()).toEqual([
        'group:default/team-a 12 clusters are burning their error budget fast',
        'group:default/team-b Cluster b-00 is burning its error budget fast',
        'group:default/team-b Cluster b-01 is burning its error budget fast',
      ]);

      // three more clusters of team-a start burning 5 minutes later: held until the interval has passed
      for (const c of a.slice(12)) health.aggregator.upsert(c);
      await settle();
      for (const c of a.slice(12)) {
        health.aggregator.upsert({ ...c, health: 'unhealthy' });
      }
      clock += 5 * MIN;
      await settle();
      expect(sent).toHaveLength(3);
      clock += 5 * MIN;
      await settle();
      expect(sent).toHaveLength(3);
      // 15 minutes after team-a's summary: one more, of every cluster of team-a burning now, in its place (same scope)
      clock += 5 * MIN;
      await settle();
      expect(sent).toHaveLength(4);
      expect(sent[3].recipients.entityRef).toBe('group:default/team-a');
      expect(sent[3].payload.title).toBe(
        '15 clusters are burning their error budget fast',
      );
      expect(sent[3].payload.scope).toBe(
        sent.find(
          n =>
            n.recipients.entityRef === 'group:default/team-a' && n !== sent[3],
        )!.payload.scope,
      );
    });

    it('caps what one flush sends over the fleet: the rest follows', async () => {
      const teams = Array.from({ length: 25 }, (_, i) =>
        cluster(`t-${String(i).padStart(2, '0')}`, {
          lifecycle: 'production',
          owner: `group:default/team-${i}`,
        }),
      );
      for (const c of teams) health.aggregator.upsert(c);
      clock += DAY;
      await settle();
      for (const c of teams) {
        health.aggregator.upsert({ ...c, health: 'unhealthy' });
      }
      clock += 10 * MIN;
      await settle();
      expect(sent).toHaveLength(20);
      notifier.flush();
      expect(sent).toHaveLength(25);
      expect(new Set(sent.map(n => n.recipients.entityRef)).size).toBe(25);
    });

    it('leaves a paused stretch out of the budget', async () => {
      clock += DAY;
      health.aggregator.upsert({
        ...payments('unhealthy'),
        paused: { reason: 'maintenance' },
      });
      clock += 30 * MIN;
      health.aggregator.upsert(payments('healthy'));
      clock += 30 * MIN;
      await settle();
      const o = (
        await request(app).get('/clusters/mc-a/default/payments/objective')
      ).body.objective;
      expect(o.minutes.bad).toBe(0);
      expect(o.minutes.excluded).toBe(30);
      expect(o.state).toBe('ok');
    });

    it('rolls up per team and per profile by time, the least budget left first, within what the caller may read', async () => {
      clock += DAY;
      health.aggregator.upsert(payments('unhealthy'));
      clock += 60 * MIN;
      health.aggregator.upsert(payments('healthy'));
      clock += 7 * 60 * MIN;
      await settle();
      const all = (await request(app).get('/objectives'))
        .body as ObjectivesResponse;
      expect(all.clusters.map(c => [c.name, c.state])).toEqual([
        ['payments', 'exhausted'],
        ['legacy', 'ok'],
        ['sandbox', 'ok'],
      ]);
      expect(all.clusters[1].objective).toEqual({
        name: 'override',
        target: 99.5,
        windowDays: 14,
      });
      expect(all.withoutObjective).toBe(0);
      // team-a: payments alone, 60 bad of 43 200 counted minutes, budget 43.2 → −16.8
      const teamA = all.byOwner.find(o => o.owner === 'group:default/team-a')!;
      expect(teamA.badMinutes).toBe(60);
      expect(teamA.budget.remainingMinutes).toBeCloseTo(-16.8, 6);
      expect(all.byOwner[0].owner).toBe('group:default/team-a');
      // the whole fleet: sandbox 7 d at 99 % (100.8 min), legacy 14 d at 99.5 % (100.8 min), payments 43.2 min
      expect(all.total.budget.totalMinutes).toBeCloseTo(244.8, 6);
      expect(all.total.budget.remainingMinutes).toBeCloseTo(184.8, 6);
      expect(all.total.availability).toBeCloseTo(
        (100 * (43_200 + 10_080 + 20_160 - 60)) / (43_200 + 10_080 + 20_160),
        5,
      );
      expect(all.byProfile.map(p => p.profile)).toEqual([
        'eks-standard',
        'none',
      ]);

      const exhausted = (await request(app).get('/objectives?budget=exhausted'))
        .body as ObjectivesResponse;
      expect(exhausted.clusters.map(c => c.name)).toEqual(['payments']);

      decision = () => ownerDecision(['group:default/team-b']);
      const teamB = (await request(app).get('/objectives')).body;
      expect(teamB.clusters.map((c: { name: string }) => c.name)).toEqual([
        'legacy',
        'sandbox',
      ]);
      expect(teamB.total.clusters).toBe(2);
      expect(
        (await request(app).get('/clusters/mc-a/default/payments/objective'))
          .status,
      ).toBe(404);

      decision = () => ({ result: AuthorizeResult.DENY });
      expect((await request(app).get('/objectives')).status).toBe(403);
      expect((await request(app).get('/objectives?budget=gone')).status).toBe(
        400,
      );
    });
  },
);
