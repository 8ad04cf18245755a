import { ResourceRegistry, storageVersion } from './registry';
import {
  JsonObject,
  asArray,
  asObject,
  deepClone,
  isObject,
} from '../util/json';

const CONVERTIBLE_GROUPS = new Set([
  'cluster.x-k8s.io',
  'controlplane.cluster.x-k8s.io',
  'bootstrap.cluster.x-k8s.io',
  'infrastructure.cluster.x-k8s.io',
]);

const REPLICA_KINDS = new Set([
  'MachineDeployment',
  'MachineSet',
  'KubeadmControlPlane',
  'MachinePool',
]);

/** Kinds whose v1beta1 and v1beta2 shapes follow the Cluster API v1.11+ conversion rules. */
const CAPI_CONTRACT_KINDS = new Set([
  'Cluster',
  'ClusterClass',
  'Machine',
  'MachineSet',
  'MachineDeployment',
  'MachinePool',
  'MachineHealthCheck',
  'KubeadmControlPlane',
  'KubeadmControlPlaneTemplate',
  'KubeadmConfig',
  'KubeadmConfigTemplate',
  'DevCluster',
  'DevClusterTemplate',
  'DevMachine',
  'DevMachineTemplate',
  'DevMachinePoolTemplate',
  'DockerCluster',
  'DockerClusterTemplate',
  'DockerMachineTemplate',
]);

type RefFn = (ref: JsonObject) => JsonObject;

/** v1beta2 `status.initialization` fields and their v1beta1 names, per kind. */
const INITIALIZATION_DOWN: Record<string, Record<string, string>> = {
  Cluster: {
    infrastructureProvisioned: 'infrastructureReady',
    controlPlaneInitialized: 'controlPlaneReady',
  },
  KubeadmControlPlane: { controlPlaneInitialized: 'initialized' },
  Machine: {
    infrastructureProvisioned: 'infrastructureReady',
    bootstrapDataSecretCreated: 'bootstrapReady',
  },
  MachinePool: {
    infrastructureProvisioned: 'infrastructureReady',
    bootstrapDataSecretCreated: 'bootstrapReady',
  },
  default: { provisioned: 'ready', dataSecretCreated: 'ready' },
};

const INITIALIZATION_UP: Record<
  string,
  Record<string, string>
> = Object.fromEntries(
  Object.entries(INITIALIZATION_DOWN).map(([kind, fields]) => [
    kind,
    Object.fromEntries(
      Object.entries(fields)
        .filter(([from]) => from !== 'dataSecretCreated')
        .map(([from, to]) => [to, from]),
    ),
  ]),
);

function mapAt(obj: JsonObject, path: string[], fn: RefFn): void {
  let current: JsonObject | undefined = obj;
  for (const p of path.slice(0, -1)) {
    current = asObject(current?.[p]);
    if (!current) return;
  }
  const last = path[path.length - 1];
  const ref = asObject(current?.[last]);
  if (current && ref) current[last] = fn(ref);
}

function renameAt(
  obj: JsonObject,
  path: string[],
  from: string,
  to: string,
): void {
  let current: JsonObject | undefined = obj;
  for (const p of path) {
    current = asObject(current?.[p]);
    if (!current) return;
  }
  if (current && current[from] !== undefined) {
    current[to] = current[from];
    delete current[from];
  }
}

function groupOf(apiVersion: unknown): string {
  if (typeof apiVersion !== 'string') return '';
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** Converts between the two Cluster API versions of an object. */
export class Converter {
  constructor(private readonly registry: ResourceRegistry) {}

  /** Whether objects of `group/kind` need more than an apiVersion swap. */
  needsConversion(group: string, kind: string): boolean {
    return CONVERTIBLE_GROUPS.has(group) && CAPI_CONTRACT_KINDS.has(kind);
  }

  convert(
    obj: JsonObject,
    group: string,
    kind: string,
    from: string,
    to: string,
  ): JsonObject {
    if (from === to) return obj;
    const out = deepClone(obj);
    out.apiVersion = group ? `${group}/${to}` : to;
    if (!this.needsConversion(group, kind)) return out;
    if (from === 'v1beta2' && to === 'v1beta1') return this.down(out, kind);
    if (from === 'v1beta1' && to === 'v1beta2') return this.up(out, kind);
    return out;
  }

  private refDown(namespace: unknown): RefFn {
    return ref => {
      if (ref.apiVersion !== undefined) return ref;
      const group = typeof ref.apiGroup === 'string' ? ref.apiGroup : '';
      const kind = typeof ref.kind === 'string' ? ref.kind : '';
      const t = this.registry.byKind(group, kind);
      const version = t ? storageVersion(t) : 'v1beta2';
      const out: JsonObject = {
        apiVersion: group ? `${group}/${version}` : version,
        kind: ref.kind,
        name: ref.name,
      };
      if (typeof namespace === 'string' && namespace) out.namespace = namespace;
      return out;
    };
  }

  private static refUp(ref: JsonObject): JsonObject {
    if (ref.apiGroup !== undefined || ref.apiVersion === undefined) return ref;
    return {
      apiGroup: groupOf(ref.apiVersion),
      kind: ref.kind,
      name: ref.name,
    };
  }

  private down(obj: JsonObject, kind: string): JsonObject {
    const ns = asObject(obj.metadata)?.namespace;
    const refDown = this.refDown(ns);
    const spec = asObject(obj.spec);
    if (spec) {
      mapAt(spec, ['infrastructureRef'], refDown);
      mapAt(spec, ['controlPlaneRef'], refDown);
      mapAt(spec, ['bootstrap', 'configRef'], refDown);
      mapAt(spec, ['template', 'spec', 'infrastructureRef'], refDown);
      mapAt(spec, ['template', 'spec', 'bootstrap', 'configRef'], refDown);
      if (kind === 'KubeadmControlPlane') {
        const mt = asObject(spec.machineTemplate);
        const inner = asObject(mt?.spec);
        if (
          mt &&
          inner?.infrastructureRef &&
          isObject(inner.infrastructureRef)
        ) {
          mt.infrastructureRef = refDown(inner.infrastructureRef);
          delete inner.infrastructureRef;
          if (Object.keys(inner).length === 0) delete mt.spec;
        }
      }
      if (kind === 'Cluster') {
        const topology = asObject(spec.topology);
        const classRef = asObject(topology?.classRef);
        if (topology && classRef) {
          topology.class = classRef.name;
          if (classRef.namespace) topology.classNamespace = classRef.namespace;
          delete topology.classRef;
        }
      }
      if (kind === 'ClusterClass') {
        renameAt(spec, ['infrastructure'], 'templateRef', 'ref');
        renameAt(spec, ['controlPlane'], 'templateRef', 'ref');
        renameAt(
          spec,
          ['controlPlane', 'machineInfrastructure'],
          'templateRef',
          'ref',
        );
        const workers = asObject(spec.workers);
        for (const list of ['machineDeployments', 'machinePools']) {
          for (const cls of asArray(workers?.[list]) ?? []) {
            if (!isObject(cls)) continue;
            const template: JsonObject = {};
            for (const part of ['bootstrap', 'infrastructure']) {
              const p = asObject(cls[part]);
              if (p?.templateRef) {
                template[part] = { ref: p.templateRef };
                delete cls[part];
              }
            }
            if (Object.keys(template).length) cls.template = template;
          }
        }
      }
    }
    const status = asObject(obj.status);
    if (!status) return obj;
    const v1beta2: JsonObject = {};
    if (status.conditions !== undefined) {
      v1beta2.conditions = status.conditions;
      delete status.conditions;
    }
    if (REPLICA_KINDS.has(kind)) {
      for (const f of [
        'readyReplicas',
        'availableReplicas',
        'upToDateReplicas',
      ]) {
        if (status[f] !== undefined) {
          v1beta2[f] = status[f];
          delete status[f];
        }
      }
    }
    if (kind === 'Cluster') {
      for (const f of ['controlPlane', 'workers']) {
        if (status[f] !== undefined) {
          v1beta2[f] = status[f];
          delete status[f];
        }
      }
      const domains = asArray(status.failureDomains);
      if (domains) {
        const map: JsonObject = {};
        for (const d of domains) {
          if (isObject(d) && typeof d.name === 'string') {
            const rest: JsonObject = { ...d };
            delete rest.name;
            map[d.name] = rest;
          }
        }
        status.failureDomains = map;
      }
    }
    const deprecated = asObject(asObject(status.deprecated)?.v1beta1);
    delete status.deprecated;
    if (deprecated) {
      for (const [k, v] of Object.entries(deprecated)) status[k] = v;
    }
    const init = asObject(status.initialization);
    delete status.initialization;
    if (init) {
      const rename = INITIALIZATION_DOWN[kind] ?? INITIALIZATION_DOWN.default;
      for (const [k, v] of Object.entries(init)) {
        if (rename[k]) status[rename[k]] = v;
      }
    }
    if (kind === 'KubeadmControlPlane' && status.initialized === true) {
      const ready =
        (typeof v1beta2.readyReplicas === 'number'
          ? v1beta2.readyReplicas
          : 0) > 0;
      status.ready = ready;
    }
    if (kind === 'Machine') {
      const nodeRef = asObject(status.nodeRef);
      if (nodeRef)
        status.nodeRef = { kind: 'Node', apiVersion: 'v1', name: nodeRef.name };
    }
    if (Object.keys(v1beta2).length) status.v1beta2 = v1beta2;
    return obj;
  }

  private up(obj: JsonObject, kind: string): JsonObject {
    const spec = asObject(obj.spec);
    if (spec) {
      mapAt(spec, ['infrastructureRef'], Converter.refUp);
      mapAt(spec, ['controlPlaneRef'], Converter.refUp);
      mapAt(spec, ['bootstrap', 'configRef'], Converter.refUp);
      mapAt(spec, ['template', 'spec', 'infrastructureRef'], Converter.refUp);
      mapAt(
        spec,
        ['template', 'spec', 'bootstrap', 'configRef'],
        Converter.refUp,
      );
      if (kind === 'KubeadmControlPlane') {
        const mt = asObject(spec.machineTemplate);
        const ref = asObject(mt?.infrastructureRef);
        if (mt && ref) {
          const inner = asObject(mt.spec) ?? {};
          inner.infrastructureRef = Converter.refUp(ref);
          mt.spec = inner;
          delete mt.infrastructureRef;
        }
      }
      if (kind === 'Cluster') {
        const topology = asObject(spec.topology);
        if (topology && topology.class !== undefined) {
          const classRef: JsonObject = { name: topology.class };
          if (topology.classNamespace)
            classRef.namespace = topology.classNamespace;
          topology.classRef = classRef;
          delete topology.class;
          delete topology.classNamespace;
        }
      }
      if (kind === 'ClusterClass') {
        renameAt(spec, ['infrastructure'], 'ref', 'templateRef');
        renameAt(spec, ['controlPlane'], 'ref', 'templateRef');
        renameAt(
          spec,
          ['controlPlane', 'machineInfrastructure'],
          'ref',
          'templateRef',
        );
        const workers = asObject(spec.workers);
        for (const list of ['machineDeployments', 'machinePools']) {
          for (const cls of asArray(workers?.[list]) ?? []) {
            if (!isObject(cls)) continue;
            const template = asObject(cls.template);
            if (!template) continue;
            for (const part of ['bootstrap', 'infrastructure']) {
              const ref = asObject(asObject(template[part])?.ref);
              if (ref) cls[part] = { templateRef: ref };
            }
            delete cls.template;
          }
        }
      }
    }
    const status = asObject(obj.status);
    if (!status) return obj;
    const v1beta2 = asObject(status.v1beta2) ?? {};
    delete status.v1beta2;
    const deprecated: JsonObject = {};
    for (const f of ['conditions', 'failureReason', 'failureMessage']) {
      if (status[f] !== undefined) {
        deprecated[f] = status[f];
        delete status[f];
      }
    }
    if (REPLICA_KINDS.has(kind)) {
      for (const f of [
        'readyReplicas',
        'availableReplicas',
        'updatedReplicas',
        'unavailableReplicas',
      ]) {
        if (status[f] !== undefined) {
          deprecated[f] = status[f];
          delete status[f];
        }
      }
    }
    for (const [k, v] of Object.entries(v1beta2)) status[k] = v;
    if (Object.keys(deprecated).length)
      status.deprecated = { v1beta1: deprecated };
    const init: JsonObject = {};
    const rename = INITIALIZATION_UP[kind] ?? INITIALIZATION_UP.default;
    for (const [from, to] of Object.entries(rename)) {
      if (status[from] !== undefined) {
        init[to] = status[from];
        delete status[from];
      }
    }
    if (kind === 'KubeadmControlPlane') delete status.ready;
    if (Object.keys(init).length) status.initialization = init;
    if (kind === 'Cluster' && isObject(status.failureDomains)) {
      status.failureDomains = Object.entries(status.failureDomains).map(
        ([name, d]) => ({
          name,
          ...(asObject(d) ?? {}),
        }),
      );
    }
    if (kind === 'Machine') {
      const nodeRef = asObject(status.nodeRef);
      if (nodeRef) status.nodeRef = { name: nodeRef.name };
    }
    return obj;
  }
}
