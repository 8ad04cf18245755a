import {
  discoveryApiRef,
  fetchApiRef,
  useApiHolder,
} from '@backstage/core-plugin-api';
import {
  ShipyardOpenApi,
  responseBody,
} from '@shipyard/plugin-shipyard-common';
import { useMemo } from 'react';

export type Rollout = ShipyardOpenApi.Rollout;
export type RolloutPlan = ShipyardOpenApi.RolloutPlan;
export type RolloutSpec = ShipyardOpenApi.RolloutSpec;
export type RolloutStage = ShipyardOpenApi.RolloutStage;
export type RolloutCluster = ShipyardOpenApi.RolloutCluster;

/** The rollout operations of the backend, through the client generated from its spec. */
export interface RolloutsClient {
  list(query?: {
    cluster?: string;
    state?: Rollout['state'];
  }): Promise<Rollout[]>;
  get(id: string): Promise<Rollout>;
  plan(spec: RolloutSpec): Promise<RolloutPlan>;
  create(spec: RolloutSpec): Promise<Rollout>;
  approve(id: string, stage?: string): Promise<Rollout>;
  operate(
    id: string,
    operation: 'pause' | 'resume' | 'abort',
    reason?: string,
  ): Promise<Rollout>;
}

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
    const api = new ShipyardOpenApi.DefaultApiClient({
      discoveryApi,
      fetchApi,
    });
    return {
      list: async query =>
        (await responseBody(await api.listRollouts({ query: query ?? {} })))
          .items,
      get: async id => responseBody(await api.getRollout({ path: { id } })),
      plan: async spec => responseBody(await api.planRollout({ body: spec })),
      create: async spec =>
        responseBody(await api.createRollout({ body: spec })),
      approve: async (id, stage) =>
        responseBody(
          await api.approveRollout({
            path: { id },
            body: stage ? { stage } : {},
          }),
        ),
      operate: async (id, operation, reason) =>
        responseBody(
          await api.operateRollout({
            path: { id, operation },
            body: reason ? { reason } : {},
          }),
        ),
    };
  }, [discoveryApi, fetchApi]);
}
