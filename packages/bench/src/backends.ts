import net from 'node:net';
import { createBackend } from '@backstage/backend-defaults';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  TestBackend,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import { shipyardManagementClusters } from '@shipyard/fleet-sim';
// the real Shipyard backend is what this benchmark measures
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import shipyardPlugin from '@shipyard/plugin-shipyard-backend';
import {
  CAPI_GROUP,
  CAPI_KINDS,
  CAPI_VERSION,
  LABEL_OWNER,
} from '@shipyard/plugin-shipyard-common';
import type { SimHandle } from './sim/types';

export const OWNER_LABEL = LABEL_OWNER;
export const DEFAULT_OWNER = 'group:default/platform';
export const HEALTH_ROUND_TASK = 'shipyard:health:round';

/** The Cluster API `Cluster` kind as a custom resource of the Kubernetes plugin. */
export const CAPI_CLUSTERS = {
  group: CAPI_GROUP,
  apiVersion: CAPI_VERSION,
  plural: CAPI_KINDS.Cluster,
};

export interface RunningBackend {
  baseUrl: string;
  port: number;
  stop(): Promise<void>;
}

function running(backend: TestBackend): RunningBackend {
  const port = backend.server.port();
  return {
    baseUrl: `http://localhost:${port}`,
    port,
    stop: () => backend.stop(),
  };
}

/** A free TCP port on 127.0.0.1 (closed again: the caller listens on it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The services the test backend mocks that the benchmarks keep mocked on a `createBackend()` backend too: tokens,
 * permissions, the database (in-memory SQLite) and in-process events; everything else is the default.
 */
const MOCKED_ON_PRODUCTION_ROOT = [
  mockServices.auth.factory(),
  mockServices.httpAuth.factory(),
  mockServices.userInfo.factory(),
  mockServices.permissions.factory(),
  mockServices.database.factory(),
  mockServices.events.factory(),
];

/** Shipyard's configuration of the simulated fleet: owners from the owner label only, as the fan-out selects. */
export function shipyardConfig(sim: SimHandle) {
  return {
    shipyard: {
      platformTeam: DEFAULT_OWNER,
      managementClusters: shipyardManagementClusters(sim.managementClusters),
      ownership: { ownerKeys: [OWNER_LABEL], defaultOwner: DEFAULT_OWNER },
    },
  };
}

/** The real Shipyard backend plugin on a test backend (mock auth, in-memory SQLite, a manually driven scheduler). */
export async function startShipyardBackend(
  sim: SimHandle,
  options: {
    features?: Parameters<typeof startTestBackend>[0]['features'];
    config?: object;
    /**
     * `'production'`: a `createBackend()` backend (its root HTTP router with helmet, CORS, compression and the
     * request log line, its HTTP router and discovery) on a free port, with auth, permissions, the database and
     * events mocked as on the test backend; default `'test'`: the test backend's bare root router.
     */
    root?: 'test' | 'production';
  } = {},
): Promise<
  RunningBackend & {
    triggerHealthRound(): Promise<void>;
    /** Runs a scheduled task of any plugin of the backend now (the scheduler runs nothing by itself). */
    triggerTask(id: string): Promise<void>;
  }
> {
  const scheduler = mockServices.scheduler();
  const features = [
    shipyardPlugin,
    createServiceFactory({
      service: coreServices.scheduler,
      deps: {},
      factory: () => scheduler,
    }),
    ...(options.features ?? []),
  ];
  const data = { ...shipyardConfig(sim), ...options.config };
  let started: RunningBackend;
  if (options.root === 'production') {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const backend = createBackend();
    for (const feature of [
      ...features,
      ...MOCKED_ON_PRODUCTION_ROOT,
      mockServices.rootConfig.factory({
        data: {
          ...data,
          backend: { baseUrl, listen: { host: '127.0.0.1', port } },
        },
      }),
    ]) {
      backend.add(feature);
    }
    await backend.start();
    started = { baseUrl, port, stop: () => backend.stop() };
  } else {
    started = running(
      await startTestBackend({
        features: [...features, mockServices.rootConfig.factory({ data })],
      }),
    );
  }
  return {
    ...started,
    triggerHealthRound: () => scheduler.triggerTask(HEALTH_ROUND_TASK),
    triggerTask: id => scheduler.triggerTask(id),
  };
}

/** Which simulated clusters the Kubernetes plugin is configured with. */
export type FanOutScope =
  /** every management cluster (with CAPI Clusters as custom resources) and every workload cluster */
  | 'fleet'
  /** the management clusters only (with CAPI Clusters as custom resources) */
  | 'management';

/** The team entity whose Kubernetes tab asks the question (its label selector selects the team's objects). */
export function teamEntity(team: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: {
      name: team,
      namespace: 'default',
      annotations: {
        'backstage.io/kubernetes-label-selector': `${OWNER_LABEL}=${team}`,
      },
    },
    spec: { type: 'team', children: [] },
  };
}

/** `kubernetes.*` for the simulated fleet: the config cluster locator, service-account tokens, the CA of each. */
export function kubernetesConfig(sim: SimHandle, scope: FanOutScope) {
  const management = sim.managementClusters.map(m => ({
    name: m.name,
    url: m.url,
    authProvider: 'serviceAccount',
    serviceAccountToken: m.token,
    caData: m.caData,
    customResources: [CAPI_CLUSTERS],
  }));
  const workloads =
    scope === 'fleet'
      ? sim.workloadClusters.map(w => ({
          name: `${w.management}/${w.namespace}/${w.name}`,
          url: w.url,
          authProvider: 'serviceAccount',
          serviceAccountToken: w.token,
          caData: w.caData,
        }))
      : [];
  return {
    kubernetes: {
      serviceLocatorMethod: { type: 'multiTenant' },
      clusterLocatorMethods: [
        { type: 'config', clusters: [...management, ...workloads] },
      ],
    },
  };
}

/** The real `@backstage/plugin-kubernetes-backend` on a test backend, with the team entities in a mock catalog. */
export async function startKubernetesBackend(
  sim: SimHandle,
  scope: FanOutScope,
  teams: string[],
): Promise<RunningBackend> {
  const backend = await startTestBackend({
    features: [
      kubernetesPlugin,
      catalogServiceMock.factory({ entities: teams.map(teamEntity) }),
      mockServices.rootConfig.factory({ data: kubernetesConfig(sim, scope) }),
    ],
  });
  return running(backend);
}
