/**
 * Structural schemas (v1beta2) of the `cluster.x-k8s.io` kinds: the subset of Cluster API's
 * types the simulator serves, validates and applies. Fields Cluster API defines that no
 * simulated controller reads are described where a user may write them, so that they are
 * kept and type-checked; deeply nested, rarely used parts are kept as given.
 */
import {
  Schema,
  anyValue,
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
  labelSelector,
  mapList,
  name,
  obj,
  str,
  strEnum,
  stringMap,
  templateMeta,
  templateRef,
  time,
} from './dsl';

const replicasStatus = (): Record<string, Schema> => ({
  availableReplicas: int32(),
  readyReplicas: int32(),
  replicas: int32(),
  upToDateReplicas: int32(),
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
    { maxItems: 32, minItems: 1 },
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
    { maxItems: 64, minItems: 1 },
  );

const nodeTimeouts = (): Record<string, Schema> => ({
  nodeDeletionTimeoutSeconds: int32({ minimum: 0 }),
  nodeDrainTimeoutSeconds: int32({ minimum: 0 }),
  nodeVolumeDetachTimeoutSeconds: int32({ minimum: 0 }),
});

const deletionOrder = () => strEnum('Random', 'Newest', 'Oldest');

const unhealthyConditions = () => ({
  unhealthyMachineConditions: atomicList(
    obj(
      {
        status: strEnum('True', 'False', 'Unknown'),
        timeoutSeconds: int32({ minimum: 0 }),
        type: name(316),
      },
      ['status', 'timeoutSeconds', 'type'],
    ),
  ),
  unhealthyNodeConditions: atomicList(
    obj(
      {
        status: str({ minLength: 1 }),
        timeoutSeconds: int32({ minimum: 0 }),
        type: str({ minLength: 1 }),
      },
      ['status', 'timeoutSeconds', 'type'],
    ),
  ),
});

const checks = (): Schema =>
  obj({
    nodeStartupTimeoutSeconds: int32({ minimum: 0 }),
    ...unhealthyConditions(),
  });

const triggerIf = (): Schema =>
  obj({
    unhealthyInRange: name(32),
    unhealthyLessThanOrEqualTo: intOrString(),
  });

/** A health check of a topology (`enabled` switches it) or of a ClusterClass. */
const healthCheck = (withMaxInFlight: boolean, topology = true): Schema =>
  obj({
    checks: checks(),
    ...(topology ? { enabled: bool() } : {}),
    remediation: obj({
      ...(withMaxInFlight ? { maxInFlight: intOrString() } : {}),
      templateRef: templateRef(),
      triggerIf: triggerIf(),
    }),
  });

const rolloutStrategy = (): Schema =>
  obj(
    {
      rollingUpdate: obj({
        maxSurge: intOrString(),
        maxUnavailable: intOrString(),
      }),
      type: strEnum('RollingUpdate', 'OnDelete'),
    },
    ['type'],
  );

const variableOverrides = (): Schema =>
  obj({
    overrides: mapList(
      ['name'],
      obj({ name: name(256), value: anyValue() }, ['name', 'value']),
    ),
  });

/** `spec` of a Machine, and of the machine template of MachineSets, MachineDeployments and MachinePools. */
const machineSpec = (): Schema =>
  obj(
    {
      bootstrap: obj({
        configRef: contractRef(),
        dataSecretName: str({ minLength: 0, maxLength: 253 }),
      }),
      clusterName: name(63),
      deletion: obj(nodeTimeouts()),
      failureDomain: name(256),
      infrastructureRef: contractRef(),
      minReadySeconds: int32({ minimum: 0 }),
      providerID: name(512),
      readinessGates: gates(),
      taints: taints(),
      version: name(256),
    },
    ['bootstrap', 'clusterName', 'infrastructureRef'],
  );

const machineTemplate = (): Schema =>
  obj({ metadata: templateMeta(), spec: machineSpec() }, ['spec']);

const versions = (): Schema =>
  mapList(
    ['version'],
    obj({ replicas: int32({ minimum: 1 }), version: name(256) }, ['version']),
  );

const failureDomains = (): Schema =>
  mapList(
    ['name'],
    obj(
      {
        attributes: stringMap(),
        controlPlane: bool(),
        name: name(256),
      },
      ['name'],
    ),
  );

const replicaSummary = (): Schema =>
  obj({
    ...replicasStatus(),
    desiredReplicas: int32(),
    upgradePlan: atomicList(obj({ version: name(256) }, ['version'])),
    versions: atomicList(
      obj({ replicas: int32({ minimum: 1 }), version: name(256) }, ['version']),
    ),
  });

const topologyWorker = (pool: boolean): Schema =>
  obj(
    {
      class: name(256),
      deletion: obj(
        pool ? nodeTimeouts() : { ...nodeTimeouts(), order: deletionOrder() },
      ),
      ...(pool
        ? { failureDomains: atomicList(name(256)) }
        : {
            failureDomain: name(256),
            healthCheck: healthCheck(true),
            readinessGates: gates(),
            rollout: obj({ after: time(), strategy: rolloutStrategy() }),
          }),
      metadata: templateMeta(),
      minReadySeconds: int32({ minimum: 0 }),
      name: name(63),
      replicas: int32(),
      taints: taints(),
      variables: variableOverrides(),
    },
    ['class', 'name'],
  );

export const CLUSTER = kindSchema(
  obj({
    availabilityGates: gates(),
    clusterNetwork: obj({
      apiServerPort: int32({ minimum: 1, maximum: 65535 }),
      pods: obj({ cidrBlocks: atomicList(name(43)) }, ['cidrBlocks']),
      serviceDomain: name(),
      services: obj({ cidrBlocks: atomicList(name(43)) }, ['cidrBlocks']),
    }),
    controlPlaneEndpoint: obj({
      host: name(512),
      port: int32({ minimum: 1, maximum: 65535 }),
    }),
    controlPlaneRef: contractRef(),
    infrastructureRef: contractRef(),
    paused: bool(),
    topology: obj(
      {
        classRef: obj({ name: name(), namespace: name(63) }, ['name']),
        controlPlane: obj({
          deletion: obj(nodeTimeouts()),
          healthCheck: healthCheck(false),
          metadata: templateMeta(),
          readinessGates: gates(),
          replicas: int32(),
          rollout: obj({ after: time() }),
          taints: taints(),
          variables: variableOverrides(),
        }),
        variables: mapList(
          ['name'],
          obj({ name: name(256), value: anyValue() }, ['name', 'value']),
        ),
        version: name(256),
        workers: obj({
          machineDeployments: mapList(['name'], topologyWorker(false)),
          machinePools: mapList(['name'], topologyWorker(true)),
        }),
      },
      ['classRef', 'version'],
    ),
  }),
  obj({
    conditions: conditions(),
    controlPlane: replicaSummary(),
    deprecated: deprecatedStatus({
      failureMessage: name(10240),
      failureReason: str(),
    }),
    failureDomains: failureDomains(),
    initialization: obj({
      controlPlaneInitialized: bool(),
      infrastructureProvisioned: bool(),
    }),
    observedGeneration: int64({ minimum: 1 }),
    phase: strEnum(
      'Pending',
      'Provisioning',
      'Provisioned',
      'Deleting',
      'Failed',
      'Unknown',
    ),
    workers: replicaSummary(),
  }),
);

/** An OpenAPI schema given by a user (ClusterClass variables): its own shape is not checked. */
const variableSchema = (): Schema =>
  obj({ openAPIV3Schema: freeObject() }, ['openAPIV3Schema']);

const classWorker = (pool: boolean): Schema =>
  obj(
    {
      bootstrap: obj({ templateRef: templateRef() }, ['templateRef']),
      class: name(256),
      deletion: obj(
        pool ? nodeTimeouts() : { ...nodeTimeouts(), order: deletionOrder() },
      ),
      ...(pool
        ? { failureDomains: atomicList(name(256)) }
        : {
            failureDomain: name(256),
            healthCheck: healthCheck(true, false),
            readinessGates: gates(),
            rollout: obj({ strategy: rolloutStrategy() }),
          }),
      infrastructure: obj({ templateRef: templateRef() }, ['templateRef']),
      metadata: templateMeta(),
      minReadySeconds: int32({ minimum: 0 }),
      naming: obj({ template: name(1024) }),
      taints: taints(),
    },
    ['bootstrap', 'class', 'infrastructure'],
  );

export const CLUSTER_CLASS = kindSchema(
  obj(
    {
      availabilityGates: gates(),
      controlPlane: obj(
        {
          deletion: obj(nodeTimeouts()),
          healthCheck: healthCheck(false, false),
          machineInfrastructure: obj({ templateRef: templateRef() }, [
            'templateRef',
          ]),
          metadata: templateMeta(),
          naming: obj({ template: name(1024) }),
          readinessGates: gates(),
          taints: taints(),
          templateRef: templateRef(),
        },
        ['templateRef'],
      ),
      infrastructure: obj(
        { naming: obj({ template: name(1024) }), templateRef: templateRef() },
        ['templateRef'],
      ),
      kubernetesVersions: atomicList(name(256)),
      patches: atomicList(
        obj(
          {
            definitions: atomicList(
              obj(
                {
                  jsonPatches: atomicList(
                    obj(
                      {
                        op: strEnum('add', 'replace', 'remove'),
                        path: name(512),
                        value: anyValue(),
                        valueFrom: obj({
                          template: name(10240),
                          variable: name(256),
                        }),
                      },
                      ['op', 'path'],
                    ),
                  ),
                  selector: obj(
                    {
                      apiVersion: name(317),
                      kind: name(63),
                      matchResources: obj({
                        controlPlane: bool(),
                        infrastructureCluster: bool(),
                        machineDeploymentClass: obj({
                          names: atomicList(name(256)),
                        }),
                        machinePoolClass: obj({
                          names: atomicList(name(256)),
                        }),
                      }),
                    },
                    ['apiVersion', 'kind', 'matchResources'],
                  ),
                },
                ['jsonPatches', 'selector'],
              ),
            ),
            description: name(1024),
            enabledIf: name(256),
            external: obj({
              discoverVariablesExtension: name(512),
              generatePatchesExtension: name(512),
              settings: stringMap(),
              validateTopologyExtension: name(512),
            }),
            name: name(256),
          },
          ['name'],
        ),
      ),
      upgrade: obj({
        external: obj({ generateUpgradePlanExtension: name(512) }),
      }),
      variables: atomicList(
        obj(
          {
            deprecatedV1Beta1Metadata: templateMeta(),
            name: name(256),
            required: bool(),
            schema: variableSchema(),
          },
          ['name', 'required', 'schema'],
        ),
      ),
      workers: obj({
        machineDeployments: mapList(['class'], classWorker(false)),
        machinePools: mapList(['class'], classWorker(true)),
      }),
    },
    ['controlPlane', 'infrastructure'],
  ),
  obj({
    conditions: conditions(),
    deprecated: deprecatedStatus(),
    observedGeneration: int64({ minimum: 1 }),
    variables: atomicList(
      obj(
        {
          definitions: atomicList(
            obj(
              {
                deprecatedV1Beta1Metadata: templateMeta(),
                from: name(256),
                required: bool(),
                schema: variableSchema(),
              },
              ['from', 'required', 'schema'],
            ),
          ),
          definitionsConflict: bool(),
          name: name(256),
        },
        ['definitions', 'name'],
      ),
    ),
  }),
);

const machineSetLikeSpec = (deployment: boolean): Schema =>
  obj(
    {
      clusterName: name(63),
      deletion: obj({ order: deletionOrder() }),
      machineNaming: obj({ template: name(256) }),
      ...(deployment
        ? {
            paused: bool(),
            remediation: obj({ maxInFlight: intOrString() }),
            rollout: obj({ after: time(), strategy: rolloutStrategy() }),
          }
        : {}),
      replicas: int32(),
      selector: labelSelector(),
      template: machineTemplate(),
    },
    ['clusterName', 'selector', 'template'],
  );

export const MACHINE_DEPLOYMENT = kindSchema(
  machineSetLikeSpec(true),
  obj({
    ...replicasStatus(),
    conditions: conditions(),
    deprecated: deprecatedStatus({
      availableReplicas: int32(),
      readyReplicas: int32(),
      unavailableReplicas: int32(),
      updatedReplicas: int32(),
    }),
    observedGeneration: int64({ minimum: 1 }),
    phase: strEnum('ScalingUp', 'ScalingDown', 'Running', 'Failed', 'Unknown'),
    selector: name(4096),
    versions: versions(),
  }),
);

export const MACHINE_SET = kindSchema(
  machineSetLikeSpec(false),
  obj({
    ...replicasStatus(),
    conditions: conditions(),
    deprecated: deprecatedStatus({
      availableReplicas: int32(),
      failureMessage: name(10240),
      failureReason: str(),
      fullyLabeledReplicas: int32(),
      readyReplicas: int32(),
    }),
    observedGeneration: int64({ minimum: 1 }),
    selector: name(4096),
    versions: versions(),
  }),
);

export const MACHINE = kindSchema(
  machineSpec(),
  obj({
    addresses: atomicList(
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
      { maxItems: 256 },
    ),
    certificatesExpiryDate: time(),
    conditions: conditions(),
    deletion: obj({
      nodeDrainStartTime: time(),
      waitForNodeVolumeDetachStartTime: time(),
      waitForPreDrainHookStartTime: time(),
      waitForPreTerminateHookStartTime: time(),
    }),
    deprecated: deprecatedStatus({
      failureMessage: name(10240),
      failureReason: str(),
    }),
    failureDomain: name(256),
    initialization: obj({
      bootstrapDataSecretCreated: bool(),
      infrastructureProvisioned: bool(),
    }),
    lastUpdated: time(),
    nodeInfo: obj(
      {
        architecture: str(),
        bootID: str(),
        containerRuntimeVersion: str(),
        kernelVersion: str(),
        kubeProxyVersion: str(),
        kubeletVersion: str(),
        machineID: str(),
        operatingSystem: str(),
        osImage: str(),
        swap: obj({ capacity: int64() }),
        systemUUID: str(),
      },
      [
        'architecture',
        'bootID',
        'containerRuntimeVersion',
        'kernelVersion',
        'kubeProxyVersion',
        'kubeletVersion',
        'machineID',
        'operatingSystem',
        'osImage',
        'systemUUID',
      ],
    ),
    nodeRef: obj({ name: name() }, ['name']),
    observedGeneration: int64({ minimum: 1 }),
    phase: strEnum(
      'Pending',
      'Provisioning',
      'Provisioned',
      'Running',
      'Updating',
      'Deleting',
      'Deleted',
      'Failed',
      'Unknown',
    ),
  }),
);

export const MACHINE_POOL = kindSchema(
  obj(
    {
      clusterName: name(63),
      failureDomains: atomicList(name(256), { maxItems: 100 }),
      providerIDList: atomicList(name(512), { maxItems: 10000 }),
      replicas: int32(),
      template: machineTemplate(),
    },
    ['clusterName', 'template'],
  ),
  obj({
    ...replicasStatus(),
    conditions: conditions(),
    deprecated: deprecatedStatus({
      availableReplicas: int32(),
      failureMessage: name(10240),
      failureReason: str(),
      readyReplicas: int32(),
      unavailableReplicas: int32(),
    }),
    initialization: obj({
      bootstrapDataSecretCreated: bool(),
      infrastructureProvisioned: bool(),
    }),
    nodeRefs: atomicList(
      obj(
        {
          apiVersion: str(),
          fieldPath: str(),
          kind: str(),
          name: str(),
          namespace: str(),
          resourceVersion: str(),
          uid: str(),
        },
        undefined,
        { 'x-kubernetes-map-type': 'atomic' },
      ),
      { maxItems: 10000 },
    ),
    observedGeneration: int64({ minimum: 1 }),
    phase: strEnum(
      'Pending',
      'Provisioning',
      'Provisioned',
      'Running',
      'ScalingUp',
      'ScalingDown',
      'Scaling',
      'Deleting',
      'Failed',
      'Unknown',
    ),
    versions: versions(),
  }),
);

export const MACHINE_HEALTH_CHECK = kindSchema(
  obj(
    {
      checks: checks(),
      clusterName: name(63),
      remediation: obj({ templateRef: templateRef(), triggerIf: triggerIf() }),
      selector: labelSelector(),
    },
    ['clusterName', 'selector'],
  ),
  obj({
    conditions: conditions(),
    currentHealthy: int32({ minimum: 0 }),
    deprecated: deprecatedStatus(),
    expectedMachines: int32({ minimum: 0 }),
    observedGeneration: int64({ minimum: 1 }),
    remediationsAllowed: int32({ minimum: 0 }),
    targets: atomicList(name(), { maxItems: 10000 }),
  }),
);
