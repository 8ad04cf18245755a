import { CapiHealthEvaluator } from './capiHealth';
import { ClusterHealthInput } from './types';

const base: ClusterHealthInput = {
  apiVersion: 'cluster.x-k8s.io/v1beta2',
  phase: 'Provisioned',
  conditions: [{ type: 'Available', status: 'True' }],
  controlPlane: { desired: 3, available: 3 },
  workers: { desired: 2, available: 2 },
  machinesByPhase: { Running: 5 },
  machineHealthChecks: [],
};

describe('CapiHealthEvaluator', () => {
  const health = new CapiHealthEvaluator();
  const status = (input: Partial<ClusterHealthInput>) =>
    health.evaluate({ ...base, ...input }).status;

  it('maps CAPI signals to a status', () => {
    expect(status({})).toBe('healthy');
    expect(status({ workers: { desired: 2, available: 1 } })).toBe('degraded');
    expect(status({ machinesByPhase: { Running: 4, Failed: 1 } })).toBe(
      'degraded',
    );
    expect(
      status({
        conditions: [
          { type: 'Available', status: 'False' },
          { type: 'ControlPlaneAvailable', status: 'False', reason: 'Down' },
        ],
      }),
    ).toBe('unhealthy');
    expect(
      status({
        conditions: [
          { type: 'Available', status: 'False' },
          { type: 'WorkersAvailable', status: 'False' },
          { type: 'Paused', status: 'False' },
        ],
      }),
    ).toBe('degraded');
    expect(status({ phase: 'Provisioning' })).toBe('provisioning');
    expect(status({ controlPlaneInitialized: false })).toBe('provisioning');
    expect(status({ deletingSince: '2025-01-01T00:00:00Z' })).toBe('deleting');
    expect(status({ phase: 'Failed' })).toBe('unhealthy');
    expect(status({ conditions: [] })).toBe('unknown');
    expect(
      status({ conditions: [{ type: 'Available', status: 'Unknown' }] }),
    ).toBe('unknown');
  });

  it('reads the v1beta1 Ready family when there is no Available condition', () => {
    const v1 = { apiVersion: 'cluster.x-k8s.io/v1beta1' };
    expect(
      status({ ...v1, conditions: [{ type: 'Ready', status: 'True' }] }),
    ).toBe('healthy');
    expect(
      status({
        ...v1,
        conditions: [{ type: 'Ready', status: 'False', severity: 'Warning' }],
      }),
    ).toBe('degraded');
    expect(
      status({
        ...v1,
        conditions: [{ type: 'Ready', status: 'False', severity: 'Error' }],
      }),
    ).toBe('unhealthy');
  });

  it('explains itself with reasons', () => {
    const r = health.evaluate({
      ...base,
      conditions: [
        { type: 'Available', status: 'False' },
        {
          type: 'ControlPlaneAvailable',
          status: 'False',
          reason: 'Down',
          message: 'etcd lost quorum',
          lastTransitionTime: '2025-01-01T00:00:00Z',
        },
      ],
    });
    expect(r.reasons).toEqual([
      {
        source: 'capi',
        severity: 'error',
        type: 'ControlPlaneAvailable/Down',
        message: 'etcd lost quorum',
        since: '2025-01-01T00:00:00Z',
      },
    ]);
  });
});

describe('progress', () => {
  const health = new CapiHealthEvaluator();
  const since = '2026-01-10T10:00:00Z';
  const scalingUp = {
    ...base,
    workers: { desired: 6, current: 6, available: 4 },
    conditions: [
      { type: 'Available', status: 'False' as const },
      {
        type: 'WorkersAvailable',
        status: 'False' as const,
        reason: 'NotAvailable',
        message: '2 of 6 worker machines are not available',
      },
      {
        type: 'ScalingUp',
        status: 'True' as const,
        reason: 'ScalingUp',
        lastTransitionTime: since,
      },
    ],
  };

  it('reports missing replicas during a scale-up as progressing, not degraded', () => {
    const result = health.evaluate(scalingUp);
    expect(result.status).toBe('progressing');
    expect(result.reasons[0]).toMatchObject({
      type: 'Progressing',
      severity: 'info',
      since,
    });
    expect(result.reasons.every(r => r.severity === 'info')).toBe(true);
  });

  it('reports a fresh control plane rolling out as progressing', () => {
    expect(
      health.evaluate({
        ...base,
        controlPlane: { desired: 3, current: 1, available: 1 },
        conditions: [
          { type: 'Available', status: 'True' },
          { type: 'ScalingUp', status: 'True', lastTransitionTime: since },
        ],
      }).status,
    ).toBe('progressing');
  });

  it('keeps real problems degraded or unhealthy while progressing', () => {
    expect(
      health.evaluate({
        ...scalingUp,
        machinesByPhase: { Running: 8, Failed: 1 },
      }).status,
    ).toBe('degraded');
    expect(
      health.evaluate({
        ...scalingUp,
        conditions: [
          ...scalingUp.conditions,
          { type: 'ControlPlaneAvailable', status: 'False' },
        ],
      }).status,
    ).toBe('unhealthy');
    // no progress reported: missing replicas are degraded
    expect(
      health.evaluate({
        ...scalingUp,
        conditions: scalingUp.conditions.slice(0, 2),
      }).status,
    ).toBe('degraded');
  });
});
