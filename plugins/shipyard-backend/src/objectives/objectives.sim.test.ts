import { createServiceFactory } from '@backstage/backend-plugin-api';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import {
  NotificationSendOptions,
  notificationService,
} from '@backstage/plugin-notifications-node';
import type { FleetSim } from '@shipyard/fleet-sim';
import { simulatorForSuite } from '../__testUtils__/suiteSim';
import {
  ClusterObjectiveResponse,
  ClusterSummary,
} from '@shipyard/plugin-shipyard-common';
import {
  CaptureLogger,
  TEST_PROBE_CONFIG,
  eventuallyWithin,
  startSimulatedFleet,
} from '@shipyard/test-utils';
import request from 'supertest';
import { shipyardPlugin } from '../plugin';

/*
 * Availability objectives against the fleet simulator: the real backend probes the simulated workload clusters on a
 * real scheduler, records their health history in its database, computes their objectives from it and notifies the
 * owning team through the notifications service (a recorder here) when a fast burn starts. An outage is a fault of
 * the simulator. The objective's window is one day and its one page condition looks back 20 s and 4 s, so that an
 * outage of a few seconds burns fast and the condition ends seconds after the recovery.
 */

jest.setTimeout(120_000);

const eventually = eventuallyWithin({ timeoutMs: 20_000, intervalMs: 50 });

/** 2.5 % of a day's budget in 20 s: threshold 0.025 × 86 400 / 20 = 108× (an outage burns at 1 000× at 99.9 %). */
const FAST = {
  name: 'fast',
  severity: 'page',
  longWindow: 'PT20S',
  shortWindow: 'PT4S',
  budgetPercent: 2.5,
};

describe('availability objectives against the fleet simulator', () => {
  let sim: FleetSim;
  simulatorForSuite(
    { managementClusters: 1, clusters: 6, seed: 'objectives-tests' },
    s => (sim = s),
  );

  it('an outage of a cluster burns its budget, notifies its team once, and the burn ends when it recovers while the budget stays spent', async () => {
    const sent: NotificationSendOptions[] = [];
    const logger = new CaptureLogger();
    const backend = await startSimulatedFleet({
      plugin: shipyardPlugin,
      sim,
      logs: logger.lines,
      rootLogger: true,
      config: {
        shipyard: {
          health: { ...TEST_PROBE_CONFIG, slowThresholdMs: 2000 },
          objectives: {
            classes: [{ name: 'critical', target: 99.9, windowDays: 1 }],
            default: false,
            burnRateAlerts: [FAST],
          },
        },
      },
      features: [
        schedulerServiceFactory,
        createServiceFactory({
          service: notificationService,
          deps: {},
          factory: () => ({
            send: async (options: NotificationSendOptions) => {
              sent.push(options);
            },
          }),
        }),
      ],
    });
    const { server } = backend;
    const get = (path: string) => request(server).get(`/api/shipyard${path}`);
    try {
      const workloads = sim.workloadClusters();
      // every cluster probed and healthy
      const clusters = await eventually(async () => {
        const res = await get('/clusters?limit=500');
        expect(res.body.totalCount).toBe(workloads.length);
        const items = res.body.items as ClusterSummary[];
        for (const item of items) {
          expect({ name: item.name, probed: item.probe?.ok }).toEqual({
            name: item.name,
            probed: true,
          });
        }
        return items;
      }, 40_000);
      const target = clusters.find(
        c => c.owner && c.health === 'healthy' && c.budget === 'ok',
      );
      expect(target).toBeDefined();
      const { managementCluster, namespace, name, owner } = target!;
      const path = `/clusters/${managementCluster}/${namespace}/${name}`;
      const scope = `shipyard:fast-burn:${managementCluster}/${namespace}/${name}`;
      const notified = () => sent.filter(n => n.payload.scope === scope);
      const objective = async () => {
        const res = await get(`${path}/objective`);
        expect(res.status).toBe(200);
        return (res.body as ClusterObjectiveResponse).objective!;
      };
      const summary = async () =>
        (await get(path)).body.summary as ClusterSummary;

      // before: the class's objective, a page condition on its own lookbacks, nothing burning
      const before = await eventually(async () => {
        const o = await objective();
        expect(o.fastBurn).toBe(false);
        return o;
      });
      expect(before.objective).toEqual({
        name: 'critical',
        target: 99.9,
        windowDays: 1,
      });
      expect(before.alerts).toEqual([
        expect.objectContaining({
          name: 'fast',
          severity: 'page',
          longWindowMinutes: 20 / 60,
          shortWindowMinutes: 4 / 60,
          threshold: 108,
          firing: false,
        }),
      ]);
      expect(notified()).toEqual([]);

      // the outage: the workload API server refuses connections
      const ref = { management: managementCluster, namespace, name };
      const injected = Date.now();
      sim.faults.unreachable(ref, 'refuse');
      await eventually(async () => {
        expect((await summary()).health).toBe('unhealthy');
      });
      const downSeen = Date.now();

      // the budget burns: both lookbacks above the threshold, the page condition fires, the summary says so
      const burning = await eventually(async () => {
        const o = await objective();
        expect({ fastBurn: o.fastBurn, firing: o.alerts[0].firing }).toEqual({
          fastBurn: true,
          firing: true,
        });
        return o;
      });
      expect(burning.alerts[0].longBurnRate).toBeGreaterThan(108);
      expect(burning.alerts[0].shortBurnRate).toBeGreaterThan(108);
      expect(burning.minutes.bad).toBeGreaterThan(before.minutes.bad);
      expect(burning.budget.remainingMinutes).toBeLessThan(
        before.budget.remainingMinutes,
      );
      expect(['burning', 'exhausted']).toContain(burning.state);
      await eventually(async () => {
        expect(['burning', 'exhausted']).toContain((await summary()).budget);
      });

      // the owning team is notified, once, however long the burn lasts and however often it is computed
      await eventually(async () => {
        expect(notified()).toHaveLength(1);
      });
      const [notification] = notified();
      expect(notification.recipients).toEqual({
        type: 'entity',
        entityRef: owner,
      });
      expect(notification.payload).toMatchObject({
        severity: 'high',
        topic: 'shipyard.objectives',
        link: `/shipyard/clusters/${managementCluster}/${namespace}/${name}`,
      });
      expect(notification.payload.title).toMatch(
        /is burning its error budget fast$/,
      );
      expect(notification.payload.description).toMatch(
        /against an objective of 99\.9 % over 1 day;.*Burn rate [\d.]+× over 20 s \(threshold 108×\)/,
      );
      const until = Date.now() + 3_000;
      while (Date.now() < until) {
        expect((await objective()).fastBurn).toBe(true);
        await new Promise(resolve => setTimeout(resolve, 100));
      }
      expect(notified()).toHaveLength(1);

      // the recovery: reachable again, healthy; 4 s later the short lookback is clean and the condition ends
      const cleared = Date.now();
      sim.faults.clear();
      await eventually(async () => {
        expect((await summary()).health).toBe('healthy');
      });
      const upSeen = Date.now();
      const after = await eventually(async () => {
        const o = await objective();
        expect({ fastBurn: o.fastBurn, firing: o.alerts[0].firing }).toEqual({
          fastBurn: false,
          firing: false,
        });
        return o;
      });
      // the condition fires above its threshold on both lookbacks: it ends once the short one is at most 108 (the first
      // look after the recovery can find it exactly there)
      expect(after.alerts[0].shortBurnRate).toBeLessThanOrEqual(108);
      // the budget stays spent: at least the outage the test saw, at most the time from the fault to the recovery
      const badSeconds = (after.minutes.bad - before.minutes.bad) * 60;
      expect(badSeconds).toBeGreaterThanOrEqual((cleared - downSeen) / 1000);
      expect(badSeconds).toBeLessThanOrEqual((upSeen - injected) / 1000);
      expect(after.budget.remainingMinutes).toBeCloseTo(
        after.budget.totalMinutes - after.minutes.bad,
        4,
      );
      expect(after.budget.remainingMinutes).toBeLessThan(
        before.budget.remainingMinutes,
      );
      await eventually(async () => {
        expect((await summary()).budget).not.toBe('burning');
      });
      // the history shows the outage
      const history = (await get(`${path}/history?limit=50`)).body.items as {
        health: string;
      }[];
      expect(history[0].health).toBe('healthy');
      expect(history.some(h => h.health === 'unhealthy')).toBe(true);

      // no second notification for the burn that ended
      await new Promise(resolve => setTimeout(resolve, 1_000));
      expect(notified()).toHaveLength(1);
      const key = `${managementCluster}/${namespace}/${name}`;
      expect(
        logger.lines.filter(
          l => l.includes(key) && /fast burn|fast-burn/.test(l),
        ),
      ).toEqual([expect.stringContaining(`notified ${owner}`)]);
    } finally {
      sim.faults.clear();
      await backend.stop();
    }
  });
});
