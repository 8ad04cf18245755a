/** The ClusterClasses of a management cluster, with their variables and templates. */
import { INSTANCE_TYPES, KindRef, REGIONS } from '../capi/distributions';
import { conditions, no, yes } from '../capi/conditions';
import { CAPI_VERSION, LABELS, apiVersion, objectMeta } from '../capi/kinds';
import { JsonObject } from '../util/json';
import { SeedClusterClass } from './model';

/** The ClusterClass and its templates. */
export function clusterClassObjects(
  cls: SeedClusterClass,
  namespace: string,
  createdAt: number,
): JsonObject[] {
  const fl = cls.flavor;
  const templ = (
    ref: KindRef | undefined,
    suffix: string,
    spec: JsonObject,
  ): JsonObject | undefined =>
    ref
      ? {
          apiVersion: apiVersion(ref),
          kind: ref.kind.endsWith('Template')
            ? ref.kind
            : `${ref.kind}Template`,
          metadata: objectMeta({
            namespace,
            name: `${cls.name}-${suffix}`,
            createdAt,
          }),
          spec: {
            template: {
              spec: ref.kind.startsWith('Dev')
                ? { backend: { docker: {} }, ...spec }
                : spec,
            },
          },
        }
      : undefined;
  const infraTemplateKind: KindRef = {
    ...fl.infraCluster,
    kind: `${fl.infraCluster.kind}Template`,
  };
  const cpTemplateKind: KindRef = {
    ...fl.controlPlane,
    kind: `${fl.controlPlane.kind}Template`,
  };
  const machineTemplate = fl.machineTemplate;
  const variables: JsonObject[] = [
    {
      name: 'region',
      required: true,
      schema: {
        openAPIV3Schema: {
          type: 'string',
          enum: REGIONS[fl.provider],
          default: REGIONS[fl.provider][0],
          description: 'Region the cluster runs in',
        },
      },
    },
    {
      name: 'instanceType',
      required: false,
      schema: {
        openAPIV3Schema: {
          type: 'string',
          enum: INSTANCE_TYPES[fl.provider],
          default: INSTANCE_TYPES[fl.provider][0],
          description: 'Instance type of worker machines',
        },
      },
    },
    {
      name: 'cni',
      required: false,
      schema: {
        openAPIV3Schema: {
          type: 'string',
          enum: ['calico', 'cilium'],
          default: 'cilium',
          description: 'Container network plugin',
        },
      },
    },
    {
      name: 'podSecurityStandard',
      required: false,
      schema: {
        openAPIV3Schema: {
          type: 'object',
          properties: {
            enabled: { type: 'boolean', default: true },
            enforce: {
              type: 'string',
              enum: ['privileged', 'baseline', 'restricted'],
              default: 'baseline',
            },
            audit: {
              type: 'string',
              enum: ['privileged', 'baseline', 'restricted'],
              default: 'restricted',
            },
            warn: {
              type: 'string',
              enum: ['privileged', 'baseline', 'restricted'],
              default: 'restricted',
            },
          },
        },
      },
    },
    {
      name: 'etcdBackup',
      required: false,
      schema: {
        openAPIV3Schema: {
          type: 'boolean',
          default: false,
          description: 'Schedule etcd backups',
        },
      },
    },
  ];
  const workerInfra = machineTemplate
    ? {
        templateRef: {
          apiVersion: apiVersion(machineTemplate),
          kind: machineTemplate.kind,
          name: `${cls.name}-worker`,
        },
      }
    : undefined;
  const workerBootstrap = fl.bootstrapTemplate
    ? {
        templateRef: {
          apiVersion: apiVersion(fl.bootstrapTemplate),
          kind: fl.bootstrapTemplate.kind,
          name: `${cls.name}-worker`,
        },
      }
    : undefined;
  const cc: JsonObject = {
    apiVersion: CAPI_VERSION,
    kind: 'ClusterClass',
    metadata: objectMeta({
      namespace,
      name: cls.name,
      createdAt,
      generation: 1,
      labels: { [LABELS.profileVersion]: cls.profileVersion },
      annotations: { 'shipyard.io/description': cls.description },
    }),
    spec: {
      infrastructure: {
        templateRef: {
          apiVersion: apiVersion(infraTemplateKind),
          kind: infraTemplateKind.kind,
          name: `${cls.name}-cluster`,
        },
      },
      controlPlane: {
        templateRef: {
          apiVersion: apiVersion(cpTemplateKind),
          kind: cpTemplateKind.kind,
          name: `${cls.name}-control-plane`,
        },
        ...(fl.machineControlPlane && machineTemplate
          ? {
              machineInfrastructure: {
                templateRef: {
                  apiVersion: apiVersion(machineTemplate),
                  kind: machineTemplate.kind,
                  name: `${cls.name}-control-plane`,
                },
              },
            }
          : {}),
      },
      workers: {
        machineDeployments: [
          {
            class: 'default-worker',
            ...(workerBootstrap ? { bootstrap: workerBootstrap } : {}),
            ...(workerInfra ? { infrastructure: workerInfra } : {}),
          },
          {
            class: 'gpu-worker',
            ...(workerBootstrap ? { bootstrap: workerBootstrap } : {}),
            ...(workerInfra ? { infrastructure: workerInfra } : {}),
          },
        ],
      },
      variables,
    },
    status: {
      conditions: conditions(
        [yes('VariablesReady', 'VariablesReady'), no('Paused', 'NotPaused')],
        createdAt,
        1,
      ),
      observedGeneration: 1,
      variables: variables.map(v => ({
        name: v.name,
        definitions: [
          { from: 'inline', required: v.required, schema: v.schema },
        ],
      })),
    },
  };
  const out: JsonObject[] = [cc];
  const list = [
    templ(infraTemplateKind, 'cluster', {}),
    templ(cpTemplateKind, 'control-plane', {}),
    fl.machineControlPlane
      ? templ(machineTemplate, 'control-plane', {})
      : undefined,
    templ(machineTemplate, 'worker', {}),
    fl.bootstrapTemplate
      ? { ...templ(fl.bootstrapTemplate, 'worker', {}) }
      : undefined,
  ];
  for (const o of list) if (o && Object.keys(o).length) out.push(o);
  return out;
}
