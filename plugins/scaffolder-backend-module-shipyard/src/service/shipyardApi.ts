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
  SHIPYARD_PLUGIN_ID,
  ShipyardOpenApi,
} from '@shipyard/plugin-shipyard-common';

/** What the module's callers of `/api/shipyard` are made of. */
export interface ShipyardApiOptions {
  discovery: DiscoveryService;
  auth: AuthService;
}

/**
 * The client generated from the backend's OpenAPI spec, and the token of a request: on behalf of a task's
 * initiator (the backend checks their permission and audits the attempt as theirs), or the scaffolder plugin's
 * own service token.
 */
export class ShipyardApiAccess {
  readonly api: ShipyardOpenApi.DefaultApiClient;

  constructor(private readonly options: ShipyardApiOptions) {
    this.api = new ShipyardOpenApi.DefaultApiClient({
      discoveryApi: options.discovery,
    });
  }

  /** A token for the backend, on behalf of `credentials` (the scaffolder's own by default). */
  async token(onBehalfOf?: BackstageCredentials): Promise<string> {
    const { auth } = this.options;
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: onBehalfOf ?? (await auth.getOwnServiceCredentials()),
      targetPluginId: SHIPYARD_PLUGIN_ID,
    });
    return token;
  }
}

/**
 * The body of a backend answer; a refusal as the error of its kind (400 InputError, 403 NotAllowedError,
 * 404 NotFoundError, 409 ConflictError) with the backend's message, any other failure as a `ResponseError`.
 */
export async function answerOf<T>(res: {
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}): Promise<T> {
  if (res.ok) return (await res.json()) as T;
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
