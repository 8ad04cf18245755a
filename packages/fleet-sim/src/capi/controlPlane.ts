/** The control plane object of every flavor: spec and status. */
import { Flavor, KindRef } from './distributions';
import { hostedDatastore, hostedEndpoint } from './hosted';
import {
  Cond,
  Counts,
  check,
  conditions,
  no,
  v1beta1Conditions,
} from './conditions';
import {
  LABELS,
  MetaInput,
  apiVersion,
  contractRef,
  objectMeta,
} from './kinds';
import { JsonObject, asObject } from '../util/json';

/** The Available message of a control plane that is down: machine-based ones name etcd, managed ones the endpoint. */
export function controlPlaneDownMessage(machineBased: boolean): string {
  return machineBased
    ? '* EtcdClusterHealthy: etcd members are not healthy'
    : 'control plane endpoint is not responding';
}

/** The label selector of a cluster's control plane Machines, as a control plane's status shows it. */
export function controlPlaneSelector(clusterName: string): string {
  return `${LABELS.clusterName}=${clusterName},${LABELS.controlPlane}`;
}

/** The bootstrap config kind of a control plane's Machines: KubeadmConfig for kubeadm, none for the others. */
export function controlPlaneBootstrapKind(
  controlPlaneKind: string,
): KindRef | undefined {
  return controlPlaneKind === 'KubeadmControlPlane'
    ? {
        group: 'bootstrap.cluster.x-k8s.io',
        version: 'v1beta2',
        kind: 'KubeadmConfig',
      }
    : undefined;
}

export interface ControlPlaneState {
  flavor: Flavor;
  counts: Counts;
  initialized: boolean;
  available: boolean;
  availableMessage?: string;
  version?: string;
  generation: number;
  at: number;
  previous?: JsonObject;
  selector: string;
  rollingOut?: boolean;
  deleting?: boolean;
}

/** Status of the control plane object of any flavor. */
export function controlPlaneStatus(s: ControlPlaneState): JsonObject {
  const c = s.counts;
  const kind = s.flavor.controlPlane.kind;
  const v1beta2Shape =
    s.flavor.controlPlane.version === 'v1beta2' &&
    kind !== 'AWSManagedControlPlane' &&
    kind !== 'ROSAControlPlane';
  const list: Cond[] = [
    check(
      'Available',
      s.available,
      'Available',
      'NotAvailable',
      s.availableMessage ?? 'control plane is not available',
    ),
    check(
      'Initialized',
      s.initialized,
      'Initialized',
      'NotInitialized',
      'control plane not yet initialized',
    ),
  ];
  if (s.flavor.machineControlPlane) {
    list.push(
      check('CertificatesAvailable', true, 'Available', 'NotAvailable'),
      check(
        'EtcdClusterHealthy',
        s.available,
        'Healthy',
        'NotHealthy',
        s.availableMessage,
      ),
      check(
        'ControlPlaneComponentsHealthy',
        s.available,
        'Healthy',
        'NotHealthy',
        s.availableMessage,
      ),
      check('MachinesReady', c.ready >= c.replicas, 'Ready', 'NotReady'),
      check(
        'MachinesUpToDate',
        c.upToDate >= c.replicas,
        'UpToDate',
        'NotUpToDate',
      ),
      check(
        'RollingOut',
        Boolean(s.rollingOut),
        'RollingOut',
        'NotRollingOut',
        undefined,
        'Rolling out',
      ),
      check('ScalingUp', c.replicas < c.desired, 'ScalingUp', 'NotScalingUp'),
      check(
        'ScalingDown',
        c.replicas > c.desired,
        'ScalingDown',
        'NotScalingDown',
      ),
      no('Remediating', 'NotRemediating'),
      check('Deleting', Boolean(s.deleting), 'Deleting', 'NotDeleting'),
      no('Paused', 'NotPaused'),
    );
  }
  const conds = conditions(
    list,
    s.at,
    s.generation,
    v1beta2Shape
      ? s.previous?.conditions
      : asObject(s.previous?.v1beta2)?.conditions,
  );
  const status: JsonObject = { observedGeneration: s.generation };
  if (v1beta2Shape) {
    Object.assign(status, {
      conditions: conds,
      initialization: { controlPlaneInitialized: s.initialized },
      replicas: c.replicas,
      readyReplicas: c.ready,
      availableReplicas: c.available,
      upToDateReplicas: c.upToDate,
      selector: s.selector,
      deprecated: {
        v1beta1: {
          readyReplicas: c.ready,
          updatedReplicas: c.upToDate,
          unavailableReplicas: Math.max(0, c.desired - c.available),
          conditions: v1beta1Conditions(
            [{ type: 'Ready', ok: s.available, reason: 'NotReady' }],
            s.at,
            asObject(asObject(s.previous?.deprecated)?.v1beta1)?.conditions,
          ),
        },
      },
    });
  } else {
    Object.assign(status, {
      ready: s.available,
      initialized: s.initialized,
      conditions: v1beta1Conditions(
        [
          { type: 'Ready', ok: s.available, reason: 'ControlPlaneNotReady' },
          {
            type: 'ControlPlaneReady',
            ok: s.available,
            reason: 'ControlPlaneNotReady',
          },
        ],
        s.at,
        s.previous?.conditions,
      ),
      v1beta2: { conditions: conds },
    });
    if (s.flavor.machineControlPlane || s.flavor.hosted) {
      Object.assign(status, {
        replicas: c.replicas,
        readyReplicas: c.ready,
        updatedReplicas: c.upToDate,
        unavailableReplicas: Math.max(0, c.desired - c.available),
        selector: s.selector,
      });
    }
    if (
      kind === 'AWSManagedControlPlane' ||
      kind === 'ROSAControlPlane' ||
      s.flavor.hosted
    ) {
      status.externalManagedControlPlane = true;
    }
  }
  if (s.version) {
    if (kind === 'GCPManagedControlPlane') status.currentVersion = s.version;
    else status.version = s.version;
  }
  return status;
}

/** Status of an infrastructure cluster or infrastructure machine pool. */

export interface ControlPlaneInput {
  flavor: Flavor;
  clusterName: string;
  replicas: number;
  specVersion: string;
  region: string;
  machineTemplate?: { kind: KindRef; name: string };
  /** The management cluster (for the endpoint of a control plane hosted there). */
  management?: string;
}

export function controlPlaneObject(
  meta: MetaInput,
  input: ControlPlaneInput,
): JsonObject {
  const ref = input.flavor.controlPlane;
  const spec: JsonObject = {};
  switch (ref.kind) {
    case 'KubeadmControlPlane':
      spec.replicas = input.replicas;
      spec.version = input.specVersion;
      spec.machineTemplate = {
        spec: {
          infrastructureRef: input.machineTemplate
            ? contractRef(
                input.machineTemplate.kind,
                input.machineTemplate.name,
              )
            : null,
        },
      };
      spec.kubeadmConfigSpec = {
        clusterConfiguration: {
          apiServer: { certSANs: ['localhost', '127.0.0.1'] },
        },
        initConfiguration: { nodeRegistration: {} },
        joinConfiguration: { nodeRegistration: {} },
      };
      spec.rollout = {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } },
      };
      break;
    case 'KThreesControlPlane':
    case 'RKE2ControlPlane':
      spec.replicas = input.replicas;
      spec.version = input.specVersion;
      spec.machineTemplate = {
        spec: {
          infrastructureRef: input.machineTemplate
            ? contractRef(
                input.machineTemplate.kind,
                input.machineTemplate.name,
              )
            : null,
        },
      };
      break;
    case 'K0sControlPlane':
      spec.replicas = input.replicas;
      spec.version = input.specVersion;
      spec.machineTemplate = {
        infrastructureRef: input.machineTemplate
          ? {
              apiVersion: apiVersion(input.machineTemplate.kind),
              kind: input.machineTemplate.kind.kind,
              name: input.machineTemplate.name,
              namespace: meta.namespace,
            }
          : null,
      };
      spec.k0sConfigSpec = {
        k0s: { apiVersion: 'k0s.k0sproject.io/v1beta1', kind: 'ClusterConfig' },
      };
      break;
    case 'K0smotronControlPlane': {
      const endpoint = hostedEndpoint(
        input.management ?? '',
        meta.namespace,
        meta.name,
        'k0smotron',
      );
      spec.replicas = input.replicas;
      spec.version = input.specVersion;
      spec.externalAddress = endpoint.host;
      spec.service = {
        type: 'NodePort',
        apiPort: endpoint.port,
        konnectivityPort: 30132,
      };
      spec.persistence = { type: 'emptyDir' };
      Object.assign(
        spec,
        hostedDatastore('k0smotron', meta.name, meta.namespace),
      );
      break;
    }
    case 'KamajiControlPlane': {
      const endpoint = hostedEndpoint(
        input.management ?? '',
        meta.namespace,
        meta.name,
        'kamaji',
      );
      spec.replicas = input.replicas;
      spec.version = input.specVersion;
      spec.controlPlaneEndpoint = endpoint;
      spec.network = {
        serviceType: 'LoadBalancer',
        serviceAddress: endpoint.host,
      };
      spec.addons = { coreDNS: {}, kubeProxy: {}, konnectivity: {} };
      spec.kubelet = {
        cgroupfs: 'systemd',
        preferredAddressTypes: ['Hostname', 'InternalIP', 'ExternalIP'],
      };
      Object.assign(spec, hostedDatastore('kamaji', meta.name, meta.namespace));
      break;
    }
    case 'AWSManagedControlPlane':
      spec.version = input.specVersion;
      spec.region = input.region;
      spec.eksClusterName = `${meta.namespace}_${input.clusterName}`;
      spec.endpointAccess = { public: false, private: true };
      break;
    case 'ROSAControlPlane':
      spec.version = input.specVersion;
      spec.region = input.region;
      spec.rosaClusterName = input.clusterName.slice(0, 15);
      spec.channelGroup = 'stable';
      break;
    case 'AzureManagedControlPlane':
      spec.version = input.specVersion;
      spec.location = input.region;
      spec.resourceGroupName = `rg-${meta.namespace}-${input.clusterName}`;
      spec.sku = { tier: 'Standard' };
      spec.networkPlugin = 'azure';
      break;
    case 'GCPManagedControlPlane':
      spec.controlPlaneVersion = input.specVersion;
      spec.location = input.region;
      spec.project = `shipyard-${meta.namespace}`;
      spec.releaseChannel = 'regular';
      break;
    default:
      spec.version = input.specVersion;
  }
  return {
    apiVersion: apiVersion(ref),
    kind: ref.kind,
    metadata: objectMeta(meta),
    spec,
  };
}
