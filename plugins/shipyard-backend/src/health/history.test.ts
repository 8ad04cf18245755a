import { StoredClusterSummary } from '../index/FleetIndex';
import { firstEntry } from './history';

const created = '2026-03-01T10:00:00.000Z';
const now = Date.parse('2026-03-01T12:00:00Z');

function summary(
  health: StoredClusterSummary['health'],
  availableSince?: string,
): StoredClusterSummary {
  return {
    managementCluster: 'mc',
    namespace: 'team-a',
    name: 'c1',
    health,
    healthReasons: [],
    createdAt: created,
    conditions: availableSince
      ? [
          {
            type: 'Available',
            status: 'True',
            lastTransitionTime: availableSince,
          },
        ]
      : [],
  } as unknown as StoredClusterSummary;
}

describe('firstEntry', () => {
  it('begins a cluster that became healthy after its creation with provisioning at its creation', () => {
    const e = firstEntry(
      'mc/team-a/c1',
      summary('healthy', '2026-03-01T10:05:00Z'),
      now,
    );
    expect(e).toMatchObject({
      status: 'healthy',
      at: '2026-03-01T10:05:00.000Z',
      seed: [{ status: 'provisioning', at: created }],
    });
  });

  it('begins a cluster first seen healthy with provisioning even when Cluster API dates both in the same second', () => {
    // condition times have a resolution of a second: a cluster provisioned within the second of its creation
    const e = firstEntry('mc/team-a/c1', summary('healthy', created), now);
    expect(e).toMatchObject({
      status: 'healthy',
      at: created,
      seed: [{ status: 'provisioning', at: created }],
    });
  });

  it('begins a cluster first seen provisioning with that status at its creation, without a seed', () => {
    const e = firstEntry('mc/team-a/c1', summary('provisioning'), now);
    expect(e).toMatchObject({ status: 'provisioning', at: created });
    expect(e.seed).toBeUndefined();
  });
});
