import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ShipyardOpenApi } from '@shipyard/plugin-shipyard-common';
import { ShipyardApiAccess, answerOf } from '../service/shipyardApi';

/** A rollout request as the backend's spec describes it. */
export type RolloutRequest = ShipyardOpenApi.RolloutSpec;
/** A rollout as the backend answers it. */
export type RolloutAnswer = ShipyardOpenApi.Rollout;
/** A plan as the backend answers it. */
export type RolloutPlanAnswer = ShipyardOpenApi.RolloutPlan;

/**
 * Plans and starts fleet rollouts through the backend's generated client on behalf of the task's initiator: the
 * backend checks `shipyard.rollout.create` for every cluster of the plan and audits the start as theirs.
 */
export class RolloutsClient {
  private readonly access: ShipyardApiAccess;

  constructor(options: { discovery: DiscoveryService; auth: AuthService }) {
    this.access = new ShipyardApiAccess(options);
  }

  async plan(
    credentials: BackstageCredentials,
    spec: RolloutRequest,
  ): Promise<RolloutPlanAnswer> {
    const { api } = this.access;
    const token = await this.access.token(credentials);
    return answerOf(await api.planRollout({ body: spec }, { token }));
  }

  async create(
    credentials: BackstageCredentials,
    spec: RolloutRequest,
  ): Promise<RolloutAnswer> {
    const { api } = this.access;
    const token = await this.access.token(credentials);
    return answerOf(await api.createRollout({ body: spec }, { token }));
  }
}
