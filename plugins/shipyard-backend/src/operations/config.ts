import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  DECOMMISSION_GUARDS,
  PendingDecommission,
} from '@shipyard/plugin-shipyard-common';

/** `shipyard.operations`: day-2 operations on one cluster. */
export interface OperationsConfig {
  /** How often expired pauses are looked for (ms). */
  pauseExpiryCheckMs: number;
  /** How often followed operations (resize, decommission) are checked against the fleet (ms). */
  trackIntervalMs: number;
  /** A resize not settled after this long is audited as stalled (ms). */
  scaleDeadlineMs: number;
  /** A decommission not confirmed after this long is audited as stalled (ms). */
  deleteDeadlineMs: number;
  /** A move to a newer profile version not rolled out after this long is audited as stalled (ms). */
  updateDeadlineMs: number;
  /** Most worker replicas of one pool of a cluster without profile sizes. */
  maxWorkerReplicas: number;
  /** Most machines a team may own across the fleet, per owner entity ref (and `default`); absent: no quota. */
  machineQuota?: { default?: number; teams: Record<string, number> };
  /** How the decommission of a `lifecycle: production` cluster is guarded. */
  productionDecommission: ProductionDecommissionGuard;
}

/**
 * The guard of a production decommission: `approval`, a second person of the platform team (not the one who asked)
 * approves it, and the request lapses after `approvalTimeoutMs`; `delay`, the deletion starts `delayMs` after the
 * request unless someone cancels it (a second person of the platform team may approve it sooner).
 */
export interface ProductionDecommissionGuard {
  guard: PendingDecommission['guard'];
  delayMs: number;
  approvalTimeoutMs: number;
}

function positive(config: Config, key: string, fallback: number): number {
  const value = config.getOptionalNumber(`shipyard.operations.${key}`);
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new InputError(
      `shipyard.operations.${key} must be a positive number, got ${value}`,
    );
  }
  return value;
}

/** Reads `shipyard.operations`; throws an `InputError` naming the offending key. */
export function readOperationsConfig(config: Config): OperationsConfig {
  return {
    pauseExpiryCheckMs: positive(config, 'pauseExpiryCheckMs', 30_000),
    trackIntervalMs: positive(config, 'trackIntervalMs', 5_000),
    scaleDeadlineMs: positive(config, 'scaleDeadlineMs', 20 * 60_000),
    deleteDeadlineMs: positive(config, 'deleteDeadlineMs', 60 * 60_000),
    updateDeadlineMs: positive(config, 'updateDeadlineMs', 60 * 60_000),
    maxWorkerReplicas: positive(config, 'maxWorkerReplicas', 100),
    machineQuota: readQuota(config),
    productionDecommission: readProductionDecommission(config),
  };
}

function readProductionDecommission(
  config: Config,
): ProductionDecommissionGuard {
  const key = 'shipyard.operations.productionDecommission';
  const guard = config.getOptionalString(`${key}.guard`) ?? 'approval';
  if (!DECOMMISSION_GUARDS.includes(guard as PendingDecommission['guard'])) {
    throw new InputError(
      `${key}.guard must be ${DECOMMISSION_GUARDS.join(' or ')}, got ${guard}`,
    );
  }
  return {
    guard: guard as PendingDecommission['guard'],
    delayMs: positive(config, 'productionDecommission.delayMs', 24 * 3_600_000),
    approvalTimeoutMs: positive(
      config,
      'productionDecommission.approvalTimeoutMs',
      7 * 24 * 3_600_000,
    ),
  };
}

function readQuota(config: Config): OperationsConfig['machineQuota'] {
  const quota = config.getOptionalConfig('shipyard.operations.machineQuota');
  if (!quota) return undefined;
  const teams: Record<string, number> = {};
  for (const entry of quota.getOptionalConfigArray('teams') ?? []) {
    const machines = entry.getNumber('machines');
    if (!Number.isInteger(machines) || machines < 0) {
      throw new InputError(
        `shipyard.operations.machineQuota.teams[].machines must be a whole number of machines, got ${machines}`,
      );
    }
    teams[entry.getString('owner').toLocaleLowerCase('en-US')] = machines;
  }
  const fallback = quota.getOptionalNumber('default');
  return { ...(fallback !== undefined ? { default: fallback } : {}), teams };
}
