import {
  ResourceRegistry,
  ResourceType,
  compareKubeVersions,
} from './registry';
import { JsonObject } from '../util/json';

const SUBRESOURCE_VERBS = ['get', 'patch', 'update'];

function resourceEntries(t: ResourceType): JsonObject[] {
  const main: JsonObject = {
    name: t.plural,
    singularName: t.singular,
    namespaced: t.namespaced,
    kind: t.kind,
    verbs: t.verbs,
  };
  if (t.shortNames.length) main.shortNames = t.shortNames;
  if (t.categories.length) main.categories = t.categories;
  const out: JsonObject[] = [main];
  if (t.status) {
    out.push({
      name: `${t.plural}/status`,
      singularName: '',
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: SUBRESOURCE_VERBS,
    });
  }
  if (t.scale) {
    out.push({
      name: `${t.plural}/scale`,
      singularName: '',
      namespaced: t.namespaced,
      group: 'autoscaling',
      version: 'v1',
      kind: 'Scale',
      verbs: SUBRESOURCE_VERBS,
    });
  }
  if (t.kind === 'Namespace') {
    out.push({
      name: 'namespaces/finalize',
      singularName: '',
      namespaced: false,
      kind: 'Namespace',
      verbs: ['update'],
    });
  }
  return out;
}

export function apiResourceList(
  registry: ResourceRegistry,
  group: string,
  version: string,
): JsonObject {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: registry.inGroupVersion(group, version).flatMap(resourceEntries),
  };
}

export function apiVersions(serverAddress: string): JsonObject {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupEntry(name: string, versions: string[]): JsonObject {
  const sorted = [...versions].sort(compareKubeVersions);
  return {
    name,
    versions: sorted.map(v => ({ groupVersion: `${name}/${v}`, version: v })),
    preferredVersion: {
      groupVersion: `${name}/${sorted[0]}`,
      version: sorted[0],
    },
  };
}

export function apiGroupList(
  registry: ResourceRegistry,
  extraGroups: Array<{ name: string; versions: string[] }> = [],
): JsonObject {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...registry.groups(), ...extraGroups].map(g =>
      groupEntry(g.name, g.versions),
    ),
  };
}

export function apiGroup(
  registry: ResourceRegistry,
  name: string,
): JsonObject | undefined {
  const g = registry.groups().find(x => x.name === name);
  if (!g) return undefined;
  return {
    kind: 'APIGroup',
    apiVersion: 'v1',
    ...groupEntry(g.name, g.versions),
  };
}

function aggregatedResource(t: ResourceType, version: string): JsonObject {
  const r: JsonObject = {
    resource: t.plural,
    responseKind: { group: t.group, version, kind: t.kind },
    scope: t.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: t.singular,
    verbs: t.verbs,
  };
  if (t.shortNames.length) r.shortNames = t.shortNames;
  if (t.categories.length) r.categories = t.categories;
  const subresources: JsonObject[] = [];
  if (t.status) {
    subresources.push({
      subresource: 'status',
      responseKind: { group: t.group, version, kind: t.kind },
      verbs: SUBRESOURCE_VERBS,
    });
  }
  if (t.scale) {
    subresources.push({
      subresource: 'scale',
      responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
      verbs: SUBRESOURCE_VERBS,
    });
  }
  if (subresources.length) r.subresources = subresources;
  return r;
}

/** `apidiscovery.k8s.io/v2` aggregated discovery for `/api` (legacy) or `/apis`. */
export function aggregatedDiscovery(
  registry: ResourceRegistry,
  legacy: boolean,
  discoveryVersion: string,
): JsonObject {
  const items: JsonObject[] = [];
  if (legacy) {
    items.push({
      metadata: { creationTimestamp: null },
      versions: [
        {
          version: 'v1',
          resources: registry
            .inGroupVersion('', 'v1')
            .map(t => aggregatedResource(t, 'v1')),
          freshness: 'Current',
        },
      ],
    });
  } else {
    for (const g of registry.groups()) {
      const versions = [...g.versions].sort(compareKubeVersions);
      items.push({
        metadata: { name: g.name, creationTimestamp: null },
        versions: versions.map(v => ({
          version: v,
          resources: registry
            .inGroupVersion(g.name, v)
            .map(t => aggregatedResource(t, v)),
          freshness: 'Current',
        })),
      });
    }
  }
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${discoveryVersion}`,
    metadata: {},
    items,
  };
}

/** The `GET /` document of a kube-apiserver. */
export function rootPaths(registry: ResourceRegistry): JsonObject {
  const paths = ['/api', '/api/v1', '/apis', '/apis/'];
  for (const g of registry.groups()) {
    paths.push(`/apis/${g.name}`);
    for (const v of g.versions) paths.push(`/apis/${g.name}/${v}`);
  }
  paths.push(
    '/healthz',
    '/livez',
    '/readyz',
    '/openapi/v2',
    '/openapi/v3',
    '/openapi/v3/',
    '/version',
  );
  return { paths: paths.sort() };
}
