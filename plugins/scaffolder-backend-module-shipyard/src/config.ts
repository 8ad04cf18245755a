import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';

/** The configuration of the scaffolder module, parsed and defaulted. */
export interface ShipyardRequestsConfig {
  platformTeam: string;
  quotas: {
    defaultMaxClusters?: number;
    /** Group entity ref (lowercase) → limit. */
    teams: Map<string, number>;
  };
  namespaceTemplate: string;
  portalBaseUrl?: string;
  fieldManager: string;
  requestTimeoutMs: number;
}

function groupRef(value: string, key: string): string {
  try {
    return stringifyEntityRef(
      parseEntityRef(value, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      }),
    ).toLocaleLowerCase('en-US');
  } catch {
    throw new InputError(`${key} must be a group entity ref, got "${value}"`);
  }
}

function limit(value: number, key: string): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new InputError(`${key} must be a whole number ≥ 0, got ${value}`);
  }
  return value;
}

/** Reads `shipyard.platformTeam`, `shipyard.quotas` and `shipyard.requests`. */
export function readShipyardRequestsConfig(
  config: Config,
): ShipyardRequestsConfig {
  const platformTeam = groupRef(
    config.getOptionalString('shipyard.platformTeam') ??
      'group:default/platform-team',
    'shipyard.platformTeam',
  );
  const quotas = config.getOptionalConfig('shipyard.quotas');
  const teams = new Map<string, number>();
  (quotas?.getOptionalConfigArray('teams') ?? []).forEach((entry, i) => {
    const at = `shipyard.quotas.teams[${i}]`;
    teams.set(
      groupRef(entry.getString('team'), `${at}.team`),
      limit(entry.getNumber('maxClusters'), `${at}.maxClusters`),
    );
  });
  const defaultMax = quotas?.getOptionalNumber('defaultMaxClusters');
  const requests = config.getOptionalConfig('shipyard.requests');
  const namespaceTemplate =
    requests?.getOptionalString('namespaceTemplate') ?? '{team}';
  const portalBaseUrl =
    requests?.getOptionalString('portalBaseUrl') ??
    config.getOptionalString('app.baseUrl');
  return {
    platformTeam,
    quotas: {
      defaultMaxClusters:
        defaultMax === undefined
          ? undefined
          : limit(defaultMax, 'shipyard.quotas.defaultMaxClusters'),
      teams,
    },
    namespaceTemplate,
    portalBaseUrl: portalBaseUrl?.replace(/\/+$/, ''),
    fieldManager: requests?.getOptionalString('fieldManager') ?? 'shipyard',
    requestTimeoutMs: requests?.getOptionalNumber('requestTimeoutMs') ?? 15_000,
  };
}

/** The quota of a team, or undefined when unlimited. */
export function quotaOf(
  config: ShipyardRequestsConfig,
  team: string,
): number | undefined {
  return (
    config.quotas.teams.get(team.toLocaleLowerCase('en-US')) ??
    config.quotas.defaultMaxClusters
  );
}
