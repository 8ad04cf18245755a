import {
  BackstageCredentials,
  BackstageUserInfo,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';

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
  const principal = credentials.principal as {
    type?: string;
    userEntityRef?: string;
  };
  if (principal?.type !== 'user' || !principal.userEntityRef) {
    throw new NotAllowedError(refusal);
  }
  return userInfo.getUserInfo(credentials);
}
