import {
  coreServices,
  createBackendModule,
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { httpRouterServiceFactory } from '@backstage/backend-defaults/httpRouter';
import { actionsRegistryServiceFactory } from '@backstage/backend-defaults/alpha';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import notificationsPlugin from '@backstage/plugin-notifications-backend';
import {
  NotificationProcessor,
  NotificationSendOptions,
  notificationService,
  notificationsProcessingExtensionPoint,
} from '@backstage/plugin-notifications-node';
import { CaptureLogger, eventuallyWithin } from '@shipyard/test-utils';
import { StoredClusterSummary } from '../index/FleetIndex';
import { HealthStore } from '../stores/HealthStore';
import { makeSummary } from '../__testUtils__/summaries';
import { DEFAULT_OBJECTIVES_CONFIG } from './config';
import { FastBurnNotifier } from './FastBurnNotifier';
import { ObjectiveTracker } from './ObjectiveTracker';

/*
 * Fast-burn notifications through the real notifications backend, with Backstage's real auth: the sending plugin
 * asks the auth service for a token to the notifications plugin with its own service credentials, the notifications
 * backend verifies it against the sender's public keys (its JWKS endpoint), resolves the team to its members through
 * the catalog and stores a notification per user. A processor module records what the backend delivered.
 *
 * The objectives are the real tracker's, from health history written to the plugin's database.
 */

jest.setTimeout(60_000);

const eventually = eventuallyWithin({ timeoutMs: 30_000, intervalMs: 50 });

const MIN = 60_000;
const DAY = 86_400_000;

const group = (name: string, members: string[]) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [] },
  relations: members.map(m => ({
    type: 'hasMember',
    targetRef: `user:default/${m}`,
  })),
});
const user = (name: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'default' },
  spec: {},
});

/** A notification as the notifications backend stored it for one user. */
type Notification = Parameters<
  NonNullable<NotificationProcessor['postProcess']>
>[0];

describe('fast-burn notifications through the notifications backend', () => {
  it('reach the team with the plugin service credentials: one summary for a fleet-wide burn, one per cluster for a few', async () => {
    const delivered: Array<{ user: string; notification: Notification }> = [];
    const logger = new CaptureLogger();
    const summaries = new Map<string, StoredClusterSummary>();
    const now = Date.now();
    const clusters = [
      ...Array.from({ length: 40 }, (_, i) =>
        makeSummary({
          name: `a-${String(i).padStart(2, '0')}`,
          lifecycle: 'production',
          owner: 'group:default/team-a',
        }),
      ),
      ...['b-00', 'b-01'].map(name =>
        makeSummary({
          name,
          lifecycle: 'production',
          owner: 'group:default/team-b',
        }),
      ),
    ];
    for (const c of clusters) {
      summaries.set(`${c.managementCluster}/${c.namespace}/${c.name}`, c);
    }
    let tracker: ObjectiveTracker | undefined;
    let store: HealthStore | undefined;

    // the sending side: the objectives and the notifier, as the Shipyard plugin wires them
    const sender = createBackendPlugin({
      pluginId: 'shipyard',
      register(env) {
        env.registerInit({
          deps: {
            database: coreServices.database,
            lifecycle: coreServices.lifecycle,
            logger: coreServices.logger,
            notifications: notificationService,
          },
          async init({ database, lifecycle, logger: log, notifications }) {
            store = await HealthStore.create(database);
            tracker = new ObjectiveTracker({
              config: DEFAULT_OBJECTIVES_CONFIG,
              store,
              logger: log,
            });
            const notifier = new FastBurnNotifier({
              objectives: tracker,
              notifications,
              logger: log,
              summaryOf: key => summaries.get(key),
              batchMs: 100,
            });
            lifecycle.addStartupHook(() => notifier.start());
            lifecycle.addShutdownHook(() => notifier.stop());
          },
        });
      },
    });
    const recorder = createBackendModule({
      pluginId: 'notifications',
      moduleId: 'recorder',
      register(env) {
        env.registerInit({
          deps: { processing: notificationsProcessingExtensionPoint },
          async init({ processing }) {
            processing.addProcessor({
              getName: () => 'recorder',
              async postProcess(
                notification: Notification,
                _options: NotificationSendOptions,
              ) {
                delivered.push({ user: notification.user!, notification });
              },
            });
          },
        });
      },
    });

    const backend = await startTestBackend({
      features: [
        // Backstage's own auth: plugin tokens signed with the plugin's key, verified through its JWKS endpoint
        authServiceFactory,
        httpAuthServiceFactory,
        httpRouterServiceFactory,
        actionsRegistryServiceFactory,
        createServiceFactory({
          service: coreServices.rootLogger,
          deps: {},
          factory: () => logger,
        }),
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://localhost:3000' },
          },
        }),
        catalogServiceMock.factory({
          entities: [
            group('team-a', ['alice', 'bob']),
            group('team-b', ['carol']),
            user('alice'),
            user('bob'),
            user('carol'),
          ],
        }),
        notificationsPlugin,
        recorder,
        sender,
      ],
    });
    try {
      // healthy for 40 days, then every cluster down 10 minutes ago (their management cluster, say)
      await store!.appendTransitions(
        clusters.map(c => ({
          key: `${c.managementCluster}/${c.namespace}/${c.name}`,
          status: 'healthy' as const,
          reasons: [],
          at: new Date(now - 40 * DAY).toISOString(),
        })),
        { maxEntriesPerCluster: 1000 },
      );
      await store!.appendTransitions(
        clusters.map(c => ({
          key: `${c.managementCluster}/${c.namespace}/${c.name}`,
          status: 'unhealthy' as const,
          reasons: [],
          at: new Date(now - 10 * MIN).toISOString(),
        })),
        { maxEntriesPerCluster: 1000 },
      );
      await tracker!.refresh();
      for (const c of clusters)
        expect(tracker!.compute(c)?.fastBurn).toBe(true);

      await eventually(async () => {
        expect(
          delivered
            .map(d => `${d.user} ${d.notification.payload.title}`)
            .sort(),
        ).toEqual([
          'user:default/alice 40 clusters are burning their error budget fast',
          'user:default/bob 40 clusters are burning their error budget fast',
          'user:default/carol Cluster b-00 is burning its error budget fast',
          'user:default/carol Cluster b-01 is burning its error budget fast',
        ]);
      });
      const [alice] = delivered.filter(d => d.user === 'user:default/alice');
      // the sender is the plugin itself, as the notifications backend verified it
      expect(alice.notification.origin).toBe('plugin:shipyard');
      expect(alice.notification.payload).toMatchObject({
        severity: 'high',
        topic: 'shipyard.objectives',
        link: '/shipyard?owner=group%3Adefault%2Fteam-a&budget=burning',
      });
      await eventually(async () => {
        expect(
          logger.lines.filter(l => l.includes('Shipyard: notified')),
        ).toHaveLength(3);
      });
      // nothing refused: no failed send, no token the notifications backend could not verify
      expect(
        logger.lines.filter(l =>
          /failed|Failed plugin token|JWKS/.test(l.split(' {')[0]),
        ),
      ).toEqual([]);
    } finally {
      await backend.stop();
    }
  });
});
