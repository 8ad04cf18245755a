import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { PolicyQueryUser } from '@backstage/plugin-permission-node';
import { catalogEntityDeletePermission } from '@backstage/plugin-catalog-common/alpha';
import {
  shipyardClusterCreatePermission,
  shipyardClusterReadPermission,
  shipyardClusterChangePermissions,
  shipyardClusterUpdatePermission,
  shipyardRolloutApprovePermission,
  shipyardRolloutCreatePermission,
  shipyardRolloutOperatePermission,
} from '@shipyard/plugin-shipyard-common';
import { ShipyardPortalPolicy } from './ShipyardPortalPolicy';

const user = (...ownershipEntityRefs: string[]): PolicyQueryUser =>
  ({
    identity: {
      type: 'user',
      userEntityRef: ownershipEntityRefs[0],
      ownershipEntityRefs,
    },
    info: { userEntityRef: ownershipEntityRefs[0], ownershipEntityRefs },
    token: 'token',
    credentials: {} as any,
  } as any);

describe('ShipyardPortalPolicy', () => {
  const policy = new ShipyardPortalPolicy({
    platformTeam: 'group:default/platform-team',
    restrictReadToOwners: true,
  });
  const alice = user('user:default/alice', 'group:default/team-a');
  const pat = user('user:default/pat', 'group:default/platform-team');

  it('lets the platform team do everything', async () => {
    for (const permission of [
      shipyardClusterReadPermission,
      shipyardClusterUpdatePermission,
      catalogEntityDeletePermission,
    ]) {
      expect((await policy.handle({ permission }, pat)).result).toBe(
        AuthorizeResult.ALLOW,
      );
    }
  });

  it('limits pause, scale and delete of a cluster to its owners, and lets the platform team do them', async () => {
    for (const permission of shipyardClusterChangePermissions) {
      expect(await policy.handle({ permission }, alice)).toEqual({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'shipyard',
        resourceType: 'shipyard-cluster',
        conditions: {
          rule: 'IS_CLUSTER_OWNER',
          resourceType: 'shipyard-cluster',
          params: { claims: ['user:default/alice', 'group:default/team-a'] },
        },
      });
      expect((await policy.handle({ permission }, pat)).result).toBe(
        AuthorizeResult.ALLOW,
      );
    }
    expect(shipyardClusterChangePermissions.map(p => p.name)).toEqual([
      'shipyard.cluster.update',
      'shipyard.cluster.pause',
      'shipyard.cluster.scale',
      'shipyard.cluster.delete',
    ]);
  });

  it('limits cluster updates and reads to the owners', async () => {
    const update = await policy.handle(
      { permission: shipyardClusterUpdatePermission },
      alice,
    );
    expect(update).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'shipyard',
      resourceType: 'shipyard-cluster',
      conditions: {
        rule: 'IS_CLUSTER_OWNER',
        resourceType: 'shipyard-cluster',
        params: { claims: ['user:default/alice', 'group:default/team-a'] },
      },
    });
    const read = await policy.handle(
      { permission: shipyardClusterReadPermission },
      alice,
    );
    expect(read.result).toBe(AuthorizeResult.CONDITIONAL);
  });

  it('limits rollouts to the owners of their clusters', async () => {
    for (const permission of [
      shipyardRolloutCreatePermission,
      shipyardRolloutApprovePermission,
      shipyardRolloutOperatePermission,
    ]) {
      expect(await policy.handle({ permission }, alice)).toMatchObject({
        result: AuthorizeResult.CONDITIONAL,
        conditions: { rule: 'IS_CLUSTER_OWNER' },
      });
      expect((await policy.handle({ permission }, pat)).result).toBe(
        AuthorizeResult.ALLOW,
      );
    }
  });

  it('lets everyone read when reads are not restricted, and request clusters', async () => {
    const open = new ShipyardPortalPolicy({
      platformTeam: 'group:default/platform-team',
      restrictReadToOwners: false,
    });
    expect(
      (await open.handle({ permission: shipyardClusterReadPermission }, alice))
        .result,
    ).toBe(AuthorizeResult.ALLOW);
    expect(
      (
        await open.handle(
          { permission: shipyardClusterCreatePermission },
          alice,
        )
      ).result,
    ).toBe(AuthorizeResult.ALLOW);
  });

  it('lets users delete only the catalog entities they own', async () => {
    const decision = await policy.handle(
      { permission: catalogEntityDeletePermission },
      alice,
    );
    expect(decision.result).toBe(AuthorizeResult.CONDITIONAL);
  });
});
