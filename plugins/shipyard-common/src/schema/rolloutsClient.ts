import type {
  ApproveRollout,
  DefaultApiClient,
  GetRollout,
  ListRollouts,
  OperateRollout,
  RequestOptions,
  Rollout,
  RolloutPlan,
  RolloutSpec,
  TypedResponse,
} from './openapi';
import { responseBody } from './responseBody';

/** Reads an answer of the generated client: the body of a successful one, the error a failed one stands for. */
export type ShipyardAnswerReader = <T>(
  response: TypedResponse<T>,
) => Promise<T>;

/** Options of {@link RolloutsApiClient}. */
export interface RolloutsApiClientOptions {
  /** The generated client of `/api/shipyard`. */
  api: DefaultApiClient;
  /** How answers are read (default `responseBody`: a failed answer is a `ResponseError`). */
  read?: ShipyardAnswerReader;
}

/**
 * The rollout operations of `/api/shipyard` through the client generated from the backend's spec: each takes the
 * generated operation's parameters and answers the body of its successful answer. The frontend's rollout pages
 * (with the app's Fetch API) and the scaffolder module's rollout action (with a token per call, `options.token`)
 * both use it.
 */
export class RolloutsApiClient {
  private readonly api: DefaultApiClient;
  private readonly read: ShipyardAnswerReader;

  constructor(options: RolloutsApiClientOptions) {
    this.api = options.api;
    this.read = options.read ?? responseBody;
  }

  /** Rollouts, newest first (`GET /rollouts`). */
  async list(
    query?: ListRollouts['query'],
    options?: RequestOptions,
  ): Promise<Rollout[]> {
    const answer = await this.api.listRollouts({ query: query ?? {} }, options);
    return (await this.read(answer)).items;
  }

  /** One rollout with its stages and clusters (`GET /rollouts/:id`). */
  async get(
    id: GetRollout['path']['id'],
    options?: RequestOptions,
  ): Promise<Rollout> {
    return this.read(await this.api.getRollout({ path: { id } }, options));
  }

  /** The stages a rollout would take, and what it leaves out (`POST /rollouts/plan`). */
  async plan(
    spec: RolloutSpec,
    options?: RequestOptions,
  ): Promise<RolloutPlan> {
    return this.read(await this.api.planRollout({ body: spec }, options));
  }

  /** Plans and starts a rollout (`POST /rollouts`). */
  async create(spec: RolloutSpec, options?: RequestOptions): Promise<Rollout> {
    return this.read(await this.api.createRollout({ body: spec }, options));
  }

  /** Approves the gate waiting, or the named stage's ahead of time (`POST /rollouts/:id/approve`). */
  async approve(
    id: ApproveRollout['path']['id'],
    stage?: ApproveRollout['body']['stage'],
    options?: RequestOptions,
  ): Promise<Rollout> {
    const request = { path: { id }, body: stage ? { stage } : {} };
    return this.read(await this.api.approveRollout(request, options));
  }

  /** Pauses, resumes or aborts a rollout under way (`POST /rollouts/:id/:operation`). */
  async operate(
    id: OperateRollout['path']['id'],
    operation: OperateRollout['path']['operation'],
    reason?: OperateRollout['body']['reason'],
    options?: RequestOptions,
  ): Promise<Rollout> {
    const path = { id, operation };
    const request = { path, body: reason ? { reason } : {} };
    return this.read(await this.api.operateRollout(request, options));
  }
}
