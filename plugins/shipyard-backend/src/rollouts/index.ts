import {
  DatabaseService,
  LoggerService,
  PermissionsService,
  SchedulerService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { PermissionRuleset } from '@backstage/plugin-permission-node';
import { ClusterSummary } from '@shipyard/plugin-shipyard-common';
import {
  ClusterPermissionQuery,
  ManagementClusterConnection,
  WorkloadCredentialProvider,
} from '@shipyard/plugin-shipyard-node';
import { AuditStore } from '../stores/AuditStore';
import { FleetIndex } from '../index/FleetIndex';
import { ProfileVersions } from '../lifecycle/ProfileVersions';
import { VersionLifecycle } from '../lifecycle/VersionLifecycle';
import { CredentialResolver } from '../probes/CredentialResolver';
import { registerRolloutActions } from './actions';
import { DeprecatedApiReader, KubeTopologyWriter } from './kube';
import { RolloutExecutor, TopologyWriter } from './RolloutExecutor';
import { auditRollout } from './audit';
import { RolloutService } from './RolloutService';
import { RolloutStore } from './RolloutStore';

export { RolloutService } from './RolloutService';
export { createRolloutsRouter } from './rolloutsRouter';

/** Options of {@link setUpRollouts}. */
export interface RolloutsOptions {
  database: DatabaseService;
  scheduler: SchedulerService;
  logger: LoggerService;
  permissions: PermissionsService;
  userInfo: UserInfoService;
  ruleset: PermissionRuleset<ClusterSummary, ClusterPermissionQuery>;
  index: FleetIndex;
  auditStore: AuditStore;
  lifecycle: VersionLifecycle;
  profiles: ProfileVersions;
  connectionOf(name: string): ManagementClusterConnection | undefined;
  credentialProviders: WorkloadCredentialProvider[];
  actionsRegistry?: ActionsRegistryService;
  /** Seconds between executor rounds (default 2). */
  tickSeconds?: number;
  /** How long a cluster may stay unhealthy during its step before it fails (ms). */
  unhealthyGraceMs?: number;
  /** For tests: the clock, and the writer of version bumps. */
  now?: () => number;
  writer?: TopologyWriter;
}

/**
 * Fleet rollouts: their store (own migrations), the executor as a `global` scheduled task, the service behind the
 * routes and the registered actions.
 */
export async function setUpRollouts(options: RolloutsOptions): Promise<{
  service: RolloutService;
  executor: RolloutExecutor;
  close(): void;
}> {
  const logger = options.logger.child({ component: 'rollouts' });
  const store = await RolloutStore.create(options.database);
  const kubeWriter = options.writer
    ? undefined
    : new KubeTopologyWriter(options.connectionOf);
  const writer = options.writer ?? kubeWriter!;
  const reader = new DeprecatedApiReader({
    credentials: new CredentialResolver({
      logger,
      connectionOf: options.connectionOf,
      providers: options.credentialProviders,
      refreshMs: 60_000,
    }),
    logger,
    apiServerUrl: key => options.index.getStored(key)?.apiServerUrl,
  });
  const profiles = async () => (await options.profiles.get()).nodes;
  const calendar = () => options.lifecycle.calendar;
  const executor = new RolloutExecutor({
    store,
    cluster: key => options.index.getStored(key),
    writer,
    deprecatedApis: async key => (await reader.read([key])).get(key)!,
    profiles,
    calendar,
    audit: entry =>
      auditRollout(
        options.auditStore,
        entry,
        new Date(options.now?.() ?? Date.now()),
      ),
    logger,
    now: options.now,
    unhealthyGraceMs: options.unhealthyGraceMs,
  });
  const service = new RolloutService({
    store,
    executor,
    auditStore: options.auditStore,
    permissions: options.permissions,
    userInfo: options.userInfo,
    ruleset: options.ruleset,
    clusters: () => options.index.all(),
    cluster: key => options.index.getStored(key),
    profiles,
    calendar,
    deprecatedApis: keys => reader.read(keys),
    logger,
    now: options.now,
  });
  await options.scheduler.scheduleTask({
    id: 'shipyard:rollouts:execute',
    scope: 'global',
    frequency: { seconds: options.tickSeconds ?? 2 },
    timeout: { minutes: 5 },
    initialDelay: { seconds: 1 },
    fn: () => executor.tick(),
  });
  if (options.actionsRegistry) {
    registerRolloutActions(options.actionsRegistry, service);
  }
  return { service, executor, close: () => kubeWriter?.close() };
}
