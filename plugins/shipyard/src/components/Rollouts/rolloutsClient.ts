import {
  discoveryApiRef,
  fetchApiRef,
  useApiHolder,
} from '@backstage/core-plugin-api';
import {
  RolloutsApiClient,
  ShipyardOpenApi,
} from '@shipyard/plugin-shipyard-common';
import { useMemo } from 'react';

/** The rollout operations of the backend (`RolloutsApiClient` of -common, on the generated client). */
export type RolloutsClient = Pick<
  RolloutsApiClient,
  'list' | 'get' | 'plan' | 'create' | 'approve' | 'operate'
>;

/** What the rollout pages show, as the spec's models name it. */
export type Rollout = ShipyardOpenApi.Rollout;
export type RolloutPlan = ShipyardOpenApi.RolloutPlan;
export type RolloutSpec = ShipyardOpenApi.RolloutSpec;
export type RolloutStage = ShipyardOpenApi.RolloutStage;
export type RolloutCluster = ShipyardOpenApi.RolloutCluster;

/**
 * A {@link RolloutsClient} on the app's Discovery and Fetch APIs (an app without them gets a client whose calls
 * fail, so that a page showing a rollout step renders without it).
 */
export function useRolloutsClient(): RolloutsClient {
  const holder = useApiHolder();
  const optional = <T>(read: () => T | undefined): T | undefined => {
    try {
      return read();
    } catch {
      return undefined; // an app whose discovery is not configured
    }
  };
  const discoveryApi = optional(() => holder.get(discoveryApiRef));
  const fetchApi = optional(() => holder.get(fetchApiRef));
  return useMemo((): RolloutsClient => {
    if (!discoveryApi || !fetchApi) {
      const missing = async (): Promise<never> => {
        throw new Error('The app provides no Discovery or Fetch API');
      };
      return {
        list: missing,
        get: missing,
        plan: missing,
        create: missing,
        approve: missing,
        operate: missing,
      };
    }
    return new RolloutsApiClient({
      api: new ShipyardOpenApi.DefaultApiClient({ discoveryApi, fetchApi }),
    });
  }, [discoveryApi, fetchApi]);
}
