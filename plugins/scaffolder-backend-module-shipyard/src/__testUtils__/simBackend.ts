import path from 'node:path';
import {
  BackendFeature,
  SchedulerService,
  coreServices,
} from '@backstage/backend-plugin-api';
import {
  TestBackend,
  mockCredentials,
  mockServices,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleTemplateKind from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { FleetSim } from '@shipyard/fleet-sim';
import catalogModuleShipyard from '@shipyard/plugin-catalog-backend-module-shipyard';
// the real Shipyard backend is the point of the end-to-end tests that use this harness
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import shipyardPlugin from '@shipyard/plugin-shipyard-backend';
import {
  Membership,
  eventually,
  fixedService,
  shipyardTestConfig,
  startShipyardBackend,
} from '@shipyard/test-utils';
import { scaffolderModuleShipyard } from '../module';

/** The repository's root (the demo catalog's files are named relative to it). */
export const REPO_ROOT = path.resolve(__dirname, '../../../..');

/** Fleet sync settings of the simulator suites: fast persistence, staleness and retries. */
export const SIM_SYNC_CONFIG = {
  persistIntervalMs: 50,
  staleAfterMs: 300,
  requestTimeoutMs: 2000,
  // the suites' simulators send a bookmark every second
  bookmarkIntervalMs: 1000,
  heartbeatMs: 500,
  backoff: { initialDelayMs: 20, maxDelayMs: 200 },
};

/** The simulated management cluster `name` (its URL, CA and token, for reading it directly). */
export function managementCluster(sim: FleetSim, name: string) {
  const found = sim.managementClusters.find(m => m.name === name);
  if (!found) throw new Error(`no management cluster ${name}`);
  return found;
}

/** Entity kinds the suites' catalog accepts from its file locations. */
const CATALOG_KINDS = [
  'Template',
  'ClusterProfile',
  'Group',
  'User',
  'Location',
  'Resource',
  'System',
  'Component',
];

/** Options of {@link startScaffolderSimBackend}. */
export interface ScaffolderSimBackendOptions {
  sim: FleetSim;
  membership: Membership;
  /** Catalog files: relative to the repository root, or absolute. */
  locations: string[];
  /** Catalog entities (`kind/namespace/name`) to wait for before the suite runs. */
  waitForEntities: string[];
  /** More of `shipyard`'s configuration (quotas…), merged over the suites' platform team, fleet and sync. */
  shipyard?: Record<string, unknown>;
  /** The scheduler (a suite that triggers tasks passes its own). */
  scheduler?: SchedulerService;
  /** More features (test actions…). */
  features?: BackendFeature[];
  /** How long to wait for the entities and the management clusters (default 30 s). */
  timeoutMs?: number;
}

/** A running backend and the calls the suites make to it. */
export interface ScaffolderSimBackend {
  backend: TestBackend;
  /** `http://localhost:<port>/api` */
  api(): string;
  /** Request headers of `user` (a mock user token). */
  as(user: string): Record<string, string>;
  /** GET of a path of `/api/shipyard` as `user`. */
  shipyard<T = any>(
    path: string,
    user: string,
  ): Promise<{ status: number; body: T }>;
  /** Starts a task of `templateRef` as `user` and waits until it completed or failed. */
  runTask(
    user: string,
    templateRef: string,
    values: Record<string, unknown>,
    timeoutMs: number,
  ): Promise<ScaffolderTaskResult>;
  /** Waits until the task `id` completed or failed. */
  waitForTask(
    user: string,
    id: string,
    timeoutMs: number,
  ): Promise<ScaffolderTaskResult>;
}

/** A finished scaffolder task: its status, the messages of its log and its output. */
export interface ScaffolderTaskResult {
  id: string;
  status: string;
  messages: string[];
  output: any;
}

/**
 * Starts the real catalog (with the scaffolder's template kind, this repository's catalog module and the given files),
 * the real scaffolder with this module, and the real Shipyard backend against the simulator; waits until the catalog
 * has the given entities and the backend is connected to every management cluster.
 */
export async function startScaffolderSimBackend(
  options: ScaffolderSimBackendOptions,
): Promise<ScaffolderSimBackend> {
  const { sim } = options;
  const { backend } = await startShipyardBackend({
    plugin: [
      catalogPlugin,
      catalogModuleTemplateKind,
      catalogModuleShipyard,
      scaffolderPlugin,
      scaffolderModuleShipyard,
      ...(options.features ?? []),
      shipyardPlugin,
    ],
    membership: options.membership,
    features: [
      fixedService(
        coreServices.scheduler,
        options.scheduler ?? mockServices.scheduler(),
      ),
    ],
    config: shipyardTestConfig(sim, {
      app: { baseUrl: 'http://portal.test' },
      catalog: {
        rules: [{ allow: CATALOG_KINDS }],
        locations: options.locations.map(file => ({
          type: 'file',
          target: path.resolve(REPO_ROOT, file),
        })),
        stitchingStrategy: {
          mode: 'deferred',
          pollingInterval: { milliseconds: 100 },
        },
      },
      shipyard: {
        platformTeam: 'group:default/platform-team',
        sync: SIM_SYNC_CONFIG,
        ...options.shipyard,
      },
    }),
  });
  const api = () => `http://localhost:${backend.server.port()}/api`;
  const as = (user: string) => ({
    Authorization: mockCredentials.user.header(user),
    'content-type': 'application/json',
  });
  const shipyard = async <T = any>(p: string, user: string) => {
    const res = await fetch(`${api()}/shipyard${p}`, { headers: as(user) });
    return { status: res.status, body: (await res.json()) as T };
  };
  const waitForTask = async (user: string, id: string, timeoutMs: number) => {
    const task = await eventually(
      async () => {
        const t = (await (
          await fetch(`${api()}/scaffolder/v2/tasks/${id}`, {
            headers: as(user),
          })
        ).json()) as { status: string };
        if (t.status !== 'completed' && t.status !== 'failed') {
          throw new Error(`task ${id} is still ${t.status}`);
        }
        return t;
      },
      { timeoutMs, intervalMs: 100 },
    );
    const events = (await (
      await fetch(`${api()}/scaffolder/v2/tasks/${id}/events`, {
        headers: as(user),
      })
    ).json()) as Array<{ type: string; body: any }>;
    const completion = [...events].reverse().find(e => e.type === 'completion');
    return {
      id,
      status: task.status,
      messages: events.map(e => String(e.body?.message ?? '')),
      output: completion?.body?.output,
    };
  };
  const runTask = async (
    user: string,
    templateRef: string,
    values: Record<string, unknown>,
    timeoutMs: number,
  ) => {
    const res = await fetch(`${api()}/scaffolder/v2/tasks`, {
      method: 'POST',
      headers: as(user),
      body: JSON.stringify({ templateRef, values }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    return waitForTask(user, id, timeoutMs);
  };
  try {
    await eventually(
      async () => {
        for (const ref of options.waitForEntities) {
          const res = await fetch(`${api()}/catalog/entities/by-name/${ref}`, {
            headers: as('user:default/pat'),
          });
          if (res.status !== 200) throw new Error(`${ref}: ${res.status}`);
        }
        const mcs = await shipyard<{ items: any[] }>(
          '/management-clusters',
          'user:default/pat',
        );
        if (!mcs.body.items.every(m => m.state === 'connected'))
          throw new Error('not connected');
      },
      { timeoutMs: options.timeoutMs ?? 30_000, intervalMs: 100 },
    );
  } catch (error) {
    await backend.stop();
    throw error;
  }
  return { backend, api, as, shipyard, runTask, waitForTask };
}
