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
import type { GeneratedAnswer, GeneratedRequest } from '../../api';

export type Rollout = ShipyardOpenApi.Rollout;
export type RolloutPlan = ShipyardOpenApi.RolloutPlan;
export type RolloutSpec = ShipyardOpenApi.RolloutSpec;
export type RolloutStage = ShipyardOpenApi.RolloutStage;
export type RolloutCluster = ShipyardOpenApi.RolloutCluster;

/**
 * The rollout operations of the backend, through the client generated from its spec: each answers the body of the
 * generated operation's successful answer, and takes its parameters.
 */
export interface RolloutsClient {
  list(
    query?: GeneratedRequest<'listRollouts'>['query'],
  ): Promise<GeneratedAnswer<'listRollouts'>['items']>;
  get(
    id: GeneratedRequest<'getRollout'>['path']['id'],
  ): Promise<GeneratedAnswer<'getRollout'>>;
  plan(
    spec: GeneratedRequest<'planRollout'>['body'],
  ): Promise<GeneratedAnswer<'planRollout'>>;
  create(
    spec: GeneratedRequest<'createRollout'>['body'],
  ): Promise<GeneratedAnswer<'createRollout'>>;
  approve(
    id: GeneratedRequest<'approveRollout'>['path']['id'],
    stage?: GeneratedRequest<'approveRollout'>['body']['stage'],
  ): Promise<GeneratedAnswer<'approveRollout'>>;
  operate(
    id: GeneratedRequest<'operateRollout'>['path']['id'],
    operation: GeneratedRequest<'operateRollout'>['path']['operation'],
    reason?: GeneratedRequest<'operateRollout'>['body']['reason'],
  ): Promise<GeneratedAnswer<'operateRollout'>>;
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
