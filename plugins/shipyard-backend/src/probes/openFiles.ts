import { readFileSync } from 'node:fs';

/**
 * The soft limit of open files of this process (Linux: `/proc/self/limits`), or undefined where it cannot be read or
 * is unlimited. Node offers no `getrlimit`, and no maintained package reads it without a native build, hence this
 * read of the one line.
 */
export function openFilesLimit(
  read: () => string = () => readFileSync('/proc/self/limits', 'utf8'),
): number | undefined {
  let text: string;
  try {
    text = read();
  } catch {
    return undefined;
  }
  const line = /^Max open files\s+(\S+)/m.exec(text);
  const soft = line ? Number(line[1]) : NaN;
  return Number.isInteger(soft) && soft > 0 ? soft : undefined;
}

/** The share of the open files limit that the probes' connections may hold open between probes. */
export const PROBE_CONNECTIONS_SHARE = 0.7;

/**
 * The default of `shipyard.health.maxConnections`: {@link PROBE_CONNECTIONS_SHARE} of the process's open files limit
 * (the rest for the connections of probes in flight, the databases, the API's clients and the management clusters'
 * watches); no limit where the process has none or it cannot be read.
 */
export function defaultMaxProbeConnections(limit: number | undefined): number {
  return limit === undefined
    ? Infinity
    : Math.max(1, Math.floor(limit * PROBE_CONNECTIONS_SHARE));
}
