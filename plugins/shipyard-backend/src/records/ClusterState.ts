import {
  ClusterRecord,
  MachineDeploymentRecord,
  MachineHealthCheckRecord,
  MachinePoolRecord,
  MachineRecord,
  MachineSetRecord,
} from './types';

/** Everything known about one CAPI Cluster on one management cluster. */
export class ClusterState {
  cluster?: ClusterRecord;
  readonly machineDeployments = new Map<string, MachineDeploymentRecord>();
  readonly machineSets = new Map<string, MachineSetRecord>();
  readonly machines = new Map<string, MachineRecord>();
  readonly machinePools = new Map<string, MachinePoolRecord>();
  readonly machineHealthChecks = new Map<string, MachineHealthCheckRecord>();

  constructor(readonly namespace: string, readonly name: string) {}

  get isEmpty(): boolean {
    return (
      !this.cluster &&
      this.machineDeployments.size === 0 &&
      this.machineSets.size === 0 &&
      this.machines.size === 0 &&
      this.machinePools.size === 0 &&
      this.machineHealthChecks.size === 0
    );
  }
}
