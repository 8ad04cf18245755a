/**
 * The Kubernetes REST protocol of one management cluster's API server: the shared router over the stored
 * resources of its ApiServer.
 */
import { ApiServer } from './apiserver';
import { ApiRouter, ExtraGroup } from './router';
import { ApiRequest } from './request';
import { StoredResources } from './storedResources';
import { JsonObject } from '../util/json';

export interface HandlerOptions {
  /** `host:port` shown in `/api`. */
  serverAddress: () => string;
  versionInfo: () => JsonObject;
  bookmarkIntervalMs: number;
  /** Extra API groups advertised in discovery without resources. */
  extraGroups?: ExtraGroup[];
}

/** Serves the Kubernetes REST protocol of one simulated management cluster. */
export class ApiHttpHandler {
  readonly resources: StoredResources;
  private readonly router: ApiRouter;

  constructor(readonly api: ApiServer, options: HandlerOptions) {
    this.resources = new StoredResources(api, options.bookmarkIntervalMs);
    this.router = new ApiRouter(
      api.registry,
      {
        serverAddress: options.serverAddress,
        version: options.versionInfo,
        extraGroups: () => options.extraGroups ?? [],
      },
      this.resources,
    );
  }

  get watches() {
    return this.resources.watches;
  }

  /** Drops every watch connection abruptly, as a crashed server or a broken network does. */
  dropWatches(): void {
    this.resources.dropWatches();
  }

  /** Ends every watch cleanly, as a shutting-down API server does. */
  endWatches(): void {
    this.resources.endWatches();
  }

  handle(r: ApiRequest): Promise<void> {
    return this.router.handle(r);
  }
}
