import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import {
  RolloutsApiClient,
  ShipyardOpenApi,
} from '@shipyard/plugin-shipyard-common';
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
  private readonly rollouts: RolloutsApiClient;

  constructor(options: { discovery: DiscoveryService; auth: AuthService }) {
    this.access = new ShipyardApiAccess(options);
    this.rollouts = new RolloutsApiClient({
      api: this.access.api,
      read: answerOf,
    });
  }

  /** The request options of a call on behalf of `credentials`. */
  private async as(credentials: BackstageCredentials) {
    return { token: await this.access.token(credentials) };
  }

  async plan(
    credentials: BackstageCredentials,
    spec: RolloutRequest,
  ): Promise<RolloutPlanAnswer> {
    return this.rollouts.plan(spec, await this.as(credentials));
  }

  async create(
    credentials: BackstageCredentials,
    spec: RolloutRequest,
  ): Promise<RolloutAnswer> {
    return this.rollouts.create(spec, await this.as(credentials));
  }
}
