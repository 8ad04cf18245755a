import { ConflictError, NotAllowedError } from '@backstage/errors';
import express from 'express';
import { mockActionContext } from '../__testUtils__/actionContext';
import { startRecordingBackend } from '../__testUtils__/recordingBackend';
import { ClusterOperationsClient } from './ClusterOperationsClient';
import {
  OperationActionDeps,
  createClusterDecommissionAction,
  createClusterMoveProfileVersionAction,
  createClusterPauseAction,
  createClusterResumeAction,
  createClusterScaleAction,
} from './operationActions';
import {
  decommissionExamples,
  moveProfileVersionExamples,
  pauseExamples,
  resumeExamples,
  scaleExamples,
} from './operationActions.examples';

const KEY = {
  managementCluster: 'mgmt-eu-1',
  namespace: 'team-a',
  name: 'payments-dev',
};

/** The actions' dependencies against a stand-in for `/api/shipyard` that records what they send and answers as told. */
async function startBackend(answer: (req: express.Request) => [number, any]) {
  const backend = await startRecordingBackend(
    [
      '/api/shipyard/clusters/:mc/:ns/:name/:operation',
      '/api/shipyard/clusters/:mc/:ns/:name/decommission/:decision',
    ],
    answer,
  );
  const deps: OperationActionDeps = {
    requests: { resolveCluster: jest.fn(async () => KEY) } as any,
    audit: {} as any,
    entityRefOf: k => `resource:default/${k.managementCluster}.${k.name}`,
    clusterUrlOf: () => undefined,
    operations: new ClusterOperationsClient(backend.client),
  };
  return { ...backend, deps };
}

const ok = (operation: string, extra: object = {}) => ({
  operation,
  ...KEY,
  dryRun: false,
  unchanged: false,
  before: {},
  after: {},
  message: `${operation} done`,
  ...extra,
});

describe('shipyard:cluster:pause and shipyard:cluster:resume', () => {
  it('call the backend on behalf of the initiator with what the template says', async () => {
    const backend = await startBackend(req => [200, ok(req.params.operation)]);
    try {
      const pause = mockActionContext({
        cluster: 'resource:default/mgmt-eu-1.payments-dev',
        reason: 'INC-9',
        expiresAt: '2030-01-01T00:00:00Z',
      });
      await createClusterPauseAction(backend.deps).handler(pause.ctx);
      expect(backend.calls[0]).toMatchObject({
        path: '/api/shipyard/clusters/mgmt-eu-1/team-a/payments-dev/pause',
        body: { reason: 'INC-9', expiresAt: '2030-01-01T00:00:00Z' },
      });
      // a token on behalf of the user (the backend checks the user's permission and audits it as theirs)
      expect(backend.calls[0].auth).toMatch(/^Bearer .*alice/);
      expect(pause.outputs).toEqual({
        entityRef: 'resource:default/mgmt-eu-1.payments-dev',
        clusterPath: '/shipyard/clusters/mgmt-eu-1/team-a/payments-dev',
        unchanged: false,
        message: 'pause done',
      });
      const resume = mockActionContext({
        cluster: 'mgmt-eu-1/team-a/payments-dev',
      });
      await createClusterResumeAction(backend.deps).handler(resume.ctx);
      expect(backend.calls[1]).toMatchObject({
        path: '/api/shipyard/clusters/mgmt-eu-1/team-a/payments-dev/resume',
        body: {},
      });
      const scale = mockActionContext({
        cluster: 'mgmt-eu-1/team-a/payments-dev',
        workers: [{ name: 'md-0', replicas: 4 }],
      });
      await createClusterScaleAction(backend.deps).handler(scale.ctx);
      expect(backend.calls[2]).toMatchObject({
        path: '/api/shipyard/clusters/mgmt-eu-1/team-a/payments-dev/scale',
        body: { workers: [{ name: 'md-0', replicas: 4 }] },
      });
      pause.cleanup();
      resume.cleanup();
      scale.cleanup();
    } finally {
      await backend.stop();
    }
  });

  it('decommission a cluster with the name typed again', async () => {
    const backend = await startBackend(() => [
      200,
      ok('delete', { operationId: 'op-1' }),
    ]);
    try {
      const run = mockActionContext({
        cluster: 'mgmt-eu-1/team-a/payments-dev',
        confirm: 'payments-dev',
        reason: '  ',
      });
      await createClusterDecommissionAction(backend.deps).handler(run.ctx);
      expect(backend.calls[0]).toMatchObject({
        path: '/api/shipyard/clusters/mgmt-eu-1/team-a/payments-dev/decommission',
      });
      // a blank reason is not sent
      expect(backend.calls[0].body).toEqual({ confirm: 'payments-dev' });
      expect(run.outputs).toMatchObject({
        message: 'delete done',
        operationId: 'op-1',
        clusterPath: '/shipyard/clusters/mgmt-eu-1/team-a/payments-dev',
      });
      run.cleanup();
    } finally {
      await backend.stop();
    }
  });

  it("requests a production cluster's decommission, then approves or cancels the pending request", async () => {
    const pending = {
      id: 'req-1',
      guard: 'delay',
      requestedBy: 'user:default/alice',
      requestedAt: '2030-01-01T09:00:00.000Z',
      until: '2030-01-02T09:00:00.000Z',
    };
    const backend = await startBackend(req =>
      req.path.endsWith('/decommission')
        ? [200, ok('delete', { pending })]
        : [200, ok('delete', { operationId: 'op-2' })],
    );
    try {
      const ask = mockActionContext({
        cluster: 'mgmt-eu-1/team-a/payments-dev',
        confirm: 'payments-dev',
      });
      await createClusterDecommissionAction(backend.deps).handler(ask.ctx);
      expect(ask.outputs).toMatchObject({
        pendingGuard: 'delay',
        pendingUntil: '2030-01-02T09:00:00.000Z',
      });
      const approve = mockActionContext({
        cluster: 'mgmt-eu-1/team-a/payments-dev',
        confirm: 'payments-dev',
        reason: 'checked',
        approve: true,
      });
      await createClusterDecommissionAction(backend.deps).handler(approve.ctx);
      expect(backend.calls[1]).toMatchObject({
        path: '/api/shipyard/clusters/mgmt-eu-1/team-a/payments-dev/decommission/approve',
        body: { confirm: 'payments-dev', reason: 'checked' },
      });
      expect(approve.outputs).toMatchObject({ operationId: 'op-2' });
      const cancel = mockActionContext({
        cluster: 'mgmt-eu-1/team-a/payments-dev',
        cancel: true,
      });
      await createClusterDecommissionAction(backend.deps).handler(cancel.ctx);
      expect(backend.calls[2]).toMatchObject({
        path: '/api/shipyard/clusters/mgmt-eu-1/team-a/payments-dev/decommission/cancel',
        body: {},
      });
      // nothing is sent without the name typed again, nor for both decisions at once
      const blind = mockActionContext({
        cluster: 'mgmt-eu-1/team-a/payments-dev',
      });
      await expect(
        createClusterDecommissionAction(backend.deps).handler(blind.ctx),
      ).rejects.toThrow(/confirm/);
      const both = mockActionContext({
        cluster: 'mgmt-eu-1/team-a/payments-dev',
        confirm: 'payments-dev',
        approve: true,
        cancel: true,
      });
      await expect(
        createClusterDecommissionAction(backend.deps).handler(both.ctx),
      ).rejects.toThrow(/Either approve or cancel/);
      expect(backend.calls).toHaveLength(3);
      for (const r of [ask, approve, cancel, blind, both]) r.cleanup();
    } finally {
      await backend.stop();
    }
  });

  it('move a cluster to a profile version and answer the topology diff', async () => {
    const backend = await startBackend(req => [
      200,
      ok('update', {
        dryRun: Boolean(req.body.dryRun),
        before: { 'topology.version': 'v1.34.7' },
        after: { 'topology.version': 'v1.35.5' },
      }),
    ]);
    try {
      const run = mockActionContext({
        cluster: 'mgmt-eu-1/team-a/payments-dev',
        version: '2.1.0',
        dryRun: true,
      });
      await createClusterMoveProfileVersionAction(backend.deps).handler(
        run.ctx,
      );
      expect(backend.calls[0]).toMatchObject({
        path: '/api/shipyard/clusters/mgmt-eu-1/team-a/payments-dev/profile-version',
        body: { version: '2.1.0', dryRun: true },
      });
      expect(run.outputs).toMatchObject({
        before: { 'topology.version': 'v1.34.7' },
        after: { 'topology.version': 'v1.35.5' },
        message: 'update done',
      });
      run.cleanup();
    } finally {
      await backend.stop();
    }
  });

  it('fail with the backend refusal, of its kind', async () => {
    let status = 403;
    const backend = await startBackend(() => [
      status,
      { error: { name: 'X', message: 'alice may not change it' } },
    ]);
    try {
      const pause = mockActionContext({
        cluster: 'mgmt-eu-1/team-a/payments-dev',
        reason: 'x',
      });
      const action = createClusterPauseAction(backend.deps);
      await expect(action.handler(pause.ctx)).rejects.toThrow(NotAllowedError);
      status = 409;
      await expect(action.handler(pause.ctx)).rejects.toThrow(ConflictError);
      await expect(action.handler(pause.ctx)).rejects.toThrow(
        'alice may not change it',
      );
      pause.cleanup();
    } finally {
      await backend.stop();
    }
  });

  it('have examples that use them', () => {
    for (const e of pauseExamples)
      expect(e.example).toContain('shipyard:cluster:pause');
    for (const e of scaleExamples)
      expect(e.example).toContain('shipyard:cluster:scale');
    for (const e of resumeExamples)
      expect(e.example).toContain('shipyard:cluster:resume');
    for (const e of decommissionExamples)
      expect(e.example).toContain('shipyard:cluster:decommission');
    for (const e of moveProfileVersionExamples)
      expect(e.example).toContain('shipyard:cluster:move-profile-version');
  });
});
