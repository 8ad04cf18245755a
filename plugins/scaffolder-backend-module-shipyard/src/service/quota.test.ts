import {
  ManagementClusterStatus,
  noObjectCounts,
} from '@shipyard/plugin-shipyard-common';
import { checkQuota } from './quota';

function mc(
  name: string,
  state: ManagementClusterStatus['state'],
  resynced: boolean,
): ManagementClusterStatus {
  return {
    name,
    url: `https://${name}:6443`,
    state,
    resynced,
    objectCounts: noObjectCounts(),
    kinds: [],
  };
}

describe('checkQuota', () => {
  const synced = [
    mc('mgmt-a', 'connected', true),
    mc('mgmt-b', 'connected', true),
  ];
  const counter = (n: number) => {
    const calls: string[] = [];
    return {
      calls,
      countClustersOwnedBy: async (owner: string) => {
        calls.push(owner);
        return n;
      },
    };
  };

  it('lets a team under its quota request a cluster', async () => {
    const c = counter(2);
    await expect(
      checkQuota({
        owner: 'group:default/team-a',
        quota: 3,
        managementClusters: synced,
        backend: c,
      }),
    ).resolves.toBeUndefined();
    expect(c.calls).toEqual(['group:default/team-a']);
  });

  it('refuses a team at its quota, saying how many it owns and what to do', async () => {
    await expect(
      checkQuota({
        owner: 'group:default/team-a',
        quota: 3,
        managementClusters: synced,
        backend: counter(3),
      }),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringMatching(
        /group:default\/team-a already owns 3 clusters and its quota is 3; delete a cluster or ask the platform team/,
      ),
    });
  });

  it('does not count when the team has no quota', async () => {
    const c = counter(100);
    await checkQuota({
      owner: 'group:default/team-a',
      quota: undefined,
      managementClusters: [mc('mgmt-a', 'restored', false)],
      backend: c,
    });
    expect(c.calls).toEqual([]);
  });

  it.each([['restored'], ['syncing']] as const)(
    'refuses with 503 while a management cluster is %s and not yet listed since the backend started',
    async state => {
      const c = counter(0);
      await expect(
        checkQuota({
          owner: 'group:default/team-a',
          quota: 3,
          managementClusters: [...synced, mc('mgmt-c', state, false)],
          backend: c,
        }),
      ).rejects.toMatchObject({
        name: 'ServiceUnavailableError',
        message: expect.stringMatching(
          /quota of group:default\/team-a cannot be checked yet: Shipyard is still listing mgmt-c .*nothing was created\. Try again in a minute/,
        ),
      });
      expect(c.calls).toEqual([]);
    },
  );

  it.each([
    [
      'an unreachable management cluster, with its last known clusters as at any other time',
      'stale',
      false,
    ],
    [
      'a management cluster re-listing after it was listed once (after a 410 it keeps its clusters)',
      'syncing',
      true,
    ],
  ] as const)('counts beside %s', async (_what, state, resynced) => {
    const c = counter(1);
    await checkQuota({
      owner: 'group:default/team-a',
      quota: 3,
      managementClusters: [...synced, mc('mgmt-c', state, resynced)],
      backend: c,
    });
    expect(c.calls).toEqual(['group:default/team-a']);
  });
});
