import fs from 'node:fs';
import path from 'node:path';
import { ConflictError, InputError } from '@backstage/errors';
import { mockActionContext } from '../__testUtils__/actionContext';
import { CreateClusterPlan } from '../service/ClusterRequestService';
import { renderCluster, renderNamespace } from '../service/render';
import { createClusterCreateAction } from './createCluster';

const key = {
  managementCluster: 'mgmt-eu-1',
  namespace: 'team-a',
  name: 'payments-dev',
};

function plan(overrides: Partial<CreateClusterPlan> = {}): CreateClusterPlan {
  return {
    key,
    owner: 'group:default/team-a',
    profileRef: 'clusterprofile:default/kubeadm-standard',
    profileVersion: '2.1.0',
    kubernetesVersion: 'v1.35.5',
    size: 'small',
    createNamespace: true,
    namespaceObject: renderNamespace('team-a', 'group:default/team-a'),
    cluster: renderCluster({
      ...key,
      owner: 'group:default/team-a',
      profileName: 'kubeadm-standard',
      profileVersion: '2.1.0',
      clusterClass: { name: 'kubeadm-standard', namespace: 'fleet-shared' },
      kubernetesVersion: 'v1.35.5',
      controlPlaneReplicas: 1,
      workers: { class: 'default-worker', name: 'md-0', replicas: 1 },
      variables: [{ name: 'cni', value: 'calico' }],
      labels: {},
      taskId: 'task-1',
    }),
    resumed: false,
    ignoredDefaults: [],
    ...overrides,
  };
}

function setup(planCreate: jest.Mock) {
  const requests = {
    requester: jest.fn(async () => ({ userEntityRef: 'user:default/alice' })),
    planCreate,
    applyCreate: jest.fn(async () => ({ uid: 'uid-1' })),
  };
  const audit = { record: jest.fn(async () => {}) };
  const action = createClusterCreateAction({
    requests: requests as any,
    audit: audit as any,
    entityRefOf: k =>
      `resource:default/${k.managementCluster}--${k.namespace}--${k.name}`,
    clusterUrlOf: k =>
      `http://portal/shipyard/clusters/${k.managementCluster}/${k.namespace}/${k.name}`,
  });
  return { action, requests, audit };
}

const input = {
  profile: 'clusterprofile:default/kubeadm-standard',
  name: 'payments-dev',
  owner: 'group:default/team-a',
};

describe('shipyard:cluster:create', () => {
  it('creates the cluster inside a checkpoint and outputs ref, link and manifest', async () => {
    const { action, requests, audit } = setup(jest.fn(async () => plan()));
    const { ctx, outputs, cleanup } = mockActionContext({
      ...input,
      mode: 'apply',
    });
    await action.handler(ctx);
    cleanup();
    expect(requests.applyCreate).toHaveBeenCalledTimes(1);
    expect(outputs).toMatchObject({
      entityRef: 'resource:default/mgmt-eu-1--team-a--payments-dev',
      managementCluster: 'mgmt-eu-1',
      clusterUrl:
        'http://portal/shipyard/clusters/mgmt-eu-1/team-a/payments-dev',
    });
    expect(outputs.manifest).toMatch(
      /kind: Namespace[\s\S]*---\n[\s\S]*kind: Cluster/,
    );
    expect(audit.record).toHaveBeenCalledWith(
      expect.objectContaining({
        action: 'cluster.create',
        outcome: 'succeeded',
        actor: 'user:default/alice',
      }),
    );
  });

  it('does not create again when the checkpoint already holds the result (a retried task)', async () => {
    const { action, requests } = setup(
      jest.fn(async () => plan({ resumed: true })),
    );
    const checkpoints = new Map<string, unknown>([
      [
        'shipyard.cluster.create.mgmt-eu-1.team-a.payments-dev',
        { uid: 'uid-1' },
      ],
    ]);
    const { ctx, cleanup } = mockActionContext(
      { ...input, mode: 'apply' },
      checkpoints,
    );
    await action.handler(ctx);
    cleanup();
    expect(requests.applyCreate).not.toHaveBeenCalled();
  });

  it('writes the manifests into the workspace in manifests mode, without the task annotation', async () => {
    const { action, requests } = setup(jest.fn(async () => plan()));
    const { ctx, outputs, cleanup } = mockActionContext({
      ...input,
      mode: 'manifests',
    });
    await action.handler(ctx);
    const file = path.join(
      ctx.workspacePath,
      'clusters/mgmt-eu-1/team-a/payments-dev.yaml',
    );
    const text = fs.readFileSync(file, 'utf8');
    cleanup();
    expect(requests.applyCreate).not.toHaveBeenCalled();
    expect(outputs.manifestPath).toBe(
      'clusters/mgmt-eu-1/team-a/payments-dev.yaml',
    );
    expect(text).toContain('kind: Cluster');
    expect(text).not.toContain('shipyard.io/request-task');
  });

  it('refuses a manifest path outside the workspace', async () => {
    const { action } = setup(jest.fn(async () => plan()));
    const { ctx, cleanup } = mockActionContext({
      ...input,
      mode: 'manifests',
      manifestPath: '../escape.yaml',
    });
    await expect(action.handler(ctx)).rejects.toThrow(InputError);
    cleanup();
  });

  it('records a refusal and rethrows the check’s error', async () => {
    const error = new ConflictError(
      'A cluster named payments-dev already exists',
    );
    const { action, requests, audit } = setup(
      jest.fn(async () => Promise.reject(error)),
    );
    const { ctx, cleanup } = mockActionContext({ ...input, mode: 'apply' });
    await expect(action.handler(ctx)).rejects.toBe(error);
    cleanup();
    expect(requests.applyCreate).not.toHaveBeenCalled();
    expect(audit.record).toHaveBeenCalledWith(
      expect.objectContaining({ outcome: 'refused', message: error.message }),
      error,
    );
  });

  it('has examples that parse', () => {
    const { action } = setup(jest.fn());
    expect(action.examples?.length).toBeGreaterThan(0);
  });
});
