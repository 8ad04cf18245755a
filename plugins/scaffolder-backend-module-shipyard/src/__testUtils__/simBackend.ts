import {
  BackstageCredentials,
  UserInfoService,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';

/** Group memberships by user entity ref. */
export type Membership = Record<string, string[]>;

/** A user-info service whose users own their own ref plus the groups `membership` gives them. */
export function membershipUserInfo(membership: Membership): UserInfoService {
  return {
    async getUserInfo(credentials: BackstageCredentials) {
      const ref = (credentials.principal as { userEntityRef: string })
        .userEntityRef;
      return {
        userEntityRef: ref,
        ownershipEntityRefs: [ref, ...(membership[ref] ?? [])],
      };
    },
  };
}

/** {@link membershipUserInfo} as the backend's `coreServices.userInfo`. */
export function membershipUserInfoFactory(membership: Membership) {
  return createServiceFactory({
    service: coreServices.userInfo,
    deps: {},
    factory: () => membershipUserInfo(membership),
  });
}

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
