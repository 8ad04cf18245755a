import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  ClusterKey,
  ClusterOperationResponse,
  ShipyardOpenApi,
} from '@shipyard/plugin-shipyard-common';
import {
  ShipyardApiAccess,
  ShipyardApiOptions,
  answerOf,
} from '../service/shipyardApi';

/** The day-2 operations of `/api/shipyard` that the scaffolder actions call. */
export type ClusterOperationCall = (
  api: ShipyardOpenApi.DefaultApiClient,
  path: ClusterKey,
  token: string,
) => Promise<ShipyardOpenApi.TypedResponse<ClusterOperationResponse | unknown>>;

/**
 * Calls the backend's day-2 operation endpoints (through the client generated from its spec) on behalf of the
 * task's initiator: the backend checks the user's permission on the cluster and audits every attempt as theirs.
 * A refusal comes back as the error of its kind (400 InputError, 403 NotAllowedError, 404 NotFoundError,
 * 409 ConflictError) with the backend's message.
 */
export class ClusterOperationsClient {
  private readonly access: ShipyardApiAccess;

  constructor(options: ShipyardApiOptions) {
    this.access = new ShipyardApiAccess(options);
  }

  async call(
    credentials: BackstageCredentials,
    key: ClusterKey,
    call: ClusterOperationCall,
  ): Promise<ClusterOperationResponse> {
    const token = await this.access.token(credentials);
    return answerOf(await call(this.access.api, key, token));
  }
}
