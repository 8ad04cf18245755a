import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

/** `shipyard.operations`: day-2 operations on one cluster. */
export interface OperationsConfig {
  /** How often expired pauses are looked for (ms). */
  pauseExpiryCheckMs: number;
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
  };
}
