import { eventually, testApi, TestApi } from '../__testUtils__';
import {
  CLUSTERS,
  CONFIGMAPS,
  cluster,
  expectApiError,
} from '../__testUtils__/apiserver';
import { JsonObject } from '../util/json';

describe('ApiServer', () => {
  let t: TestApi;
  beforeEach(() => {
    t = testApi();
  });
  afterEach(() => t.stop());

  describe('create', () => {
    it('fills uid, creationTimestamp, generation and a strictly increasing resourceVersion', () => {
      const a = t.api.create(t.type(CLUSTERS), 'team-a', cluster('a'));
      const b = t.api.create(t.type(CLUSTERS), 'team-a', cluster('b'));
      const ma = a.metadata as JsonObject;
      const mb = b.metadata as JsonObject;
      expect(ma.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(ma.uid).not.toBe(mb.uid);
      expect(ma.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(ma.generation).toBe(1);
      expect(
        BigInt(String(mb.resourceVersion)) > BigInt(String(ma.resourceVersion)),
      ).toBe(true);
      expect(ma.namespace).toBe('team-a');
    });

    it('generates names from generateName', () => {
      const created = t.api.create(t.type(CLUSTERS), 'team-a', {
        ...cluster(''),
        metadata: { generateName: 'dev-' },
      });
      expect((created.metadata as JsonObject).name).toMatch(
        /^dev-[a-z0-9]{5}$/,
      );
    });

    it('requires an existing namespace and rejects duplicates and bad names', () => {
      const nf = expectApiError(
        () => t.api.create(t.type(CLUSTERS), 'nope', cluster('a')),
        404,
        'NotFound',
      );
      expect(nf.message).toBe('namespaces "nope" not found');
      t.api.create(t.type(CLUSTERS), 'team-a', cluster('a'));
      expect(
        expectApiError(
          () => t.api.create(t.type(CLUSTERS), 'team-a', cluster('a')),
          409,
          'AlreadyExists',
        ).message,
      ).toBe('clusters.cluster.x-k8s.io "a" already exists');
      const invalid = expectApiError(
        () => t.api.create(t.type(CLUSTERS), 'team-a', cluster('Not_Valid')),
        422,
        'Invalid',
      );
      expect(invalid.details?.causes?.[0].field).toBe('metadata.name');
      expectApiError(
        () =>
          t.api.create(t.type(CLUSTERS), 'team-a', {
            ...cluster('x'),
            kind: 'Machine',
          }),
        400,
        'BadRequest',
      );
      expectApiError(
        () =>
          t.api.create(t.type(CLUSTERS), 'team-a', {
            ...cluster('x'),
            metadata: { name: 'x', namespace: 'default' },
          }),
        400,
      );
    });

    it('validates against the CRD schema: Strict rejects unknown fields, Warn prunes and warns', () => {
      const bad = cluster('s', { spec: { bogus: true } });
      const strict = expectApiError(
        () =>
          t.api.create(t.type(CLUSTERS), 'team-a', bad, {
            fieldValidation: 'Strict',
          }),
        400,
        'BadRequest',
      );
      expect(strict.message).toContain('unknown field "spec.bogus"');
      const warnings: string[] = [];
      const created = t.api.create(t.type(CLUSTERS), 'team-a', bad, {
        fieldValidation: 'Warn',
        warnings,
      });
      expect(warnings).toEqual(['unknown field "spec.bogus"']);
      expect((created.spec as JsonObject).bogus).toBeUndefined();
      const wrongType = cluster('w', {
        spec: { topology: { classRef: { name: 'x' }, version: 7 } },
      });
      expect(
        expectApiError(
          () => t.api.create(t.type(CLUSTERS), 'team-a', wrongType),
          422,
          'Invalid',
        ).message,
      ).toContain('spec.topology.version');
    });

    it('drops status on create when the status subresource is enabled', () => {
      const created = t.api.create(t.type(CLUSTERS), 'team-a', {
        ...cluster('st'),
        status: { phase: 'Provisioned' },
      });
      expect(created.status).toBeUndefined();
    });
  });

  describe('update', () => {
    it('uses optimistic concurrency and bumps generation only on spec changes', () => {
      const created = t.api.create(t.type(CLUSTERS), 'team-a', cluster('u'));
      const stale = JSON.parse(JSON.stringify(created));
      (created.metadata as JsonObject).labels = { a: 'b' };
      const labelled = t.api.update(t.type(CLUSTERS), 'team-a', 'u', created);
      expect((labelled.metadata as JsonObject).generation).toBe(1);
      (stale.spec as JsonObject).paused = true;
      const conflict = expectApiError(
        () => t.api.update(t.type(CLUSTERS), 'team-a', 'u', stale),
        409,
        'Conflict',
      );
      expect(conflict.message).toContain('the object has been modified');
      (labelled.spec as JsonObject).paused = true;
      const paused = t.api.update(t.type(CLUSTERS), 'team-a', 'u', labelled);
      expect((paused.metadata as JsonObject).generation).toBe(2);
      delete (paused.metadata as JsonObject).resourceVersion;
      expectApiError(
        () => t.api.update(t.type(CLUSTERS), 'team-a', 'u', paused),
        422,
        'Invalid',
      );
    });

    it('applies status only through the status subresource', () => {
      const created = t.api.create(t.type(CLUSTERS), 'team-a', cluster('s1'));
      const withStatus = { ...created, status: { phase: 'Provisioned' } };
      const main = t.api.update(t.type(CLUSTERS), 'team-a', 's1', withStatus);
      expect(main.status).toBeUndefined();
      const viaStatus = t.api.update(
        t.type(CLUSTERS),
        'team-a',
        's1',
        { ...main, status: { phase: 'Provisioned' }, spec: { paused: true } },
        { subresource: 'status' },
      );
      expect((viaStatus.status as JsonObject).phase).toBe('Provisioned');
      expect((viaStatus.spec as JsonObject).paused).toBeUndefined();
    });

    it('emits nothing for no-op writes', () => {
      const created = t.api.create(t.type(CLUSTERS), 'team-a', cluster('n'));
      const before = t.events.length;
      const same = t.api.update(t.type(CLUSTERS), 'team-a', 'n', created);
      expect(t.events.length).toBe(before);
      expect((same.metadata as JsonObject).resourceVersion).toBe(
        (created.metadata as JsonObject).resourceVersion,
      );
      t.api.patch(t.type(CLUSTERS), 'team-a', 'n', 'merge', {
        spec: { topology: { version: 'v1.34.7' } },
      });
      expect(t.events.length).toBe(before);
      t.api.patch(t.type(CLUSTERS), 'team-a', 'n', 'merge', {
        spec: { topology: { version: 'v1.35.5' } },
      });
      expect(t.events.length).toBe(before + 1);
    });
  });

  describe('patch', () => {
    it('supports JSON patch and merge patch and rejects strategic merge on custom resources', () => {
      t.api.create(t.type(CLUSTERS), 'team-a', cluster('p'));
      const merged = t.api.patch(t.type(CLUSTERS), 'team-a', 'p', 'merge', {
        metadata: { labels: { env: 'prod' } },
      });
      expect((merged.metadata as JsonObject).labels).toEqual({ env: 'prod' });
      const jp = t.api.patch(t.type(CLUSTERS), 'team-a', 'p', 'json', [
        { op: 'replace', path: '/spec/topology/version', value: 'v1.35.5' },
      ]);
      expect(((jp.spec as JsonObject).topology as JsonObject).version).toBe(
        'v1.35.5',
      );
      expectApiError(
        () =>
          t.api.patch(t.type(CLUSTERS), 'team-a', 'p', 'strategic', {
            metadata: {},
          }),
        415,
        'UnsupportedMediaType',
      );
      expectApiError(
        () =>
          t.api.patch(t.type(CLUSTERS), 'team-a', 'p', 'json', [
            { op: 'test', path: '/spec/paused', value: true },
          ]),
        422,
      );
      expectApiError(
        () => t.api.patch(t.type(CLUSTERS), 'team-a', 'missing', 'merge', {}),
        404,
      );
      const cm = t.api.create(t.type(CONFIGMAPS), 'team-a', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'c' },
        data: { a: '1' },
      });
      expect(cm.data).toEqual({ a: '1' });
      const smp = t.api.patch(t.type(CONFIGMAPS), 'team-a', 'c', 'strategic', {
        data: { b: '2' },
      });
      expect(smp.data).toEqual({ a: '1', b: '2' });
    });

    it('server-side apply creates, merges, removes fields it no longer applies and reports conflicts', () => {
      const apply = (obj: JsonObject, manager: string, force = false) =>
        t.api.patch(t.type(CLUSTERS), 'team-a', 'ssa', 'apply', obj, {
          fieldManager: manager,
          force,
        });
      const first = apply(
        cluster('ssa', { metadata: { labels: { a: '1', b: '2' } } }),
        'alice',
      );
      expect((first.metadata as JsonObject).managedFields).toHaveLength(1);
      const second = apply(
        cluster('ssa', { metadata: { labels: { a: '1' } } }),
        'alice',
      );
      expect((second.metadata as JsonObject).labels).toEqual({ a: '1' });
      const conflict = expectApiError(
        () =>
          apply(
            cluster('ssa', {
              spec: {
                topology: {
                  classRef: { name: 'quick-start' },
                  version: 'v1.36.2',
                },
              },
            }),
            'bob',
          ),
        409,
        'Conflict',
      );
      expect(conflict.message).toContain('conflict with "alice"');
      expect(conflict.details?.causes?.[0].field).toBe(
        '.spec.topology.version',
      );
      const forced = apply(
        cluster('ssa', {
          spec: {
            topology: { classRef: { name: 'quick-start' }, version: 'v1.36.2' },
          },
        }),
        'bob',
        true,
      );
      expect(((forced.spec as JsonObject).topology as JsonObject).version).toBe(
        'v1.36.2',
      );
      const managers = (
        (forced.metadata as JsonObject).managedFields as JsonObject[]
      ).map(m => m.manager);
      expect(managers).toEqual(['alice', 'bob']);
      expectApiError(
        () =>
          t.api.patch(
            t.type(CLUSTERS),
            'team-a',
            'ssa',
            'apply',
            cluster('ssa'),
            {},
          ),
        400,
      );
    });
  });

  describe('delete', () => {
    it('waits for finalizers, then deletes when the last one is removed', () => {
      t.api.create(
        t.type(CLUSTERS),
        'team-a',
        cluster('f', { metadata: { finalizers: ['example.com/hold'] } }),
      );
      const first = t.api.delete(t.type(CLUSTERS), 'team-a', 'f');
      expect(first.deleted).toBe(false);
      const m = first.object.metadata as JsonObject;
      expect(m.deletionTimestamp).toBeDefined();
      expect(m.generation).toBe(2);
      expect(t.api.tryGet(t.type(CLUSTERS), 'team-a', 'f')).toBeDefined();
      const err = expectApiError(
        () =>
          t.api.patch(t.type(CLUSTERS), 'team-a', 'f', 'merge', {
            metadata: { finalizers: ['example.com/hold', 'new'] },
          }),
        422,
      );
      expect(err.message).toContain('no new finalizers');
      t.api.patch(t.type(CLUSTERS), 'team-a', 'f', 'merge', {
        metadata: { finalizers: null },
      });
      expect(t.api.tryGet(t.type(CLUSTERS), 'team-a', 'f')).toBeUndefined();
      expect(t.events[t.events.length - 1].type).toBe('DELETED');
    });

    it('checks preconditions', () => {
      const created = t.api.create(t.type(CLUSTERS), 'team-a', cluster('pre'));
      expectApiError(
        () =>
          t.api.delete(t.type(CLUSTERS), 'team-a', 'pre', {
            preconditions: { uid: 'other' },
          }),
        409,
        'Conflict',
      );
      expect(
        t.api.delete(t.type(CLUSTERS), 'team-a', 'pre', {
          preconditions: { uid: String((created.metadata as JsonObject).uid) },
        }).deleted,
      ).toBe(true);
    });

    it('collects dependents in the background and honours orphan and foreground propagation', async () => {
      const owner = t.api.create(t.type(CLUSTERS), 'team-a', cluster('owner'));
      const ref = {
        apiVersion: 'cluster.x-k8s.io/v1beta2',
        kind: 'Cluster',
        name: 'owner',
        uid: (owner.metadata as JsonObject).uid,
        controller: true,
        blockOwnerDeletion: true,
      };
      const cm = (name: string) => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, ownerReferences: [ref] },
      });
      t.api.create(t.type(CONFIGMAPS), 'team-a', cm('dep1'));
      t.api.delete(t.type(CLUSTERS), 'team-a', 'owner');
      await eventually(
        () => !t.api.tryGet(t.type(CONFIGMAPS), 'team-a', 'dep1'),
      );

      const owner2 = t.api.create(t.type(CLUSTERS), 'team-a', cluster('owner'));
      ref.uid = (owner2.metadata as JsonObject).uid;
      t.api.create(t.type(CONFIGMAPS), 'team-a', cm('orphan'));
      const orphaning = t.api.delete(t.type(CLUSTERS), 'team-a', 'owner', {
        propagationPolicy: 'Orphan',
      });
      expect(orphaning.deleted).toBe(false);
      await eventually(
        () => !t.api.tryGet(t.type(CLUSTERS), 'team-a', 'owner'),
      );
      const orphan = t.api.get(t.type(CONFIGMAPS), 'team-a', 'orphan');
      expect((orphan.metadata as JsonObject).ownerReferences).toBeUndefined();

      const owner3 = t.api.create(t.type(CLUSTERS), 'team-a', cluster('owner'));
      ref.uid = (owner3.metadata as JsonObject).uid;
      t.api.create(t.type(CONFIGMAPS), 'team-a', cm('fg'));
      const fg = t.api.delete(t.type(CLUSTERS), 'team-a', 'owner', {
        propagationPolicy: 'Foreground',
      });
      expect((fg.object.metadata as JsonObject).finalizers).toEqual([
        'foregroundDeletion',
      ]);
      await eventually(
        () => !t.api.tryGet(t.type(CLUSTERS), 'team-a', 'owner'),
      );
      expect(t.api.tryGet(t.type(CONFIGMAPS), 'team-a', 'fg')).toBeUndefined();
      const order = t.events.filter(e => e.type === 'DELETED').map(e => e.key);
      expect(order.indexOf('team-a/fg')).toBeLessThan(
        order.lastIndexOf('team-a/owner'),
      );
    });

    it('terminates namespaces: content goes first, new content is forbidden', async () => {
      t.api.create(t.type('core/namespaces'), undefined, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'doomed' },
      });
      t.api.create(t.type(CONFIGMAPS), 'doomed', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'x' },
      });
      const ns = t.api.delete(t.type('core/namespaces'), undefined, 'doomed');
      expect((ns.object.status as JsonObject).phase).toBe('Terminating');
      expectApiError(
        () =>
          t.api.create(t.type(CONFIGMAPS), 'doomed', {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'y' },
          }),
        403,
        'Forbidden',
      );
      await eventually(
        () => !t.api.tryGet(t.type('core/namespaces'), undefined, 'doomed'),
      );
      expect(t.api.tryGet(t.type(CONFIGMAPS), 'doomed', 'x')).toBeUndefined();
    });
  });
});
