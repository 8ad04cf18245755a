import { auditText, toStorableAuditRecord } from './audit';

describe('toStorableAuditRecord', () => {
  it('keeps fitting values in their fields and moves the others into details', () => {
    expect(
      toStorableAuditRecord({
        actor: 'user:default/alice',
        action: 'cluster.create',
        outcome: 'refused',
        managementCluster: 'mgmt-eu-1',
        namespace: '../etc',
        owner: 'team-a',
        details: { size: 'small', __proto__x: 1 },
      }),
    ).toEqual({
      actor: 'user:default/alice',
      action: 'cluster.create',
      outcome: 'refused',
      managementCluster: 'mgmt-eu-1',
      owner: 'team-a',
      details: {
        'requested.namespace': '../etc',
        size: 'small',
        __proto__x: 1,
      },
    });
  });

  it('is idempotent, so that the sender and the backend may both apply it', () => {
    const once = toStorableAuditRecord({
      actor: 'user:default/alice',
      action: 'cluster.upgrade',
      outcome: 'failed',
      cluster: 'bad\u0000name',
      message: `"quoted" \\ back\nslash ${'m'.repeat(5000)}`,
      details: { a: { b: [1, 2] } },
    });
    expect(toStorableAuditRecord(once)).toEqual(once);
    expect(once.message).toMatch(/^"quoted" \\ back\\u000aslash m+…/);
  });

  it('keeps a __proto__ key an ordinary detail', () => {
    const record = toStorableAuditRecord(
      JSON.parse(
        '{"actor":"user:default/a","action":"cluster.create","outcome":"refused","details":{"__proto__":"x"}}',
      ),
    );
    expect(Object.getPrototypeOf(record.details)).toBe(Object.prototype);
    expect(Object.keys(record.details!)).toEqual(['__proto__']);
  });

  it('refuses only a record of the wrong structure', () => {
    expect(() =>
      toStorableAuditRecord({ actor: 'a', action: 'x', outcome: 'refused' }),
    ).toThrow(/action/);
    expect(() => toStorableAuditRecord('text')).toThrow(/object/);
  });
});

describe('auditText', () => {
  it('escapes unprintable characters and cuts long text, never half a surrogate pair', () => {
    expect(auditText('a\u202eb\ud800')).toBe('a\\u202eb\\ud800');
    // 30 characters leave 13 for the text: twelve x and the first half of the pair
    const cut = auditText(`${'x'.repeat(12)}\ud83d\ude80${'y'.repeat(40)}`, 30);
    expect(cut).toBe(`${'x'.repeat(12)}… (54 characters)`);
  });
});
