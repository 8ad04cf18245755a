import { InputError } from '@backstage/errors';
import { mockActionContext } from '../__testUtils__/actionContext';
import { createClusterWaitAction } from './waitCluster';

function summary(phase: string, health: string, extra: object = {}) {
  return {
    managementCluster: 'mgmt-eu-1',
    namespace: 'team-a',
    name: 'payments-dev',
    owner: 'group:default/team-a',
    profile: 'kubeadm-standard',
    phase,
    health,
    kubernetesVersion: 'v1.35.5',
    controlPlane: {
      desired: 1,
      ready: phase === 'Provisioned' ? 1 : 0,
      upToDate: 1,
    },
    workers: { desired: 1, ready: 0 },
    machineDeployments: [],
    ...extra,
  };
}

function setup(
  sequence: Array<object | Error>,
  audit = { record: jest.fn(async () => {}) },
) {
  let i = 0;
  const resolveCluster = jest.fn(async () => {
    const next = sequence[Math.min(i++, sequence.length - 1)];
    if (next instanceof Error) throw next;
    return next;
  });
  return createClusterWaitAction({
    requests: { resolveCluster } as any,
    audit: audit as any,
    entityRefOf: () => '',
    clusterUrlOf: () => undefined,
  });
}

describe('shipyard:cluster:wait', () => {
  it('waits until the cluster is indexed, provisioned and healthy, logging progress', async () => {
    const action = setup([
      new InputError('not in the fleet'),
      summary('Provisioning', 'provisioning'),
      summary('Provisioned', 'unknown'),
      summary('Provisioned', 'healthy'),
    ]);
    const { ctx, outputs, cleanup } = mockActionContext({
      cluster: 'mgmt-eu-1/team-a/payments-dev',
      pollIntervalSeconds: 0.05,
    });
    await action.handler(ctx);
    cleanup();
    expect(outputs).toEqual({
      phase: 'Provisioned',
      health: 'healthy',
      kubernetesVersion: 'v1.35.5',
    });
    expect(ctx.logger.info).toHaveBeenCalledWith(
      expect.stringContaining('phase Provisioning, health provisioning'),
    );
  });

  it('waits for a version after an upgrade', async () => {
    const action = setup([
      summary('Provisioned', 'healthy', {
        kubernetesVersion: 'v1.36.2',
        machineDeployments: [{ name: 'md-0', version: 'v1.35.5' }],
      }),
      summary('Provisioned', 'healthy', {
        kubernetesVersion: 'v1.36.2',
        machineDeployments: [{ name: 'md-0', version: 'v1.36.2' }],
      }),
    ]);
    const { ctx, outputs, cleanup } = mockActionContext({
      cluster: 'mgmt-eu-1/team-a/payments-dev',
      kubernetesVersion: 'v1.36.2',
      pollIntervalSeconds: 0.05,
    });
    await action.handler(ctx);
    cleanup();
    expect(outputs.kubernetesVersion).toBe('v1.36.2');
  });

  it('after an upgrade, waits until Cluster API says control plane and every MachineDeployment are up to date', async () => {
    const target = {
      kubernetesVersion: 'v1.36.2',
      controlPlane: { desired: 1, current: 1, ready: 1, upToDate: 1 },
    };
    const md = (upToDate: number, current: number) => ({
      name: 'md-0',
      version: 'v1.36.2',
      replicas: { desired: 2, current, ready: 2, available: 2, upToDate },
    });
    const sequence = [
      // the MachineDeployment's template says the target, its Machines do not yet
      summary('Provisioned', 'healthy', {
        ...target,
        machineDeployments: [md(0, 2)],
      }),
      // a new Machine is up to date, the old one still runs
      summary('Provisioned', 'healthy', {
        ...target,
        machineDeployments: [md(1, 3)],
        conditions: [{ type: 'RollingOut', status: 'True' }],
      }),
      // every Machine up to date, but Cluster API still reports the rollout
      summary('Provisioned', 'healthy', {
        ...target,
        machineDeployments: [md(2, 2)],
        conditions: [
          { type: 'RollingOut', status: 'True' },
          { type: 'WorkerMachinesUpToDate', status: 'True' },
        ],
      }),
      // done, but not healthy yet
      summary('Provisioned', 'progressing', {
        ...target,
        machineDeployments: [md(2, 2)],
        conditions: [{ type: 'RollingOut', status: 'False' }],
      }),
      summary('Provisioned', 'healthy', {
        ...target,
        machineDeployments: [md(2, 2)],
        conditions: [{ type: 'RollingOut', status: 'False' }],
      }),
    ];
    // a cluster that stays healthy and up to date after the sequence: the wait must have read every step
    const action = setup([...sequence, new Error('read past the end')]);
    const { ctx, outputs, cleanup } = mockActionContext({
      cluster: 'mgmt-eu-1/team-a/payments-dev',
      kubernetesVersion: 'v1.36.2',
      pollIntervalSeconds: 0.05,
    });
    await action.handler(ctx);
    cleanup();
    expect(outputs.health).toBe('healthy');
    const logged = (ctx.logger.info as jest.Mock).mock.calls
      .map(c => String(c[0]))
      .join('\n');
    expect(logged).toContain('md-0 0/2 up to date');
    expect(logged).toContain('rolling out');
  });

  it('times out with the last state it saw', async () => {
    const action = setup([summary('Provisioning', 'provisioning')]);
    const { ctx, cleanup } = mockActionContext({
      cluster: 'mgmt-eu-1/team-a/payments-dev',
      timeoutSeconds: 1,
      pollIntervalSeconds: 0.2,
    });
    await expect(action.handler(ctx)).rejects.toThrow(
      /Timed out after 1 s .*last seen: phase Provisioning/,
    );
    cleanup();
  });

  it('fails fast on a Failed cluster and wants a cluster', async () => {
    const failed = setup([summary('Failed', 'unhealthy')]);
    const { ctx, cleanup } = mockActionContext({
      cluster: 'a/b/c',
      pollIntervalSeconds: 0.05,
    });
    await expect(failed.handler(ctx)).rejects.toThrow(/failed to provision/);
    const none = mockActionContext({});
    await expect(failed.handler(none.ctx)).rejects.toThrow(/Give cluster/);
    cleanup();
    none.cleanup();
  });

  it('keeps waiting while the Shipyard backend does not answer (a restart), and says so on a timeout', async () => {
    const down = Object.assign(new TypeError('fetch failed'), {
      cause: { code: 'ECONNREFUSED' },
    });
    const action = setup([down, down, summary('Provisioned', 'healthy')]);
    const { ctx, outputs, cleanup } = mockActionContext({
      cluster: 'mgmt-eu-1/team-a/payments-dev',
      pollIntervalSeconds: 0.05,
    });
    await action.handler(ctx);
    expect(outputs.phase).toBe('Provisioned');
    expect(ctx.logger.warn).toHaveBeenCalledTimes(1);

    const never = setup([down]);
    const second = mockActionContext({
      cluster: 'mgmt-eu-1/team-a/payments-dev',
      timeoutSeconds: 1,
      pollIntervalSeconds: 0.2,
    });
    await expect(never.handler(second.ctx)).rejects.toThrow(
      /Timed out .*the Shipyard backend is not answering/,
    );
    cleanup();
    second.cleanup();
  });

  it('does not retry an error that is not transient', async () => {
    const action = setup([new RangeError('bug')]);
    const { ctx, cleanup } = mockActionContext({
      cluster: 'a/b/c',
      pollIntervalSeconds: 0.05,
    });
    await expect(action.handler(ctx)).rejects.toThrow(RangeError);
    cleanup();
  });

  describe('records the completion of the long-running request or upgrade in the audit trail', () => {
    const fields = {
      actor: 'user:default/alice',
      managementCluster: 'mgmt-eu-1',
      namespace: 'team-a',
      cluster: 'payments-dev',
      owner: 'group:default/team-a',
    };

    it('succeeded: a request that came up', async () => {
      const audit = { record: jest.fn(async () => {}) };
      const action = setup(
        [
          summary('Provisioning', 'provisioning'),
          summary('Provisioned', 'healthy'),
        ],
        audit,
      );
      const { ctx, cleanup } = mockActionContext({
        cluster: 'mgmt-eu-1/team-a/payments-dev',
        pollIntervalSeconds: 0.05,
      });
      await action.handler(ctx);
      cleanup();
      expect(audit.record).toHaveBeenCalledTimes(1);
      expect(audit.record).toHaveBeenCalledWith(
        expect.objectContaining({
          ...fields,
          action: 'cluster.create',
          outcome: 'succeeded',
          message: 'payments-dev is Provisioned and healthy',
          details: expect.objectContaining({ stage: 'completed' }),
        }),
      );
    });

    it('failed: an upgrade that timed out, and a cluster that failed', async () => {
      const audit = { record: jest.fn(async () => {}) };
      const action = setup([summary('Provisioned', 'degraded')], audit);
      const { ctx, cleanup } = mockActionContext({
        cluster: 'mgmt-eu-1/team-a/payments-dev',
        kubernetesVersion: 'v1.35.5',
        timeoutSeconds: 1,
        pollIntervalSeconds: 0.2,
      });
      await expect(action.handler(ctx)).rejects.toThrow(/Timed out/);
      cleanup();
      expect(audit.record).toHaveBeenCalledWith(
        expect.objectContaining({
          ...fields,
          action: 'cluster.upgrade',
          outcome: 'failed',
          message: expect.stringMatching(/^Timed out after 1 s/),
          details: expect.objectContaining({
            stage: 'completed',
            timedOut: true,
            toVersion: 'v1.35.5',
          }),
        }),
        expect.any(Error),
      );

      const failedAudit = { record: jest.fn(async () => {}) };
      const failed = setup([summary('Failed', 'unhealthy')], failedAudit);
      const run = mockActionContext({
        cluster: 'mgmt-eu-1/team-a/payments-dev',
        pollIntervalSeconds: 0.05,
      });
      await expect(failed.handler(run.ctx)).rejects.toThrow(
        /failed to provision/,
      );
      run.cleanup();
      expect(failedAudit.record).toHaveBeenCalledWith(
        expect.objectContaining({
          action: 'cluster.create',
          outcome: 'failed',
          details: expect.objectContaining({ timedOut: false }),
        }),
        expect.any(Error),
      );
    });
  });
});
