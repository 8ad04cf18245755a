import { HttpAuthService } from '@backstage/backend-plugin-api';
import { ConditionalPolicyDecision } from '@backstage/plugin-permission-common';
import { shipyardClusterReadPermission } from '@shipyard/plugin-shipyard-common';
import {
  createShipyardClusterConditionalDecision,
  shipyardClusterConditions,
} from '@shipyard/plugin-shipyard-node';

/**
 * The conditional decision of a team limited to its own clusters: those the `claims` own, as the portal's policy
 * decides it (the same for every cluster permission).
 */
export function ownerDecision(claims: string[]): ConditionalPolicyDecision {
  return createShipyardClusterConditionalDecision(
    shipyardClusterReadPermission,
    shipyardClusterConditions.isClusterOwner({ claims }),
  );
}

/** An HTTP auth service that takes every request for one user's (`user:default/a` by default). */
export function userHttpAuth(user = 'user:default/a'): HttpAuthService {
  return {
    credentials: async () => ({
      $$type: '@backstage/BackstageCredentials',
      principal: { type: 'user', userEntityRef: user },
    }),
  } as unknown as HttpAuthService;
}

/** A bearer token of `user` (unsigned: the tests' HTTP auth takes every request) that expires at `expSeconds`. */
export function bearerToken(
  expSeconds: number,
  user = 'user:default/a',
): string {
  const part = (o: object) =>
    Buffer.from(JSON.stringify(o)).toString('base64url');
  return `Bearer ${part({ alg: 'none' })}.${part({
    sub: user,
    exp: expSeconds,
  })}.sig`;
}
