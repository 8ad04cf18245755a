import { createServiceFactory } from '@backstage/backend-plugin-api';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import {
  NotificationSendOptions,
  notificationService,
} from '@backstage/plugin-notifications-node';
import { FleetSim, startFleetSim } from '@shipyard/fleet-sim';
import {
  ClusterObjectiveResponse,
  ClusterSummary,
} from '@shipyard/plugin-shipyard-common';
import {
  CaptureLogger,
  eventuallyWithin,
  startSimulatedFleet,
} from '@shipyard/test-utils';
import request from 'supertest';
import { shipyardPlugin } from '../plugin';

jest.setTimeout(400_000);

const eventually = eventuallyWithin({ timeoutMs: 60_000, intervalMs: 100 });

/*
 * An outage on a simulated workload cluster burns its error budget: the budget facet and the objective show it, the
 * owning team gets one notification when the fast burn starts (not one per health round), and the cluster recovers
 * to an ok budget when the outage ends. The objective is set low (80 % over a day) so that a burn starts and ends
 * within seconds: the fast-burn threshold is then 1×, a bad fraction above a fifth of the last 5 minutes and hour,
 * which hold the whole history of the cluster here (it is counted from the simulator's start).
 */
describe('availability objectives against the fleet simulator', () => {
  let sim: FleetSim;

  beforeAll(async () => {
    sim = await startFleetSim({
      managementClusters: 1,
      clusters: 6,
      seed: 'objectives-tests',
      anomalies: false,
      timing: { stepMs: 20 },
    });
  });

  afterAll(async () => {
    await sim?.stop();
  });

  it('burns the budget in an outage, notifies the owner once, and recovers', async () => {
    const sent: NotificationSendOptions[] = [];
    const logger = new CaptureLogger();
    const backend = await startSimulatedFleet({
      plugin: shipyardPlugin,
      sim,
      logs: logger.lines,
      waitConnected: false,
      config: {
        shipyard: {
          health: {
            enabled: true,
            intervalMs: 250,
            initialDelayMs: 0,
            timeoutMs: 3000,
            stallAfterMs: 200,
            slowThresholdMs: 2500,
            failureThreshold: 1,
            maxBackoffMs: 0,
            refreshIntervalMs: 150,
          },
          objectives: {
            classes: [],
            default: { target: 80, windowDays: 1 },
          },
        },
      },
      features: [
        schedulerServiceFactory,
        createServiceFactory({
          service: notificationService,
          deps: {},
          factory: () => ({
            async send(options: NotificationSendOptions) {
              sent.push(options);
            },
          }),
        }),
      ],
    });
    const get = (path: string) =>
      request(backend.server).get(`/api/shipyard${path}`);
    try {
      const [w] = sim.workloadClusters();
      const path = `/clusters/${w.management}/${w.namespace}/${w.name}`;
      const key = `${w.management}/${w.namespace}/${w.name}`;
      const objectiveOf = async () => {
        const res = await get(`${path}/objective`);
        expect(res.status).toBe(200);
        return (res.body as ClusterObjectiveResponse).objective!;
      };
      const forCluster = () =>
        sent.filter(s => s.payload.scope === `shipyard:fast-burn:${key}`);

      // healthy, probed, budget ok
      let owner = '';
      await eventually(async () => {
        const s = (await get(path)).body.summary as ClusterSummary;
        expect(s.health).toBe('healthy');
        expect(s.probe?.ok).toBe(true);
        expect(s.budget).toBe('ok');
        owner = s.owner;
      });
      expect((await objectiveOf()).objective).toEqual({
        name: 'default',
        target: 80,
        windowDays: 1,
      });

      // the outage: the API server refuses connections
      sim.faults.unreachable(
        { management: w.management, namespace: w.namespace, name: w.name },
        'refuse',
      );
      await eventually(async () => {
        const o = await objectiveOf();
        expect(o.fastBurn).toBe(true);
        expect(o.minutes.bad).toBeGreaterThan(0);
      }, 150_000);
      await eventually(async () => {
        const res = await get('/clusters?budget=exhausted&budget=burning');
        expect((res.body.items as ClusterSummary[]).map(s => s.name)).toContain(
          w.name,
        );
      });
      await eventually(async () => expect(forCluster()).toHaveLength(1));
      const [notification] = forCluster();
      expect(notification.recipients).toEqual({
        type: 'entity',
        entityRef: owner,
      });
      expect(notification.payload).toMatchObject({
        severity: 'high',
        topic: 'shipyard.objectives',
        link: `/shipyard${path}`,
      });
      expect(notification.payload.title).toContain(w.name);

      // many rounds later, still burning: still one notification
      const rounds = logger.lines.filter(l =>
        l.includes('Shipyard health round'),
      ).length;
      await eventually(async () =>
        expect(
          logger.lines.filter(l => l.includes('Shipyard health round')).length,
        ).toBeGreaterThan(rounds + 5),
      );
      expect((await objectiveOf()).fastBurn).toBe(true);
      expect(forCluster()).toHaveLength(1);

      // recovery: healthy again, the burn stops and the budget is ok once good time outweighs the outage
      sim.faults.clear();
      await eventually(async () => {
        const s = (await get(path)).body.summary as ClusterSummary;
        expect(s.health).toBe('healthy');
        const o = await objectiveOf();
        expect(o.fastBurn).toBe(false);
        expect(o.state).toBe('ok');
        expect(s.budget).toBe('ok');
      }, 120_000);
      expect(forCluster()).toHaveLength(1);
    } finally {
      await backend.stop();
    }
  });
});
