import { rolloutProgress, runsOtherVersion } from './rollout';

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

  it('is not complete while a controller has not yet observed the latest spec (its counters describe the previous one)', () => {
    // the topology controller has moved md-0 to the target; its status still counts the old Machines as up to date
    expect(
      rolloutProgress(
        {
          ...done,
          controlPlane: {
            desired: 3,
            current: 3,
            upToDate: 3,
            statusBehindSpec: true,
          },
          machineDeployments: [
            {
              name: 'md-0',
              version: 'v1.36.2',
              replicas: {
                desired: 2,
                current: 2,
                upToDate: 2,
                statusBehindSpec: true,
              },
            },
          ],
        },
        'v1.36.2',
      ),
    ).toEqual({
      complete: false,
      pending: [
        'control plane status behind its spec',
        'md-0 status behind its spec',
      ],
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

describe('runsOtherVersion', () => {
  it.each([
    ['v1.34.7', '1.34', 'v1.34.7-eks-ea14a35', 'eks', false],
    ['v1.34', '1.34', 'v1.34.7-eks-ea14a35', 'eks', false],
    ['1.35.5-gke.1167570', '1.35', 'v1.35.5-gke.1167570', 'gke', false],
    ['4.22.8', '1.35', 'v1.35.5+7cc98f2', 'openshift', false],
    ['v1.35.5', '1.35', 'v1.34.7', 'kubeadm', true],
    ['v1.35.5', '1.35', 'v1.35.4', 'kubeadm', true],
    ['v1.35.5+k3s1', '1.35', undefined, 'k3s', false],
  ])(
    'declared %s (%s), running %s (%s): %s',
    (kubernetesVersion, kubernetesMinor, observed, distribution, differs) => {
      expect(
        runsOtherVersion({
          kubernetesVersion,
          kubernetesMinor,
          observedKubernetesVersion: observed,
          distribution,
        }),
      ).toBe(differs);
    },
  );
});
