/**
 * Structural schemas (v1beta2) of the kubeadm control plane and bootstrap kinds. The kubeadm
 * configuration documents themselves (`clusterConfiguration`, `initConfiguration`,
 * `joinConfiguration`, disk setup, ignition, NTP) are kept as given: the simulator never reads
 * them.
 */
import {
  Schema,
  atomicList,
  bool,
  conditions,
  contractRef,
  deprecatedStatus,
  freeObject,
  int32,
  int64,
  intOrString,
  kindSchema,
  list,
  mapList,
  name,
  obj,
  str,
  strEnum,
  templateMeta,
  time,
} from './dsl';

const secretKey = (): Schema =>
  obj({ secret: obj({ key: name(256), name: name() }, ['key', 'name']) }, [
    'secret',
  ]);

const commands = (): Schema =>
  atomicList(name(10240), { maxItems: 1000, minItems: 1 });

/** `KubeadmConfigSpec`: what kubeadm gets on a machine. */
export const kubeadmConfigSpec = (): Schema =>
  obj({
    bootCommands: commands(),
    clusterConfiguration: freeObject(),
    diskSetup: freeObject(),
    files: atomicList(
      obj(
        {
          append: bool(),
          content: name(10240),
          contentFormat: strEnum('Raw', 'Template'),
          contentFrom: secretKey(),
          encoding: strEnum('base64', 'gzip', 'gzip+base64'),
          owner: name(256),
          path: name(512),
          permissions: name(16),
        },
        ['path'],
      ),
    ),
    format: strEnum('cloud-config', 'ignition'),
    ignition: freeObject(),
    initConfiguration: freeObject(),
    joinConfiguration: freeObject(),
    mounts: atomicList(list(name(512), { maxItems: 100, minItems: 1 })),
    ntp: freeObject(),
    postKubeadmCommands: commands(),
    preKubeadmCommands: commands(),
    users: atomicList(
      obj(
        {
          gecos: name(256),
          groups: name(256),
          homeDir: name(256),
          inactive: bool(),
          lockPassword: bool(),
          name: name(256),
          passwd: name(256),
          passwdFrom: secretKey(),
          primaryGroup: name(256),
          shell: name(256),
          sshAuthorizedKeys: atomicList(name(2048)),
          sudo: name(256),
        },
        ['name'],
      ),
    ),
    verbosity: int32(),
  });

const gates = (): Schema =>
  mapList(
    ['conditionType'],
    obj(
      {
        conditionType: name(316),
        polarity: strEnum('Positive', 'Negative'),
      },
      ['conditionType'],
    ),
  );

const taints = (): Schema =>
  mapList(
    ['key', 'effect'],
    obj(
      {
        effect: strEnum('NoSchedule', 'PreferNoSchedule', 'NoExecute'),
        key: name(317),
        propagation: strEnum('Always', 'OnInitialization'),
        value: name(63),
      },
      ['effect', 'key', 'propagation'],
    ),
  );

const deletion = (): Schema =>
  obj({
    nodeDeletionTimeoutSeconds: int32({ minimum: 0 }),
    nodeDrainTimeoutSeconds: int32({ minimum: 0 }),
    nodeVolumeDetachTimeoutSeconds: int32({ minimum: 0 }),
  });

/** The parts of a KubeadmControlPlane spec its template shares. */
const controlPlaneTemplateParts = (
  withInfrastructureRef: boolean,
): Record<string, Schema> => ({
  kubeadmConfigSpec: kubeadmConfigSpec(),
  machineNaming: obj({ template: name(256) }),
  machineTemplate: withInfrastructureRef
    ? obj(
        {
          metadata: templateMeta(),
          spec: obj(
            {
              deletion: deletion(),
              infrastructureRef: contractRef(),
              readinessGates: gates(),
              taints: taints(),
            },
            ['infrastructureRef'],
          ),
        },
        ['spec'],
      )
    : obj({
        metadata: templateMeta(),
        spec: obj({ deletion: deletion(), taints: taints() }),
      }),
  remediation: obj({
    maxRetry: int32(),
    minHealthyPeriodSeconds: int32({ minimum: 0 }),
    retryPeriodSeconds: int32({ minimum: 0 }),
  }),
  rollout: obj({
    after: time(),
    before: obj({ certificatesExpiryDays: int32({ minimum: 7 }) }),
    strategy: obj(
      {
        rollingUpdate: obj({ maxSurge: intOrString() }),
        type: strEnum('RollingUpdate'),
      },
      ['type'],
    ),
  }),
});

export const KUBEADM_CONTROL_PLANE = kindSchema(
  obj(
    {
      ...controlPlaneTemplateParts(true),
      replicas: int32(),
      version: name(256),
    },
    ['machineTemplate', 'version'],
  ),
  obj({
    availableReplicas: int32(),
    conditions: conditions(),
    deprecated: deprecatedStatus({
      failureMessage: name(10240),
      failureReason: str(),
      readyReplicas: int32(),
      unavailableReplicas: int32(),
      updatedReplicas: int32(),
    }),
    initialization: obj({ controlPlaneInitialized: bool() }),
    lastRemediation: obj(
      {
        machine: name(),
        retryCount: int32({ minimum: 0 }),
        time: time(),
      },
      ['machine', 'retryCount', 'time'],
    ),
    observedGeneration: int64({ minimum: 1 }),
    readyReplicas: int32(),
    replicas: int32(),
    selector: name(4096),
    upToDateReplicas: int32(),
    version: name(256),
    versions: mapList(
      ['version'],
      obj({ replicas: int32({ minimum: 1 }), version: name(256) }, ['version']),
    ),
  }),
);

export const KUBEADM_CONTROL_PLANE_TEMPLATE = kindSchema(
  obj(
    {
      template: obj({
        metadata: templateMeta(),
        spec: obj(controlPlaneTemplateParts(false)),
      }),
    },
    ['template'],
  ),
  undefined,
  [],
);

export const KUBEADM_CONFIG = kindSchema(
  kubeadmConfigSpec(),
  obj({
    conditions: conditions(),
    dataSecretName: name(),
    deprecated: deprecatedStatus({
      failureMessage: name(10240),
      failureReason: str(),
    }),
    initialization: obj({ dataSecretCreated: bool() }),
    observedGeneration: int64({ minimum: 1 }),
  }),
  [],
);

export const KUBEADM_CONFIG_TEMPLATE = kindSchema(
  obj(
    {
      template: obj({
        metadata: templateMeta(),
        spec: kubeadmConfigSpec(),
      }),
    },
    ['template'],
  ),
  undefined,
  [],
);
