import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { RolloutDetails, stageProgress } from './RolloutDetails';
import type { Rollout } from './rolloutsClient';

const base = 'http://localhost/api/shipyard';

function rollout(overrides: Partial<Rollout> = {}): Rollout {
  return {
    id: 'r1',
    spec: {
      name: 'to 1.35',
      target: { kubernetesVersion: 'v1.35.1' },
      stages: [{ name: 'canary' }, { name: 'production' }],
    },
    state: 'running',
    createdBy: 'user:default/alice',
    createdAt: '2026-12-05T10:00:00.000Z',
    updatedAt: '2026-12-05T10:00:00.000Z',
    revision: 3,
    stages: [
      {
        name: 'canary',
        state: 'completed',
        clusters: [
          {
            key: 'mc/ns/a',
            owner: 'group:default/team-a',
            steps: [{ kubernetesVersion: 'v1.35.1' }],
            state: 'succeeded',
            step: 0,
            bumped: [0],
            applied: 0,
            message: 'on v1.35.1',
          },
        ],
      },
      {
        name: 'production',
        state: 'waiting-approval',
        waitingOn: {
          gate: 'approval',
          message: 'an approval by a member of group:default/platform',
        },
        clusters: [
          {
            key: 'mc/ns/b',
            owner: 'group:default/team-a',
            fromVersion: 'v1.33.5',
            steps: [
              { kubernetesVersion: 'v1.34.2' },
              { kubernetesVersion: 'v1.35.1' },
            ],
            state: 'pending',
            step: 0,
            bumped: [],
          },
        ],
      },
    ],
    excluded: [],
    ...overrides,
  };
}

describe('RolloutDetails', () => {
  it('shows stages with progress, each cluster’s step and the gate, and approves the waiting stage', async () => {
    let current = rollout();
    const approvals: string[] = [];
    const fetch = jest.fn(
      async (input: RequestInfo | URL, init?: RequestInit) => {
        const url = String(input);
        if (url.endsWith('/rollouts/r1/approve')) {
          approvals.push(init?.method ?? 'GET');
          current = rollout({
            stages: [
              current.stages[0],
              {
                ...current.stages[1],
                state: 'running',
                waitingOn: undefined,
                approvedBy: 'user:default/pat',
              },
            ],
          });
        }
        return new Response(JSON.stringify(current), {
          status: 200,
          headers: { 'Content-Type': 'application/json' },
        });
      },
    );
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [discoveryApiRef, { getBaseUrl: async () => base }],
          [fetchApiRef, { fetch }],
        ]}
      >
        <RolloutDetails id="r1" refreshMs={60_000} />
      </TestApiProvider>,
    );
    expect(await screen.findByText('to 1.35')).toBeInTheDocument();
    expect(screen.getByTestId('gate-production')).toHaveTextContent(
      'Waits for an approval by a member of group:default/platform',
    );
    expect(screen.getByText('1/2 → v1.34.2')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Approve production' }));
    await waitFor(() =>
      expect(screen.queryByTestId('gate-production')).not.toBeInTheDocument(),
    );
    expect(approvals).toEqual(['POST']);
    expect(
      fetch.mock.calls.some(
        ([url]) => String(url) === `${base}/rollouts/r1/approve`,
      ),
    ).toBe(true);
  });

  it('counts finished clusters for a stage’s progress', () => {
    const r = rollout();
    expect(stageProgress(r.stages[0])).toBe(100);
    expect(stageProgress(r.stages[1])).toBe(0);
  });
});
