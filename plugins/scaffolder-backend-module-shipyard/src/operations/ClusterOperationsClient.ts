import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ResponseError,
} from '@backstage/errors';
import {
  ClusterKey,
  ClusterOperationResponse,
  SHIPYARD_PLUGIN_ID,
  ShipyardOpenApi,
} from '@shipyard/plugin-shipyard-common';

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

  async call(
    credentials: BackstageCredentials,
    key: ClusterKey,
    call: ClusterOperationCall,
  ): Promise<ClusterOperationResponse> {
    const { token } = await this.options.auth.getPluginRequestToken({
      onBehalfOf: credentials,
      targetPluginId: SHIPYARD_PLUGIN_ID,
    });
    const res = await call(this.api, key, token);
    if (res.ok) return (await res.json()) as ClusterOperationResponse;
    const error = await ResponseError.fromResponse(res as Response);
    const message = error.body?.error?.message ?? error.message;
    switch (res.status) {
      case 400:
        throw new InputError(message);
      case 403:
        throw new NotAllowedError(message);
      case 404:
        throw new NotFoundError(message);
      case 409:
        throw new ConflictError(message);
      default:
        throw error;
    }
  }
}
