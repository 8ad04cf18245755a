/**
 * Structural schemas (v1beta2) of the development infrastructure kinds (`Dev*`, and the
 * deprecated `Docker*` they replace).
 */
import {
  Schema,
  bool,
  conditions,
  deprecatedStatus,
  int32,
  intOrString,
  kindSchema,
  list,
  mapList,
  mapOf,
  name,
  obj,
  str,
  strEnum,
  stringMap,
  templateMeta,
} from './dsl';

const endpoint = (): Schema =>
  obj({ host: name(512), port: int32({ minimum: 1, maximum: 65535 }) });

const failureDomains = (): Schema =>
  mapList(
    ['name'],
    obj({ attributes: stringMap(), controlPlane: bool(), name: name(256) }, [
      'name',
    ]),
    { maxItems: 100, minItems: 1 },
  );

const loadBalancer = (): Schema =>
  obj({
    customHAProxyConfigTemplateRef: obj(
      { name: str({ default: '' }) },
      undefined,
      { 'x-kubernetes-map-type': 'atomic' },
    ),
    imageRepository: str(),
    imageTag: str(),
  });

const dockerClusterSpec = (): Record<string, Schema> => ({
  failureDomains: failureDomains(),
  loadBalancer: loadBalancer(),
});

const devClusterSpec = (): Schema =>
  obj(
    {
      backend: obj({
        docker: obj(dockerClusterSpec()),
        inMemory: obj({}),
      }),
      controlPlaneEndpoint: endpoint(),
    },
    ['backend'],
  );

const provisioning = (): Schema =>
  obj({ startupDuration: str(), startupJitter: str() }, ['startupDuration']);

const dockerMachineSpec = (): Record<string, Schema> => ({
  bootstrapTimeout: str(),
  customImage: str(),
  extraMounts: list(
    obj({ containerPath: str(), hostPath: str(), readOnly: bool() }),
  ),
  preLoadImages: list(str()),
});

const devMachineSpec = (): Schema =>
  obj(
    {
      backend: obj({
        docker: obj(dockerMachineSpec()),
        inMemory: obj({
          apiServer: obj({ provisioning: provisioning() }),
          etcd: obj({ provisioning: provisioning() }),
          node: obj({ provisioning: provisioning() }),
          vm: obj({ provisioning: provisioning() }),
        }),
      }),
      providerID: name(512),
    },
    ['backend'],
  );

const clusterStatus = (): Schema =>
  obj({
    conditions: conditions(),
    deprecated: deprecatedStatus(),
    failureDomains: failureDomains(),
    initialization: obj({ provisioned: bool() }),
  });

const template = (spec: Schema): Schema =>
  obj(
    {
      template: obj({ metadata: templateMeta(), spec }, ['spec']),
    },
    ['template'],
  );

const capacity = (): Schema => obj({ capacity: mapOf(intOrString()) });

export const DEV_CLUSTER = kindSchema(devClusterSpec(), clusterStatus(), []);

export const DEV_CLUSTER_TEMPLATE = kindSchema(
  template(devClusterSpec()),
  undefined,
  [],
);

export const DEV_MACHINE = kindSchema(
  devMachineSpec(),
  obj({
    addresses: list(
      obj(
        {
          address: name(256),
          type: strEnum(
            'Hostname',
            'ExternalIP',
            'InternalIP',
            'ExternalDNS',
            'InternalDNS',
          ),
        },
        ['address', 'type'],
      ),
    ),
    conditions: conditions(),
    deprecated: deprecatedStatus(),
    failureDomain: name(256),
    initialization: obj({ provisioned: bool() }),
  }),
  [],
);

export const DEV_MACHINE_TEMPLATE = kindSchema(
  template(devMachineSpec()),
  capacity(),
  [],
);

export const DOCKER_CLUSTER = kindSchema(
  obj({ controlPlaneEndpoint: endpoint(), ...dockerClusterSpec() }),
  clusterStatus(),
  [],
);

export const DOCKER_CLUSTER_TEMPLATE = kindSchema(
  template(obj({ controlPlaneEndpoint: endpoint(), ...dockerClusterSpec() })),
  undefined,
  [],
);

export const DOCKER_MACHINE_TEMPLATE = kindSchema(
  template(obj({ ...dockerMachineSpec(), providerID: name(512) })),
  capacity(),
  [],
);
