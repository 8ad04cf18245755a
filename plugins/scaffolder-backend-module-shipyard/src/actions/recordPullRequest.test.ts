import { mockActionContext } from '../__testUtils__/actionContext';
import { createRecordPullRequestAction } from './recordPullRequest';

function setup() {
  const audit = { record: jest.fn(async () => {}) };
  const action = createRecordPullRequestAction({
    requests: {} as any,
    audit: audit as any,
    entityRefOf: () => 'resource:default/x',
    clusterUrlOf: () => undefined,
  });
  return { action, audit };
}

const rendered = {
  profile: 'clusterprofile:default/kubeadm-standard',
  owner: 'group:default/team-a',
  managementCluster: 'mgmt-eu-1',
  namespace: 'team-a',
  name: 'payments-dev',
  manifestPath: 'clusters/mgmt-eu-1/team-a/payments-dev.yaml',
};

describe('shipyard:cluster:record-pull-request', () => {
  it('records the request as succeeded with the opened pull request', async () => {
    const { action, audit } = setup();
    const { ctx, cleanup } = mockActionContext({
      ...rendered,
      pullRequestUrl: 'https://github.com/example-org/fleet/pull/7',
    });
    await action.handler(ctx);
    cleanup();
    expect(audit.record).toHaveBeenCalledTimes(1);
    expect(audit.record).toHaveBeenCalledWith({
      action: 'cluster.create',
      mode: 'manifests',
      outcome: 'succeeded',
      actor: 'user:default/alice',
      taskId: 'task-1',
      profile: rendered.profile,
      owner: rendered.owner,
      managementCluster: 'mgmt-eu-1',
      namespace: 'team-a',
      cluster: 'payments-dev',
      message:
        'pull request opened: https://github.com/example-org/fleet/pull/7',
      details: {
        pullRequest: 'https://github.com/example-org/fleet/pull/7',
        manifestPath: rendered.manifestPath,
      },
    });
  });

  it.each([undefined, '', '  '])(
    'records the request as failed when no pull request was opened (%p)',
    async pullRequestUrl => {
      const { action, audit } = setup();
      const { ctx, cleanup } = mockActionContext({
        ...rendered,
        pullRequestUrl,
      });
      await action.handler(ctx);
      cleanup();
      expect(audit.record).toHaveBeenCalledTimes(1);
      const [record, error] = audit.record.mock.calls[0] as unknown[] as [
        Record<string, unknown>,
        Error,
      ];
      expect(record).toMatchObject({
        outcome: 'failed',
        cluster: 'payments-dev',
        details: { pullRequest: null },
      });
      expect(record.message).toMatch(/no pull request was opened/);
      expect(error).toBeInstanceOf(Error);
    },
  );
});
