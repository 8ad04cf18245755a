/*
 * How rollouts speak to Kubernetes, through the one client of `-node`: the topology version bump on the management
 * cluster (server-side apply of `spec.topology.version`, with the live `classRef` the schema requires beside it, and
 * the profile-version label when the step moves the profile), and the deprecated APIs in use read from a workload
 * cluster's `/metrics` with the credentials the prober uses.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  LABEL_PROFILE_VERSION,
  capiApiVersion,
  capiResource,
  parseClusterKey,
  resourcePath,
} from '@shipyard/plugin-shipyard-common';
import type { ManagementClusterConnection } from '@shipyard/plugin-shipyard-node';
import { KubeClient, KubeObject } from '@shipyard/plugin-shipyard-node/kube';
import { CredentialSource } from '../probes/CredentialResolver';
import { DeprecatedApiUse, parseDeprecatedApis } from './deprecatedApis';
import { LiveTopology, TopologyWriter } from './RolloutExecutor';
import { RolloutStep } from './model';

/** The field manager of the rollouts' writes. */
export const ROLLOUT_FIELD_MANAGER = 'shipyard-rollouts';

function clusterPath(key: string): string {
  const { namespace, name } = parseClusterKey(key);
  return resourcePath(capiResource('Cluster'), { namespace, name });
}

/** Writes topology versions on the management clusters the backend is connected to. */
export class KubeTopologyWriter implements TopologyWriter {
  private readonly clients = new Map<string, KubeClient>();

  constructor(
    private readonly connectionOf: (
      name: string,
    ) => ManagementClusterConnection | undefined,
  ) {}

  private client(key: string): KubeClient {
    const { managementCluster } = parseClusterKey(key);
    let client = this.clients.get(managementCluster);
    if (!client) {
      const connection = this.connectionOf(managementCluster);
      if (!connection) {
        throw new Error(
          `management cluster ${managementCluster} is not connected`,
        );
      }
      client = new KubeClient(connection, {
        requestTimeoutMs: 15_000,
        maxSockets: 4,
      });
      this.clients.set(managementCluster, client);
    }
    return client;
  }

  private async live(key: string): Promise<KubeObject | undefined> {
    return this.client(key).get(clusterPath(key));
  }

  async read(key: string): Promise<LiveTopology | undefined> {
    const live = await this.live(key);
    if (!live) return undefined;
    const topology = (live.spec as any)?.topology;
    return {
      ...(typeof topology?.version === 'string'
        ? { version: topology.version }
        : {}),
      ...(live.metadata?.labels?.[LABEL_PROFILE_VERSION]
        ? { profileVersion: live.metadata.labels[LABEL_PROFILE_VERSION] }
        : {}),
    };
  }

  async bump(key: string, step: RolloutStep): Promise<void> {
    const live = await this.live(key);
    const classRef = (live?.spec as any)?.topology?.classRef;
    if (!live || !classRef) {
      throw new Error(
        live
          ? 'the cluster has no spec.topology.classRef; only topology clusters are upgraded by rollouts'
          : 'the Cluster object is gone',
      );
    }
    const { namespace, name } = parseClusterKey(key);
    await this.client(key).apply(
      clusterPath(key),
      {
        apiVersion: capiApiVersion(),
        kind: 'Cluster',
        metadata: {
          name,
          namespace,
          ...(step.profileVersion
            ? { labels: { [LABEL_PROFILE_VERSION]: step.profileVersion } }
            : {}),
        },
        spec: { topology: { classRef, version: step.kubernetesVersion } },
      },
      { fieldManager: ROLLOUT_FIELD_MANAGER, force: true },
    );
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}

/** Reads `apiserver_requested_deprecated_apis` from workload clusters, a few at a time, each within a timeout. */
export class DeprecatedApiReader {
  constructor(
    private readonly options: {
      credentials: CredentialSource;
      logger: LoggerService;
      apiServerUrl(key: string): string | undefined;
      timeoutMs?: number;
      concurrency?: number;
    },
  ) {}

  async read(
    keys: string[],
  ): Promise<Map<string, DeprecatedApiUse[] | string>> {
    const out = new Map<string, DeprecatedApiUse[] | string>();
    const targets = keys.map(key => ({ key, ...parseClusterKey(key) }));
    try {
      await this.options.credentials.refresh(targets);
    } catch (error) {
      for (const key of keys) out.set(key, `no credentials: ${error}`);
      return out;
    }
    const queue = [...targets];
    const worker = async () => {
      for (;;) {
        const target = queue.shift();
        if (!target) return;
        out.set(target.key, await this.readOne(target));
      }
    };
    await Promise.all(
      Array.from(
        { length: Math.min(this.options.concurrency ?? 16, queue.length) },
        worker,
      ),
    );
    return out;
  }

  private async readOne(target: {
    key: string;
    managementCluster: string;
    namespace: string;
    name: string;
  }): Promise<DeprecatedApiUse[] | string> {
    const lookup = await this.options.credentials.resolve(
      target,
      this.options.apiServerUrl(target.key),
    );
    if (!('credentials' in lookup)) return lookup.message;
    const client = new KubeClient(lookup.credentials, {
      requestTimeoutMs: this.options.timeoutMs ?? 5_000,
      maxSockets: 1,
    });
    try {
      const res = await client.request('/metrics', { accept: 'text/plain' });
      if (res.status !== 200) return `/metrics answered ${res.status}`;
      return parseDeprecatedApis(String(res.body));
    } catch (error) {
      return `/metrics could not be read: ${(error as Error).message}`;
    } finally {
      client.close();
    }
  }
}
