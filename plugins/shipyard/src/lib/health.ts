import {
  HEALTH_STATUSES,
  HealthStatus,
} from '@shipyard/plugin-shipyard-common';

/** Display order of health statuses (worst first). */
export const HEALTH_ORDER: readonly HealthStatus[] = [
  'unhealthy',
  'degraded',
  'unknown',
  'progressing',
  'provisioning',
  'deleting',
  'healthy',
];

/** Colours of health statuses in charts (colour-blind friendly, also readable on dark themes). */
export const HEALTH_COLORS: Record<HealthStatus, string> = {
  healthy: '#2e7d32',
  progressing: '#0288d1',
  degraded: '#ed6c02',
  unhealthy: '#d32f2f',
  unknown: '#757575',
  provisioning: '#1976d2',
  deleting: '#6a1b9a',
};

/** Human label of a health status. */
export function healthLabel(health: string): string {
  return health.length > 0 ? health[0].toUpperCase() + health.slice(1) : health;
}

export function isHealthStatus(value: string): value is HealthStatus {
  return (HEALTH_STATUSES as readonly string[]).includes(value);
}
