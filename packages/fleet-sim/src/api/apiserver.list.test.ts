import { LabelSelector, parseLabelSelector } from './selectors';
import { testApi, TestApi } from '../__testUtils__';
import { CLUSTERS, cluster, expectApiError } from '../__testUtils__/apiserver';
import { JsonObject } from '../util/json';

describe('ApiServer lists and versions', () => {
  let t: TestApi;
  beforeEach(() => {
    t = testApi();
  });
  afterEach(() => t.stop());

  describe('list', () => {
    beforeEach(() => {
      for (let i = 0; i < 10; i++) {
        t.api.create(
          t.type(CLUSTERS),
          i % 2 ? 'team-a' : 'default',
          cluster(`c${i}`, {
            metadata: {
              labels: { idx: String(i), parity: i % 2 ? 'odd' : 'even' },
            },
          }),
        );
      }
    });

    const names = (texts: string[]) =>
      texts.map(x => JSON.parse(x).metadata.name);

    it('filters by namespace and label selector', () => {
      expect(
        names(t.api.list(t.type(CLUSTERS), { namespace: 'team-a' }).texts),
      ).toEqual(['c1', 'c3', 'c5', 'c7', 'c9']);
      expect(
        names(
          t.api.list(t.type(CLUSTERS), {
            labelSelector: parseLabelSelector('parity=even,idx notin (0,2)'),
          }).texts,
        ),
      ).toEqual(['c4', 'c6', 'c8']);
    });

    it('pages with limit/continue over a consistent snapshot', () => {
      const page1 = t.api.list(t.type(CLUSTERS), { limit: 4 });
      expect(names(page1.texts)).toEqual(['c0', 'c2', 'c4', 'c6']);
      expect(page1.remainingItemCount).toBe(6);
      // Changes after the first page must not leak into later pages.
      t.api.delete(t.type(CLUSTERS), 'team-a', 'c9');
      t.api.create(t.type(CLUSTERS), 'team-a', cluster('zz'));
      t.api.patch(t.type(CLUSTERS), 'team-a', 'c1', 'merge', {
        metadata: { labels: { changed: 'yes' } },
      });
      const page2 = t.api.list(t.type(CLUSTERS), {
        limit: 4,
        continueToken: page1.continueToken,
      });
      const page3 = t.api.list(t.type(CLUSTERS), {
        limit: 4,
        continueToken: page2.continueToken,
      });
      expect(page3.continueToken).toBeUndefined();
      const rest = [...page2.texts, ...page3.texts].map(x => JSON.parse(x));
      expect(rest.map(o => o.metadata.name)).toEqual([
        'c8',
        'c1',
        'c3',
        'c5',
        'c7',
        'c9',
      ]);
      expect(
        rest.find(o => o.metadata.name === 'c1').metadata.labels.changed,
      ).toBeUndefined();
      expect(page2.resourceVersion).toBe(page1.resourceVersion);
    });

    it('expires continue tokens once their resourceVersion is compacted', () => {
      const page1 = t.api.list(t.type(CLUSTERS), { limit: 2 });
      t.api.patch(t.type(CLUSTERS), 'team-a', 'c1', 'merge', {
        metadata: { labels: { x: 'y' } },
      });
      expect(
        t.api.list(t.type(CLUSTERS), {
          limit: 2,
          continueToken: page1.continueToken,
        }).texts,
      ).toHaveLength(2);
      t.api.store.compact();
      const gone = expectApiError(
        () =>
          t.api.list(t.type(CLUSTERS), {
            limit: 2,
            continueToken: page1.continueToken,
          }),
        410,
        'Expired',
      );
      expect(gone.message).toContain('continue parameter is too old');
      expectApiError(
        () => t.api.list(t.type(CLUSTERS), { continueToken: 'garbage' }),
        400,
      );
    });

    it('serves exact resourceVersions from history', () => {
      const before = t.api.list(t.type(CLUSTERS), {});
      t.api.delete(t.type(CLUSTERS), 'default', 'c0');
      const exact = t.api.list(t.type(CLUSTERS), {
        resourceVersion: before.resourceVersion,
        resourceVersionMatch: 'Exact',
      });
      expect(names(exact.texts)).toEqual(names(before.texts));
      expect(names(t.api.list(t.type(CLUSTERS), {}).texts)).not.toContain('c0');
      expectApiError(
        () => t.api.list(t.type(CLUSTERS), { resourceVersion: '99999999999' }),
        504,
        'Timeout',
      );
      expect(LabelSelector.everything.matches(undefined)).toBe(true);
    });
  });

  describe('v1beta1', () => {
    it('converts reads: conditions move to status.v1beta2, refs get apiVersion', () => {
      const created = t.api.create(
        t.type(CLUSTERS),
        'team-a',
        cluster('old', {
          spec: {
            controlPlaneRef: {
              apiGroup: 'controlplane.cluster.x-k8s.io',
              kind: 'KubeadmControlPlane',
              name: 'cp',
            },
          },
        }),
      );
      t.api.update(
        t.type(CLUSTERS),
        'team-a',
        'old',
        {
          ...created,
          status: {
            conditions: [
              {
                type: 'Available',
                status: 'True',
                reason: 'Available',
                message: '',
                lastTransitionTime: '2026-01-01T00:00:00Z',
              },
            ],
            deprecated: {
              v1beta1: {
                conditions: [
                  {
                    type: 'Ready',
                    status: 'True',
                    lastTransitionTime: '2026-01-01T00:00:00Z',
                  },
                ],
              },
            },
            initialization: {
              infrastructureProvisioned: true,
              controlPlaneInitialized: true,
            },
            phase: 'Provisioned',
          },
        },
        { subresource: 'status' },
      );
      const stored = t.api.get(t.type(CLUSTERS), 'team-a', 'old');
      const old = t.api.toVersion(t.type(CLUSTERS), stored, 'v1beta1');
      expect(old.apiVersion).toBe('cluster.x-k8s.io/v1beta1');
      const status = old.status as JsonObject;
      expect((status.v1beta2 as JsonObject).conditions).toEqual([
        expect.objectContaining({ type: 'Available', status: 'True' }),
      ]);
      expect(status.conditions).toEqual([
        expect.objectContaining({ type: 'Ready' }),
      ]);
      expect(status.infrastructureReady).toBe(true);
      expect(status.controlPlaneReady).toBe(true);
      const spec = old.spec as JsonObject;
      expect((spec.topology as JsonObject).class).toBe('quick-start');
      expect(spec.controlPlaneRef).toEqual({
        apiVersion: 'controlplane.cluster.x-k8s.io/v1beta2',
        kind: 'KubeadmControlPlane',
        name: 'cp',
        namespace: 'team-a',
      });
      const back = t.api.fromVersion(t.type(CLUSTERS), old, 'v1beta1');
      expect((back.spec as JsonObject).controlPlaneRef).toEqual({
        apiGroup: 'controlplane.cluster.x-k8s.io',
        kind: 'KubeadmControlPlane',
        name: 'cp',
      });
      expect((back.status as JsonObject).conditions).toEqual(
        status && (stored.status as JsonObject).conditions,
      );
    });
  });
});
