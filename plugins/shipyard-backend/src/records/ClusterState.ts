import { ClusterAddonSummary } from '@shipyard/plugin-shipyard-common';
import {
  ClusterRecord,
  MachineDeploymentRecord,
  MachineHealthCheckRecord,
  MachinePoolRecord,
  MachineRecord,
  MachineSetRecord,
  ResourceSetBindingRecord,
} from './types';

/** Everything known about one CAPI Cluster on one management cluster. */
export class ClusterState {
  cluster?: ClusterRecord;
  readonly machineDeployments = new Map<string, MachineDeploymentRecord>();
  readonly machineSets = new Map<string, MachineSetRecord>();
  readonly machines = new Map<string, MachineRecord>();
  readonly machinePools = new Map<string, MachinePoolRecord>();
  readonly machineHealthChecks = new Map<string, MachineHealthCheckRecord>();
  /** HelmReleaseProxies of the cluster by name, as add-ons (created with the first). */
  helmReleases?: Map<string, ClusterAddonSummary>;
  /** The bindings of the cluster's ClusterResourceSetBinding. */
  resourceSetBindings?: ResourceSetBindingRecord[];

  constructor(readonly namespace: string, readonly name: string) {}

  get isEmpty(): boolean {
    return (
      !this.cluster &&
      this.machineDeployments.size === 0 &&
      this.machineSets.size === 0 &&
      this.machines.size === 0 &&
      this.machinePools.size === 0 &&
      this.machineHealthChecks.size === 0 &&
      !this.helmReleases &&
      !this.resourceSetBindings
    );
  }
}
