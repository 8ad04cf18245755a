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
