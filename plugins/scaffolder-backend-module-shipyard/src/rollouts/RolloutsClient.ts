import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, ResponseError } from '@backstage/errors';
import {
  SHIPYARD_PLUGIN_ID,
  ShipyardOpenApi,
} from '@shipyard/plugin-shipyard-common';

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
  private readonly api: ShipyardOpenApi.DefaultApiClient;

  constructor(
    private readonly options: {
      discovery: DiscoveryService;
      auth: AuthService;
    },
  ) {
    this.api = new ShipyardOpenApi.DefaultApiClient({
      discoveryApi: options.discovery,
    });
  }

  private async token(credentials: BackstageCredentials) {
    const { token } = await this.options.auth.getPluginRequestToken({
      onBehalfOf: credentials,
      targetPluginId: SHIPYARD_PLUGIN_ID,
    });
    return token;
  }

  private async answer<T>(res: {
    ok: boolean;
    status: number;
    json(): Promise<unknown>;
  }): Promise<T> {
    if (res.ok) return (await res.json()) as T;
    const error = await ResponseError.fromResponse(res as Response);
    const message = error.body?.error?.message ?? error.message;
    if (res.status === 400) throw new InputError(message);
    if (res.status === 403) throw new NotAllowedError(message);
    throw error;
  }

  async plan(
    credentials: BackstageCredentials,
    spec: RolloutRequest,
  ): Promise<RolloutPlanAnswer> {
    const token = await this.token(credentials);
    return this.answer(await this.api.planRollout({ body: spec }, { token }));
  }

  async create(
    credentials: BackstageCredentials,
    spec: RolloutRequest,
  ): Promise<RolloutAnswer> {
    const token = await this.token(credentials);
    return this.answer(await this.api.createRollout({ body: spec }, { token }));
  }
}
