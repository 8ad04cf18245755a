/** One simulated Cluster API management cluster: an API server with its own store, kube controllers and tokens. */
import crypto from 'node:crypto';
import { ApiServer } from '../api/apiserver';
import { ApiHttpHandler } from '../api/http';
import { ApiRequest, Caller } from '../api/request';
import { ResourceRegistry } from '../api/registry';
import { Endpoint } from './server';
import { KubeControllers } from '../api/kubeControllers';
import { ObjectStore } from '../store/store';
import { JsonObject } from '../util/json';

export interface ManagementClusterOptions {
  name: string;
  registry: ResourceRegistry;
  initialRv: number;
  historySize: number;
  bookmarkIntervalMs: number;
  /** Kubernetes version of the management cluster itself, e.g. `v1.34.2`. */
  kubernetesVersion: string;
  serverAddress: () => string;
  token: string;
  viewerToken: string;
}

function tokensEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb);
}

export function versionInfo(
  gitVersion: string,
  platform = 'linux/amd64',
): JsonObject {
  const m = /^v?(\d+)\.(\d+)/.exec(gitVersion);
  const plus = /-eks-|-gke\./.test(gitVersion) ? '+' : '';
  return {
    major: m ? m[1] : '1',
    minor: m ? `${m[2]}${plus}` : '0',
    gitVersion,
    gitCommit: crypto.createHash('sha1').update(gitVersion).digest('hex'),
    gitTreeState: 'clean',
    buildDate: '2026-06-17T18:03:11Z',
    goVersion: 'go1.24.4',
    compiler: 'gc',
    platform,
  };
}

/** One simulated Cluster API management cluster: an API server with its own store. */
export class ManagementCluster implements Endpoint {
  readonly id: string;
  readonly api: ApiServer;
  readonly http: ApiHttpHandler;
  readonly kube: KubeControllers;
  readonly token: string;
  readonly viewerToken: string;

  constructor(readonly options: ManagementClusterOptions) {
    this.id = options.name;
    this.token = options.token;
    this.viewerToken = options.viewerToken;
    const store = new ObjectStore(options.registry.types, {
      initialRv: options.initialRv,
      historySize: options.historySize,
    });
    this.api = new ApiServer(options.name, options.registry, store);
    this.api.installCustomResourceDefinitions();
    this.http = new ApiHttpHandler(this.api, {
      serverAddress: options.serverAddress,
      versionInfo: () => versionInfo(options.kubernetesVersion),
      bookmarkIntervalMs: options.bookmarkIntervalMs,
    });
    this.kube = new KubeControllers(this.api);
  }

  get name(): string {
    return this.options.name;
  }

  authenticate(token: string): Caller | undefined {
    if (tokensEqual(token, this.token))
      return { user: `fleet-sim:admin:${this.name}`, readOnly: false };
    if (tokensEqual(token, this.viewerToken))
      return { user: `fleet-sim:viewer:${this.name}`, readOnly: true };
    return undefined;
  }

  handle(r: ApiRequest): Promise<void> {
    return this.http.handle(r);
  }

  /**
   * Simulates an API server restart: the watch history is compacted past every resourceVersion
   * clients have seen, and every watch is closed (as a shutting-down API server ends them), so
   * resuming watchers get `410 Expired` and relist.
   */
  restart(): void {
    this.api.store.compact(true);
    this.http.endWatches();
  }

  stop(): void {
    this.http.dropWatches();
    this.kube.stop();
  }
}
