import crypto from 'node:crypto';
import { ResourceRegistry, ResourceType } from './registry';
import { schemaFor } from './schema';
import { JsonObject } from '../util/json';

const OBJECT_META_REF =
  '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

const OBJECT_META: JsonObject = {
  description: 'ObjectMeta is metadata that all persisted resources must have.',
  type: 'object',
  properties: {
    annotations: {
      type: 'object',
      additionalProperties: { type: 'string', default: '' },
    },
    creationTimestamp: { type: 'string', format: 'date-time' },
    deletionGracePeriodSeconds: { type: 'integer', format: 'int64' },
    deletionTimestamp: { type: 'string', format: 'date-time' },
    finalizers: {
      type: 'array',
      items: { type: 'string', default: '' },
      'x-kubernetes-list-type': 'set',
    },
    generateName: { type: 'string' },
    generation: { type: 'integer', format: 'int64' },
    labels: {
      type: 'object',
      additionalProperties: { type: 'string', default: '' },
    },
    managedFields: {
      type: 'array',
      items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
    name: { type: 'string' },
    namespace: { type: 'string' },
    ownerReferences: {
      type: 'array',
      items: {
        type: 'object',
        required: ['apiVersion', 'kind', 'name', 'uid'],
        properties: {
          apiVersion: { type: 'string', default: '' },
          blockOwnerDeletion: { type: 'boolean' },
          controller: { type: 'boolean' },
          kind: { type: 'string', default: '' },
          name: { type: 'string', default: '' },
          uid: { type: 'string', default: '' },
        },
        'x-kubernetes-map-type': 'atomic',
      },
      'x-kubernetes-list-map-keys': ['uid'],
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-patch-merge-key': 'uid',
      'x-kubernetes-patch-strategy': 'merge',
    },
    resourceVersion: { type: 'string' },
    selfLink: { type: 'string' },
    uid: { type: 'string' },
  },
};

function reverseGroup(group: string): string {
  return group ? group.split('.').reverse().join('.') : 'io.k8s.api.core';
}

export function schemaName(t: ResourceType, version: string): string {
  return `${reverseGroup(t.group)}.${version}.${t.kind}`;
}

function param(
  name: string,
  location: 'query' | 'path',
  description: string,
): JsonObject {
  return {
    name,
    in: location,
    description,
    required: location === 'path',
    schema: { type: 'string', uniqueItems: true },
  };
}

const WRITE_PARAMS = [
  param(
    'dryRun',
    'query',
    'When present, indicates that modifications should not be persisted.',
  ),
  param(
    'fieldManager',
    'query',
    'fieldManager is a name associated with the actor or entity that is making these changes.',
  ),
  param(
    'fieldValidation',
    'query',
    'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn (default), Strict.',
  ),
];

/** The OpenAPI v3 document of one group/version, enough for kubectl's validation and explain. */
export function openApiGroupVersion(
  registry: ResourceRegistry,
  group: string,
  version: string,
): JsonObject {
  const schemas: JsonObject = {
    'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': OBJECT_META,
  };
  const paths: JsonObject = {};
  for (const t of registry.inGroupVersion(group, version)) {
    const name = schemaName(t, version);
    const gvk = [{ group: t.group, version, kind: t.kind }];
    const schema = schemaFor(t, version);
    const properties =
      typeof schema.properties === 'object' && schema.properties !== null
        ? schema.properties
        : {};
    schemas[name] = {
      ...schema,
      properties: {
        ...properties,
        metadata: { allOf: [{ $ref: OBJECT_META_REF }], default: {} },
      },
      'x-kubernetes-group-version-kind': gvk,
    };
    schemas[`${name}List`] = {
      type: 'object',
      required: ['items'],
      properties: {
        apiVersion: { type: 'string' },
        items: {
          type: 'array',
          items: { allOf: [{ $ref: `#/components/schemas/${name}` }] },
        },
        kind: { type: 'string' },
        metadata: { type: 'object' },
      },
      'x-kubernetes-group-version-kind': [
        { group: t.group, version, kind: `${t.kind}List` },
      ],
    };
    const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
    const ref = { $ref: `#/components/schemas/${name}` };
    const content = (types: string[]) =>
      Object.fromEntries(types.map(ct => [ct, { schema: ref }]));
    const patchTypes = t.custom
      ? [
          'application/json-patch+json',
          'application/merge-patch+json',
          'application/apply-patch+yaml',
        ]
      : [
          'application/json-patch+json',
          'application/merge-patch+json',
          'application/strategic-merge-patch+json',
          'application/apply-patch+yaml',
        ];
    const op = (action: string, extra: JsonObject = {}): JsonObject => ({
      tags: [group || 'core_v1'],
      operationId: `${action}${t.kind}`,
      responses: {
        '200': {
          description: 'OK',
          content: content(['application/json', 'application/yaml']),
        },
      },
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': {
        group: t.group,
        version,
        kind: t.kind,
      },
      ...extra,
    });
    const base = t.namespaced
      ? `${prefix}/namespaces/{namespace}/${t.plural}`
      : `${prefix}/${t.plural}`;
    const nsParam = t.namespaced
      ? [
          param(
            'namespace',
            'path',
            'object name and auth scope, such as for teams and projects',
          ),
        ]
      : [];
    paths[base] = {
      parameters: nsParam,
      get: op('list'),
      post: op('post', {
        parameters: WRITE_PARAMS,
        requestBody: { content: content(['*/*']), required: true },
      }),
    };
    paths[`${base}/{name}`] = {
      parameters: [
        param('name', 'path', `name of the ${t.kind}`),
        ...nsParam,
        ...WRITE_PARAMS,
      ],
      get: op('get'),
      put: op('put', {
        parameters: WRITE_PARAMS,
        requestBody: { content: content(['*/*']), required: true },
      }),
      patch: op('patch', {
        parameters: [
          ...WRITE_PARAMS,
          param('force', 'query', 'Force is going to "force" Apply requests.'),
        ],
        requestBody: {
          content: Object.fromEntries(
            patchTypes.map(ct => [ct, { schema: { type: 'object' } }]),
          ),
          required: true,
        },
      }),
      delete: op('delete'),
    };
    if (t.status) {
      paths[`${base}/{name}/status`] = {
        parameters: [
          param('name', 'path', `name of the ${t.kind}`),
          ...nsParam,
          ...WRITE_PARAMS,
        ],
        get: op('get'),
        put: op('put', { parameters: WRITE_PARAMS }),
        patch: op('patch', {
          parameters: [
            ...WRITE_PARAMS,
            param(
              'force',
              'query',
              'Force is going to "force" Apply requests.',
            ),
          ],
          requestBody: {
            content: Object.fromEntries(
              patchTypes.map(ct => [ct, { schema: { type: 'object' } }]),
            ),
            required: true,
          },
        }),
      };
    }
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'unversioned' },
    paths,
    components: { schemas },
  };
}

export interface OpenApiIndex {
  paths: Map<string, { doc: string; hash: string }>;
}

/** Renders all group/version documents once; they never change for a registry. */
export function buildOpenApiIndex(registry: ResourceRegistry): OpenApiIndex {
  const paths = new Map<string, { doc: string; hash: string }>();
  const add = (key: string, group: string, version: string) => {
    const doc = JSON.stringify(openApiGroupVersion(registry, group, version));
    const hash = crypto
      .createHash('sha512')
      .update(doc)
      .digest('hex')
      .slice(0, 128)
      .toUpperCase();
    paths.set(key, { doc, hash });
  };
  add('api/v1', '', 'v1');
  for (const g of registry.groups()) {
    for (const v of g.versions) add(`apis/${g.name}/${v}`, g.name, v);
  }
  return { paths };
}

export function openApiRoot(index: OpenApiIndex, prefix: string): JsonObject {
  const paths: JsonObject = {};
  for (const [key, { hash }] of index.paths) {
    paths[key] = {
      serverRelativeURL: `${prefix}/openapi/v3/${key}?hash=${hash}`,
    };
  }
  return { paths };
}
