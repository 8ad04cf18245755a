import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  LABEL_LIFECYCLE,
  LABEL_OWNER,
  LABEL_PROFILE,
  LABEL_PROFILE_VERSION,
  LABEL_SYSTEM,
} from '@shipyard/plugin-shipyard-common';
import {
  ManagementClusterConfig,
  readManagementClustersConfig,
} from '@shipyard/plugin-shipyard-node';

export type {
  ManagementClusterAuthConfig,
  ManagementClusterConfig,
} from '@shipyard/plugin-shipyard-node';

/** `shipyard.ownership`. */
export interface OwnershipConfig {
  ownerKeys: string[];
  systemKeys: string[];
  lifecycleKeys: string[];
  profileKeys: string[];
  profileVersionKeys: string[];
  namespaceOwners: Record<string, string>;
  defaultOwner: string;
}

/** `shipyard.sync`. */
export interface SyncConfig {
  pageSize: number;
  watchTimeoutSeconds: number;
  requestTimeoutMs: number;
  /** A response that sends nothing for this long fails (default min(10000, requestTimeoutMs)). */
  idleTimeoutMs?: number;
  /** Largest response body or watch event accepted from a management cluster (default 64 MiB). */
  maxResponseBytes?: number;
  staleAfterMs: number;
  /**
   * How often the management API sends a bookmark on a quiet watch (Kubernetes: about every minute). A watch that
   * sends no event or bookmark for twice this long is failing.
   */
  bookmarkIntervalMs: number;
  /**
   * A management cluster that has said nothing for this long (no event, bookmark or answer on any stream) is asked
   * for `/version`; no answer makes it failing since it was last heard.
   */
  heartbeatMs: number;
  backoff: { initialDelayMs: number; maxDelayMs: number };
  persistIntervalMs: number;
  /**
   * How many worker threads read, parse and project the pages of the reconcilers' lists (0: the backend's thread
   * reads them, as it reads the watches).
   */
  listWorkers: number;
  /**
   * Whether a worker thread reads, parses and projects the watch events (false: the backend's thread reads the
   * watches).
   */
  watchWorker: boolean;
  /**
   * How many kinds of one management cluster are listed at once (a cold sync's lists, and relists): a server that
   * cannot answer every kind's list within `requestTimeoutMs` answers a few at a time.
   */
  listConcurrency: number;
}

/** `shipyard.audit`. */
export interface AuditConfig {
  /** Records older than this many days are deleted. */
  retentionDays: number;
}

/** `shipyard.events`: limits of `GET /events`. */
export interface EventsConfig {
  maxStreams: number;
  maxStreamsPerUser: number;
  permissionRecheckMs: number;
}

/** The backend's configuration, parsed and defaulted. */
export interface ShipyardBackendConfig {
  platformTeam: string;
  managementClusters: ManagementClusterConfig[];
  ownership: OwnershipConfig;
  sync: SyncConfig;
  audit: AuditConfig;
  events: EventsConfig;
}

export const DEFAULT_SYNC_CONFIG: SyncConfig = {
  pageSize: 500,
  watchTimeoutSeconds: 300,
  requestTimeoutMs: 30_000,
  staleAfterMs: 30_000,
  bookmarkIntervalMs: 60_000,
  heartbeatMs: 10_000,
  backoff: { initialDelayMs: 500, maxDelayMs: 30_000 },
  persistIntervalMs: 1000,
  listWorkers: 0,
  watchWorker: true,
  listConcurrency: 4,
};

/** Reads `shipyard.*`. Throws an `InputError` naming the offending key. */
export function readShipyardConfig(config: Config): ShipyardBackendConfig {
  const platformTeam =
    config.getOptionalString('shipyard.platformTeam') ??
    'group:default/platform-team';

  const managementClusters = readManagementClustersConfig(config);

  const own = config.getOptionalConfig('shipyard.ownership');
  const namespaceOwners: Record<string, string> = {};
  const nsConfig = own?.getOptionalConfig('namespaceOwners');
  for (const key of nsConfig?.keys() ?? []) {
    namespaceOwners[key] = nsConfig!.getString(key);
  }
  const ownership: OwnershipConfig = {
    ownerKeys: own?.getOptionalStringArray('ownerKeys') ?? [LABEL_OWNER],
    systemKeys: own?.getOptionalStringArray('systemKeys') ?? [LABEL_SYSTEM],
    lifecycleKeys: own?.getOptionalStringArray('lifecycleKeys') ?? [
      LABEL_LIFECYCLE,
    ],
    profileKeys: own?.getOptionalStringArray('profileKeys') ?? [LABEL_PROFILE],
    profileVersionKeys: own?.getOptionalStringArray('profileVersionKeys') ?? [
      LABEL_PROFILE_VERSION,
    ],
    namespaceOwners,
    defaultOwner: own?.getOptionalString('defaultOwner') ?? platformTeam,
  };

  const sync = config.getOptionalConfig('shipyard.sync');
  const d = DEFAULT_SYNC_CONFIG;
  const syncConfig: SyncConfig = {
    pageSize: sync?.getOptionalNumber('pageSize') ?? d.pageSize,
    watchTimeoutSeconds:
      sync?.getOptionalNumber('watchTimeoutSeconds') ?? d.watchTimeoutSeconds,
    requestTimeoutMs:
      sync?.getOptionalNumber('requestTimeoutMs') ?? d.requestTimeoutMs,
    idleTimeoutMs: sync?.getOptionalNumber('idleTimeoutMs'),
    maxResponseBytes: sync?.getOptionalNumber('maxResponseBytes'),
    staleAfterMs: sync?.getOptionalNumber('staleAfterMs') ?? d.staleAfterMs,
    bookmarkIntervalMs:
      sync?.getOptionalNumber('bookmarkIntervalMs') ?? d.bookmarkIntervalMs,
    heartbeatMs: sync?.getOptionalNumber('heartbeatMs') ?? d.heartbeatMs,
    backoff: {
      initialDelayMs:
        sync?.getOptionalNumber('backoff.initialDelayMs') ??
        d.backoff.initialDelayMs,
      maxDelayMs:
        sync?.getOptionalNumber('backoff.maxDelayMs') ?? d.backoff.maxDelayMs,
    },
    persistIntervalMs:
      sync?.getOptionalNumber('persistIntervalMs') ?? d.persistIntervalMs,
    listWorkers: sync?.getOptionalNumber('listWorkers') ?? d.listWorkers,
    watchWorker: sync?.getOptionalBoolean('watchWorker') ?? d.watchWorker,
    listConcurrency:
      sync?.getOptionalNumber('listConcurrency') ?? d.listConcurrency,
  };
  for (const key of ['bookmarkIntervalMs', 'heartbeatMs'] as const) {
    if (!(syncConfig[key] >= 100)) {
      throw new InputError(
        `shipyard.sync.${key} must be a number of milliseconds, at least 100`,
      );
    }
  }
  if (syncConfig.pageSize < 1 || syncConfig.pageSize > 5000) {
    throw new InputError('shipyard.sync.pageSize must be between 1 and 5000');
  }
  // counts: whole numbers from `min` to 64
  const counts = [
    ['listWorkers', 0, 'threads'],
    ['listConcurrency', 1, 'lists'],
  ] as const;
  for (const [key, min, unit] of counts) {
    const value = syncConfig[key];
    if (!Number.isInteger(value) || value < min || value > 64) {
      throw new InputError(
        `shipyard.sync.${key} must be a whole number of ${unit} between ${min} and 64`,
      );
    }
  }
  const retentionDays =
    config.getOptionalNumber('shipyard.audit.retentionDays') ?? 365;
  if (!Number.isFinite(retentionDays) || retentionDays < 1) {
    throw new InputError(
      'shipyard.audit.retentionDays must be a number of days, at least 1',
    );
  }
  const ev = config.getOptionalConfig('shipyard.events');
  const events: EventsConfig = {
    maxStreams: ev?.getOptionalNumber('maxStreams') ?? 1000,
    maxStreamsPerUser: ev?.getOptionalNumber('maxStreamsPerUser') ?? 10,
    permissionRecheckMs: ev?.getOptionalNumber('permissionRecheckMs') ?? 30_000,
  };
  for (const [key, value] of Object.entries(events)) {
    if (!Number.isInteger(value) || value < 1) {
      throw new InputError(
        `shipyard.events.${key} must be a whole number, at least 1`,
      );
    }
  }
  return {
    platformTeam,
    managementClusters,
    ownership,
    sync: syncConfig,
    audit: { retentionDays },
    events,
  };
}
