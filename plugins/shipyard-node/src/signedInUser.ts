import {
  BackstageCredentials,
  BackstageUserInfo,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';

/**
 * The entity ref of the signed-in user behind a request (their own credentials, or a service's on behalf of them);
 * undefined when no user is behind it (a service acting by itself).
 */
export function signedInUserRef(
  credentials: BackstageCredentials,
): string | undefined {
  const principal = credentials.principal as {
    type?: string;
    userEntityRef?: string;
  };
  return principal?.type === 'user' && principal.userEntityRef
    ? principal.userEntityRef
    : undefined;
}

/**
 * The signed-in user behind a request (their own credentials, or a service's on behalf of them) with their ownership
 * refs; a `NotAllowedError` with `refusal` when no user is behind it (a service acting by itself). Changes of
 * clusters are made by users only.
 */
export async function signedInUser(
  credentials: BackstageCredentials,
  userInfo: UserInfoService,
  refusal: string,
): Promise<BackstageUserInfo> {
  if (!signedInUserRef(credentials)) throw new NotAllowedError(refusal);
  return userInfo.getUserInfo(credentials);
}
