import { rolloutProgress } from './rollout';

describe('rolloutProgress', () => {
  const done = {
    kubernetesVersion: 'v1.36.2',
    conditions: [{ type: 'RollingOut', status: 'False' as const }],
    controlPlane: { desired: 3, current: 3, upToDate: 3 },
    machineDeployments: [
      {
        name: 'md-0',
        version: 'v1.36.2',
        replicas: { desired: 2, current: 2, upToDate: 2 },
      },
    ],
    machinePools: [],
  };

  it('is complete when Cluster API says everything is up to date on the target', () => {
    expect(rolloutProgress(done, 'v1.36.2')).toEqual({
      complete: true,
      pending: [],
    });
  });

  it('names what is still rolling out', () => {
    expect(
      rolloutProgress(
        {
          ...done,
          conditions: [
            { type: 'RollingOut', status: 'True' },
            { type: 'WorkerMachinesUpToDate', status: 'False' },
          ],
          controlPlane: { desired: 3, current: 4, upToDate: 3 },
          machineDeployments: [
            {
              name: 'md-0',
              version: 'v1.36.2',
              replicas: { desired: 2, current: 2, upToDate: 0 },
            },
            {
              name: 'md-1',
              version: 'v1.35.5',
              replicas: { desired: 2, current: 2, upToDate: 2 },
            },
          ],
        },
        'v1.36.2',
      ).pending,
    ).toEqual([
      'rolling out',
      'WorkerMachinesUpToDate is False',
      'control plane 1 old replica still running',
      'md-0 0/2 up to date',
      'md-1 on v1.35.5',
    ]);
    expect(rolloutProgress(done, 'v1.37.0').pending).toEqual([
      'desired version v1.36.2, not v1.37.0',
      'md-0 on v1.36.2',
    ]);
  });
});
