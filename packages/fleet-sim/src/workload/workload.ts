import crypto from 'node:crypto';
import {
  ResourceRegistry,
  ResourceType,
  builtinResourceTypes,
} from '../api/registry';
import { ApiRequest, Caller } from '../api/request';
import { ApiRouter } from '../api/router';
import {
  Distribution,
  Flavor,
  distributionGroups,
  gitVersion,
  kubeVersionOf,
} from '../capi/distributions';
import { LABELS, TYPE_IDS } from '../capi/kinds';
import { versionInfo } from '../server/managementCluster';
import type { ManagementCluster } from '../server/managementCluster';
import type { DeprecatedApiRequest, FaultRegistry } from '../faults/faults';
import { hash32 } from '../util/random';
import { Endpoint } from '../server/server';
import { JsonObject, asObject } from '../util/json';
import { nodes } from './nodes';
import { clusterVersions, namespaces, pods } from './pods';
import { applicationObjects, applicationResourceTypes } from './apps';
import { WorkloadResources } from './resources';

function workloadRegistry(distribution: Distribution): ResourceRegistry {
  const core = builtinResourceTypes().filter(
    t => t.group === '' && ['namespaces', 'nodes', 'pods'].includes(t.plural),
  );
  for (const t of core) t.verbs = ['get', 'list', 'watch'];
  core.push(...applicationResourceTypes());
  if (distribution === 'openshift') {
    core.push({
      id: 'config.openshift.io/clusterversions',
      group: 'config.openshift.io',
      kind: 'ClusterVersion',
      listKind: 'ClusterVersionList',
      plural: 'clusterversions',
      singular: 'clusterversion',
      namespaced: false,
      shortNames: [],
      categories: [],
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          columns: [
            {
              name: 'Version',
              type: 'string',
              jsonPath: '.status.history[?(@.state=="Completed")].version',
            },
            {
              name: 'Available',
              type: 'string',
              jsonPath: '.status.conditions[?(@.type=="Available")].status',
            },
            {
              name: 'Progressing',
              type: 'string',
              jsonPath: '.status.conditions[?(@.type=="Progressing")].status',
            },
            {
              name: 'Since',
              type: 'date',
              jsonPath:
                '.status.conditions[?(@.type=="Progressing")].lastTransitionTime',
            },
          ],
        },
      ],
      status: true,
      custom: true,
      verbs: ['get', 'list', 'watch'],
      returnDeletedObject: true,
    });
  }
  return new ResourceRegistry(core);
}

/** APIs of beta versions that upstream Kubernetes removed, by the minor that removed them. */
const REMOVED_APIS: Record<
  string,
  Omit<DeprecatedApiRequest, 'removedRelease'>
> = {
  '1.25': {
    group: 'policy',
    version: 'v1beta1',
    resource: 'podsecuritypolicies',
  },
  '1.26': {
    group: 'autoscaling',
    version: 'v2beta2',
    resource: 'horizontalpodautoscalers',
  },
  '1.27': {
    group: 'storage.k8s.io',
    version: 'v1beta1',
    resource: 'csistoragecapacities',
  },
  '1.29': {
    group: 'flowcontrol.apiserver.k8s.io',
    version: 'v1beta2',
    resource: 'flowschemas',
  },
  '1.32': {
    group: 'flowcontrol.apiserver.k8s.io',
    version: 'v1beta3',
    resource: 'flowschemas',
  },
};

/**
 * The deprecated APIs a seeded workload cluster's clients request: one cluster in five still uses a beta API that
 * the next or the one after next minor removes (the simulator's own beta of `resource.k8s.io` where upstream removed
 * none in that minor).
 */
export function seededDeprecatedApis(
  id: string,
  kubeVersion: string,
): DeprecatedApiRequest[] {
  const h = hash32(`deprecated:${id}`);
  if (h % 5 !== 0) return [];
  const m = /^v?(\d+)\.(\d+)/.exec(kubeVersion);
  if (!m) return [];
  const removedRelease = `${m[1]}.${Number(m[2]) + 1 + ((h >>> 3) % 2)}`;
  return [
    {
      ...(REMOVED_APIS[removedRelease] ?? {
        group: 'resource.k8s.io',
        version: 'v1beta1',
        resource: 'resourceclaims',
      }),
      removedRelease,
    },
  ];
}

/** The `apiserver_requested_deprecated_apis` gauge as an API server's `/metrics` serves it. */
export function deprecatedApisMetric(
  uses: readonly DeprecatedApiRequest[],
): string {
  const lines = [
    '# HELP apiserver_requested_deprecated_apis [STABLE] Gauge of deprecated APIs that have been requested, broken out by API group, version, resource, subresource, and removed_release.',
    '# TYPE apiserver_requested_deprecated_apis gauge',
  ];
  for (const u of uses) {
    lines.push(
      `apiserver_requested_deprecated_apis{group="${u.group}",removed_release="${u.removedRelease}",resource="${u.resource}",subresource="",version="${u.version}"} 1`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const registries = new Map<string, ResourceRegistry>();

function registryFor(d: Distribution): ResourceRegistry {
  const key = d === 'openshift' ? 'openshift' : 'default';
  let r = registries.get(key);
  if (!r) {
    r = workloadRegistry(d);
    registries.set(key, r);
  }
  return r;
}

/**
 * How long the served node and pod lists of a workload cluster stay as they are while nothing they come from changes
 * (ms): kubelets report an unchanged node status this often (`nodeStatusReportFrequency`), so that is how often
 * `lastHeartbeatTime` moves.
 */
export const NODE_STATUS_REPORT_MS = 5 * 60_000;

/** A list page as served, its items serialized once. */
export interface ListPage {
  items: string;
  cont?: string;
  remaining?: number;
}

/**
 * What a workload cluster serves, serialized once from the management cluster's objects and the injected faults,
 * and kept until one of them changes (or the node status is due again): thousands of clusters are probed every
 * minute, and building their nodes and pods for every request would make the simulator, not the client, what is
 * measured. Only the text is kept, not the objects (several times its size in memory); tables, selectors and
 * watches, which clients rarely ask a workload cluster for, build the objects again.
 */
export interface Served {
  /** The resourceVersions and fault generation it was computed from. */
  fingerprint: string;
  expiresAt: number;
  version?: string;
  /** Plain JSON list pages, by resource, namespace, `continue` and `limit`. */
  pages: Map<string, ListPage>;
}

export interface WorkloadDeps {
  faults: FaultRegistry;
  token(id: string): string;
  serverAddress(): string;
}

/** A simulated workload cluster: read-only API computed from its management cluster's objects. */
export class WorkloadCluster implements Endpoint {
  readonly id: string;
  private readonly registry: ResourceRegistry;
  /** Built at the first request: most of a large fleet's clusters are never asked for more than health. */
  private router?: ApiRouter;
  private expectedToken?: Buffer;
  private served?: Served;
  /** The control plane object's location, as of a resourceVersion of the cluster object. */
  private controlPlaneAt?: {
    clusterRv: number;
    ref?: { typeId: string; key: string };
  };

  constructor(
    readonly management: ManagementCluster,
    readonly namespace: string,
    readonly name: string,
    readonly flavor: Flavor,
    readonly deps: WorkloadDeps,
  ) {
    this.id = `${management.name}/${namespace}/${name}`;
    this.registry = registryFor(flavor.distribution);
  }

  authenticate(token: string): Caller | undefined {
    // derived from the cluster's id, never changes: computed once rather than for every request
    this.expectedToken ??= Buffer.from(this.deps.token(this.id));
    const expected = this.expectedToken;
    const given = Buffer.from(token);
    if (
      expected.length === given.length &&
      crypto.timingSafeEqual(expected, given)
    ) {
      return { user: `${this.name}-admin`, readOnly: false };
    }
    return undefined;
  }

  /** The management cluster's Cluster object of this workload cluster. */
  clusterObject(): JsonObject | undefined {
    return this.management.api.store
      .get(TYPE_IDS.cluster, `${this.namespace}/${this.name}`)
      ?.object();
  }

  /** Where the control plane object of the cluster is (from the cluster's `controlPlaneRef`). */
  private controlPlaneRef(
    spec: JsonObject | undefined,
  ): { typeId: string; key: string } | undefined {
    const ref = asObject(spec?.controlPlaneRef);
    if (!ref || typeof ref.kind !== 'string' || typeof ref.name !== 'string')
      return undefined;
    const t = this.management.api.registry.byKind(
      String(ref.apiGroup ?? ''),
      ref.kind,
    );
    return t
      ? { typeId: t.id, key: `${this.namespace}/${ref.name}` }
      : undefined;
  }

  /** The Kubernetes version the control plane serves. */
  kubeVersion(): string {
    const cluster = this.clusterObject();
    const spec = asObject(cluster?.spec);
    const ref = this.controlPlaneRef(spec);
    if (ref) {
      const cp = this.management.api.store.get(ref.typeId, ref.key)?.object();
      const status = asObject(cp?.status);
      const v =
        status?.version ??
        status?.currentVersion ??
        asObject(cp?.spec)?.version ??
        asObject(cp?.spec)?.controlPlaneVersion;
      if (typeof v === 'string')
        return kubeVersionOf(this.flavor.distribution, v);
    }
    const topo = asObject(spec?.topology)?.version;
    return typeof topo === 'string'
      ? kubeVersionOf(this.flavor.distribution, topo)
      : 'v1.35.5';
  }

  /**
   * Identifies everything the served objects are computed from: the resourceVersions of the cluster, its control
   * plane, its machines and machine pools, and the generation of its faults. Cheap: no object is read.
   */
  private fingerprint(): string {
    const store = this.management.api.store;
    const cluster = store.get(
      TYPE_IDS.cluster,
      `${this.namespace}/${this.name}`,
    );
    const clusterRv = cluster?.rv ?? -1;
    if (this.controlPlaneAt?.clusterRv !== clusterRv) {
      this.controlPlaneAt = {
        clusterRv,
        ref: cluster
          ? this.controlPlaneRef(asObject(cluster.object().spec))
          : undefined,
      };
    }
    const cp = this.controlPlaneAt.ref;
    let fp = `${this.deps.faults.generation(this.id)}:${clusterRv}:${
      cp ? store.get(cp.typeId, cp.key)?.rv ?? -1 : -1
    }`;
    for (const typeId of [TYPE_IDS.machine, TYPE_IDS.machinePool]) {
      const collection = store.collection(typeId);
      fp += '|';
      for (const key of collection.keysWithLabel(
        LABELS.clusterName,
        this.namespace,
        this.name,
      ) ?? []) {
        fp += `${collection.entries.get(key)?.rv ?? -1},`;
      }
    }
    return fp;
  }

  /** What the cluster serves now: kept while its fingerprint holds and the node status is not due. */
  current(): Served {
    const now = Date.now();
    const fingerprint = this.fingerprint();
    let served = this.served;
    if (
      !served ||
      served.fingerprint !== fingerprint ||
      now >= served.expiresAt
    ) {
      served = {
        fingerprint,
        expiresAt: now + NODE_STATUS_REPORT_MS,
        pages: new Map(),
      };
      this.served = served;
    }
    return served;
  }

  /** The objects of a resource the cluster serves, computed now. */
  objects(t: ResourceType): JsonObject[] {
    switch (t.plural) {
      case 'nodes':
        return nodes(this);
      case 'pods': {
        const all = nodes(this);
        return [...pods(this, all), ...applicationObjects(this, 'pods', all)];
      }
      case 'namespaces':
        return namespaces(this);
      case 'clusterversions':
        return clusterVersions(this);
      default:
        return applicationObjects(this, t.plural, nodes(this));
    }
  }

  /** The resourceVersion of lists: the management cluster's. */
  listRv(): string {
    return String(this.management.api.store.currentRv);
  }

  handle(r: ApiRequest): Promise<void> {
    this.router ??= this.createRouter();
    return this.router.handle(r);
  }

  private createRouter(): ApiRouter {
    return new ApiRouter(
      this.registry,
      {
        serverAddress: () => this.deps.serverAddress(),
        version: () => {
          const served = this.current();
          served.version ??= JSON.stringify(
            versionInfo(
              gitVersion(this.flavor.distribution, this.kubeVersion()),
            ),
          );
          return served.version;
        },
        health: (check, verbose) =>
          this.deps.faults.isControlPlaneDown(this.id)
            ? {
                ok: false,
                text: `[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\n[+]informer-sync ok\n${check} check failed\n`,
              }
            : {
                ok: true,
                text: verbose
                  ? `[+]ping ok\n[+]log ok\n[+]etcd ok\n[+]informer-sync ok\n${check} check passed\n`
                  : 'ok',
              },
        extraGroups: () => distributionGroups(this.flavor.distribution),
        metrics: () =>
          deprecatedApisMetric(
            this.deps.faults.get(this.id)?.deprecatedApis ??
              seededDeprecatedApis(this.id, this.kubeVersion()),
          ),
      },
      new WorkloadResources(this),
    );
  }
}

/** All workload clusters, by `management/namespace/name`. */
export class WorkloadRegistry {
  private readonly clusters = new Map<string, WorkloadCluster>();

  get(id: string): WorkloadCluster | undefined {
    return this.clusters.get(id);
  }

  add(w: WorkloadCluster): void {
    this.clusters.set(w.id, w);
  }

  remove(id: string): void {
    this.clusters.delete(id);
  }

  get size(): number {
    return this.clusters.size;
  }

  all(): IterableIterator<WorkloadCluster> {
    return this.clusters.values();
  }
}
