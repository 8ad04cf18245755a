import { InputError, NotAllowedError } from '@backstage/errors';
import express from 'express';
import { mockActionContext } from '../__testUtils__/actionContext';
import { startRecordingBackend } from '../__testUtils__/recordingBackend';
import { createRolloutCreateAction } from './createRolloutAction';
import { RolloutsClient } from './RolloutsClient';

const STAGES = [
  {
    name: 'canary',
    clusters: [{ key: 'mgmt-eu-1/team-a/web-1', steps: [], state: 'pending' }],
  },
  {
    name: 'production',
    clusters: [
      { key: 'mgmt-eu-1/team-a/web-2', steps: [], state: 'pending' },
      { key: 'mgmt-eu-1/team-a/web-3', steps: [], state: 'pending' },
    ],
  },
];

/** The action against a stand-in for `/api/shipyard/rollouts` that records what it sends and answers as told. */
async function startBackend(answer: (req: express.Request) => [number, any]) {
  const backend = await startRecordingBackend(
    [/^\/api\/shipyard\/rollouts(\/plan)?$/],
    answer,
  );
  const rollouts = new RolloutsClient(backend.client);
  return { ...backend, action: createRolloutCreateAction({ rollouts }) };
}

const input = {
  name: 'web to 2.1.0',
  target: { profile: 'web', profileVersion: '2.1.0' },
  selector: { profile: ['web'], behind: { profileVersion: '2.1.0' } },
  stages: [
    { name: 'canary', maxClusters: 1 },
    { name: 'production', approval: { groups: ['group:default/platform'] } },
  ],
};

describe('shipyard:rollout:create', () => {
  it('starts the rollout as the initiator and outputs its page', async () => {
    const backend = await startBackend(() => [
      201,
      { id: 'r-1', state: 'running', stages: STAGES, excluded: [] },
    ]);
    try {
      // what a template leaves empty is not sent
      const run = mockActionContext({
        ...input,
        selector: { ...input.selector, owner: '' },
        stages: [...input.stages, { name: 'last', maxClusters: null }],
      });
      await backend.action.handler(run.ctx);
      expect(backend.calls).toEqual([
        {
          path: '/api/shipyard/rollouts',
          body: { ...input, stages: [...input.stages, { name: 'last' }] },
          auth: expect.stringMatching(/^Bearer .*alice/),
        },
      ]);
      expect(run.outputs).toEqual({
        id: 'r-1',
        rolloutPath: '/shipyard/rollouts/r-1',
        stages: 2,
        clusters: 3,
        excluded: 0,
      });
      run.cleanup();
    } finally {
      await backend.stop();
    }
  });

  it('only plans with dryRun, and names what is left out', async () => {
    const backend = await startBackend(() => [
      200,
      {
        stages: STAGES,
        excluded: [{ key: 'mgmt-eu-1/team-a/old', message: 'no path' }],
      },
    ]);
    try {
      const run = mockActionContext({ ...input, dryRun: true });
      await backend.action.handler(run.ctx);
      expect(backend.calls[0].path).toBe('/api/shipyard/rollouts/plan');
      expect(run.outputs).toEqual({ stages: 2, clusters: 3, excluded: 1 });
      expect(run.ctx.logger.info).toHaveBeenCalledWith(
        'left out mgmt-eu-1/team-a/old: no path',
      );
      run.cleanup();
    } finally {
      await backend.stop();
    }
  });

  it("passes the backend's refusals on as errors of their kind", async () => {
    const backend = await startBackend(req =>
      req.body.name === 'bad'
        ? [
            400,
            {
              error: {
                name: 'InputError',
                message: 'Invalid rollout: stages.0.name: must be a short name',
              },
              response: { statusCode: 400 },
            },
          ]
        : [
            403,
            {
              error: {
                name: 'NotAllowedError',
                message: 'not allowed to roll out mgmt-eu-1/team-c/x',
              },
              response: { statusCode: 403 },
            },
          ],
    );
    try {
      const bad = mockActionContext({ ...input, name: 'bad' });
      await expect(backend.action.handler(bad.ctx)).rejects.toThrow(
        new InputError('Invalid rollout: stages.0.name: must be a short name'),
      );
      const refused = mockActionContext(input);
      await expect(backend.action.handler(refused.ctx)).rejects.toThrow(
        NotAllowedError,
      );
      bad.cleanup();
      refused.cleanup();
    } finally {
      await backend.stop();
    }
  });
});
