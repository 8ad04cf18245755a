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
