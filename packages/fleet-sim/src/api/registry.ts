import { ALL_VERBS, CRD_TYPE_ID, ResourceType } from './resourceType';
import { columns, customResourceTypes } from './crds/types';
import { JsonObject } from '../util/json';

export type {
  PrinterColumn,
  ResourceType,
  ResourceVersion,
  ScaleSubresource,
} from './resourceType';
export { CRD_TYPE_ID } from './resourceType';

function core(
  kind: string,
  plural: string,
  options: Partial<ResourceType> & { shortNames?: string[] },
): ResourceType {
  return {
    id: `core/${plural}`,
    group: '',
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    namespaced: true,
    shortNames: [],
    categories: [],
    versions: [{ name: 'v1', served: true, storage: true }],
    status: false,
    custom: false,
    verbs: ALL_VERBS,
    returnDeletedObject: false,
    ...options,
  };
}

/** A kind of the `apps` group (the workloads of control planes hosted as pods), with its scale subresource. */
function apps(
  kind: string,
  plural: string,
  shortNames: string[],
): ResourceType {
  return {
    ...core(kind, plural, { shortNames, categories: ['all'], status: true }),
    id: `apps/${plural}`,
    group: 'apps',
    scale: {
      specReplicasPath: '.spec.replicas',
      statusReplicasPath: '.status.replicas',
      labelSelectorPath: '.status.selector',
    },
  };
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function field(obj: JsonObject, ...path: string[]): string | undefined {
  let current: unknown = obj;
  for (const p of path) {
    if (
      typeof current !== 'object' ||
      current === null ||
      Array.isArray(current)
    ) {
      return undefined;
    }
    current = (current as JsonObject)[p];
  }
  if (typeof current === 'boolean' || typeof current === 'number') {
    return String(current);
  }
  return str(current);
}

/** Every resource type the simulated management clusters serve. */
export function builtinResourceTypes(): ResourceType[] {
  return [
    core('Namespace', 'namespaces', {
      namespaced: false,
      shortNames: ['ns'],
      status: true,
      returnDeletedObject: true,
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
      fields: { 'status.phase': o => field(o, 'status', 'phase') },
    }),
    core('Secret', 'secrets', { fields: { type: o => field(o, 'type') } }),
    core('ConfigMap', 'configmaps', { shortNames: ['cm'] }),
    core('ServiceAccount', 'serviceaccounts', { shortNames: ['sa'] }),
    core('Node', 'nodes', {
      namespaced: false,
      shortNames: ['no'],
      status: true,
      fields: {
        'spec.unschedulable': o => field(o, 'spec', 'unschedulable') ?? 'false',
      },
    }),
    core('Pod', 'pods', {
      shortNames: ['po'],
      categories: ['all'],
      status: true,
      returnDeletedObject: true,
      fields: {
        'spec.nodeName': o => field(o, 'spec', 'nodeName'),
        'status.phase': o => field(o, 'status', 'phase'),
      },
    }),
    core('Event', 'events', {
      shortNames: ['ev'],
      fields: {
        'involvedObject.kind': o => field(o, 'involvedObject', 'kind'),
        'involvedObject.name': o => field(o, 'involvedObject', 'name'),
        'involvedObject.namespace': o =>
          field(o, 'involvedObject', 'namespace'),
        'involvedObject.uid': o => field(o, 'involvedObject', 'uid'),
        'involvedObject.apiVersion': o =>
          field(o, 'involvedObject', 'apiVersion'),
        reason: o => field(o, 'reason'),
        type: o => field(o, 'type'),
        source: o => field(o, 'source', 'component'),
      },
    }),
    core('Service', 'services', {
      shortNames: ['svc'],
      categories: ['all'],
      status: true,
      fields: { 'spec.type': o => field(o, 'spec', 'type') },
    }),
    apps('Deployment', 'deployments', ['deploy']),
    apps('StatefulSet', 'statefulsets', ['sts']),
    {
      id: CRD_TYPE_ID,
      group: 'apiextensions.k8s.io',
      kind: 'CustomResourceDefinition',
      listKind: 'CustomResourceDefinitionList',
      plural: 'customresourcedefinitions',
      singular: 'customresourcedefinition',
      namespaced: false,
      shortNames: ['crd', 'crds'],
      categories: ['api-extensions'],
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          columns: columns([
            ['Created At', '.metadata.creationTimestamp', 'date'],
          ]),
        },
      ],
      status: true,
      custom: false,
      // the simulator's kinds are fixed: their definitions are read-only
      verbs: ['get', 'list', 'watch'],
      returnDeletedObject: true,
    },

    ...customResourceTypes(),
  ];
}

/** Looks up resource types by id, plural, kind and short name. */
export class ResourceRegistry {
  readonly types: ResourceType[];
  private readonly byId = new Map<string, ResourceType>();
  private readonly byGroupPlural = new Map<string, ResourceType>();
  private readonly byGroupKind = new Map<string, ResourceType>();

  constructor(types: ResourceType[]) {
    this.types = types;
    for (const t of types) {
      this.byId.set(t.id, t);
      this.byGroupPlural.set(`${t.group}/${t.plural}`, t);
      this.byGroupKind.set(`${t.group}/${t.kind}`, t);
    }
  }

  get(id: string): ResourceType {
    const t = this.byId.get(id);
    if (!t) {
      throw new Error(`unknown resource type ${id}`);
    }
    return t;
  }

  find(group: string, plural: string): ResourceType | undefined {
    return this.byGroupPlural.get(`${group}/${plural}`);
  }

  byKind(group: string, kind: string): ResourceType | undefined {
    return this.byGroupKind.get(`${group}/${kind}`);
  }

  /** The groups in discovery order with their versions, preferred first. */
  groups(): Array<{ name: string; versions: string[] }> {
    const order: string[] = [];
    const versions = new Map<string, Set<string>>();
    for (const t of this.types) {
      if (t.group === '') continue;
      if (!versions.has(t.group)) {
        order.push(t.group);
        versions.set(t.group, new Set());
      }
      for (const v of t.versions) {
        if (v.served) versions.get(t.group)!.add(v.name);
      }
    }
    return order.map(name => ({
      name,
      versions: [...versions.get(name)!].sort(compareKubeVersions),
    }));
  }

  /** Types served in `group`/`version`. */
  inGroupVersion(group: string, version: string): ResourceType[] {
    return this.types.filter(
      t =>
        t.group === group &&
        t.versions.some(v => v.name === version && v.served),
    );
  }
}

export function storageVersion(t: ResourceType): string {
  return (t.versions.find(v => v.storage) ?? t.versions[0]).name;
}

export function apiVersionOf(t: ResourceType, version: string): string {
  return t.group ? `${t.group}/${version}` : version;
}

/** Orders Kubernetes API versions as discovery does: GA, then beta, then alpha, newest first. */
export function compareKubeVersions(a: string, b: string): number {
  const parse = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [0, 0, 0];
    const levels: Record<string, number> = { alpha: 1, beta: 2 };
    const level = m[2] === undefined ? 3 : levels[m[2]];
    return [level, Number(m[1]), Number(m[3] ?? 0)];
  };
  const [la, ma, na] = parse(a);
  const [lb, mb, nb] = parse(b);
  if (la !== lb) return lb - la;
  if (ma !== mb) return mb - ma;
  return nb - na;
}
