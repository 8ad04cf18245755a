import { ConflictError } from '@backstage/errors';
import { mockActionContext } from '../__testUtils__/actionContext';
import { createShipyardActions } from '../actions';

/*
 * What a failed step writes to the task log is the stack of the error it threw (the scaffolder logs `err.stack`),
 * and the task's error is its message: neither may carry stack frames with file paths or the internal address of a
 * management cluster.
 */

const INTERNAL = '10.20.30.40:6443';

function actions(fail: () => Promise<never>) {
  const requests = {
    requester: jest.fn(async () => ({ userEntityRef: 'user:default/alice' })),
    planCreate: jest.fn(fail),
    planUpgrade: jest.fn(fail),
  };
  const audit = {
    record: jest.fn(async () => {}),
    refusedInput: jest.fn(async () => {}),
  };
  return createShipyardActions({
    requests: requests as any,
    audit: audit as any,
    entityRefOf: () => 'resource:default/x',
    clusterUrlOf: () => undefined,
  });
}

async function failureOf(
  fail: () => Promise<never>,
  which: 'create' | 'upgrade',
  input: Record<string, unknown>,
): Promise<Error> {
  const [create, , upgrade] = actions(fail);
  const { ctx, cleanup } = mockActionContext(input);
  try {
    await (which === 'create' ? create : upgrade).handler(ctx);
  } catch (error) {
    return error as Error;
  } finally {
    cleanup();
  }
  throw new Error('the action did not fail');
}

function expectUserFacing(error: Error) {
  const text = `${error.stack}\n${error.message}`;
  expect(text).not.toMatch(/\n\s+at /);
  expect(text).not.toMatch(/\/(work|home|tmp|usr|opt)\/\S+|\.tsx?:\d+/);
  expect(text).not.toContain(INTERNAL);
  expect(text).not.toMatch(/https?:\/\//);
}

describe('errors of the cluster actions', () => {
  it('keep their type and meaning, without stack frames, file paths or management addresses', async () => {
    const conflict = await failureOf(
      async () => {
        throw new ConflictError(
          `Management cluster mgmt-eu-1 is not connected (stale: request to https://${INTERNAL}/apis/cluster.x-k8s.io/v1beta2/clusters: connect ECONNREFUSED ${INTERNAL}); nothing was created`,
        );
      },
      'create',
      {
        profile: 'clusterprofile:default/kubeadm-standard',
        name: 'payments-dev',
        owner: 'group:default/team-a',
      },
    );
    expect(conflict).toBeInstanceOf(ConflictError);
    expect(conflict.message).toMatch(
      /^Management cluster mgmt-eu-1 is not connected \(stale: .*ECONNREFUSED.*\); nothing was created$/,
    );
    expectUserFacing(conflict);

    const bug = await failureOf(
      async () => {
        throw new TypeError(
          `Cannot read properties of undefined (reading 'spec') at /work/plugins/x/src/service/ClusterRequestService.ts:412:7`,
        );
      },
      'upgrade',
      { cluster: 'mgmt-eu-1/team-a/payments', kubernetesVersion: 'v1.36.2' },
    );
    expect(bug).toBeInstanceOf(TypeError);
    expectUserFacing(bug);
  });
});
