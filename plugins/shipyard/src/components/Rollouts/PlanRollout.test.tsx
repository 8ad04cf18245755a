import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { PlanRollout, unsupportedFilters } from './PlanRollout';
import { PlanUpgradeBanner } from './PlanUpgradeBanner';

const base = 'http://localhost/api/shipyard';

const plan = {
  stages: [
    {
      name: 'canary',
      clusters: [
        {
          key: 'mc/ns/a',
          owner: 'group:default/team-a',
          fromVersion: 'v1.34.2',
          steps: [{ kubernetesVersion: 'v1.35.1', profileVersion: '2.1.0' }],
        },
      ],
    },
    { name: 'rest', clusters: [] },
  ],
  excluded: [],
};

async function renderPlan(path: string) {
  const bodies: any[] = [];
  const fetch = jest.fn(
    async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input);
      if (url === `${base}/rollouts/plan`) {
        bodies.push(JSON.parse(String(init?.body)));
        return new Response(JSON.stringify(plan), {
          status: 200,
          headers: { 'Content-Type': 'application/json' },
        });
      }
      return new Response('{}', { status: 404 });
    },
  );
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [discoveryApiRef, { getBaseUrl: async () => base }],
        [fetchApiRef, { fetch }],
      ]}
    >
      <PlanRollout />
    </TestApiProvider>,
    { routeEntries: [path] },
  );
  return bodies;
}

describe('PlanRollout', () => {
  it('plans a Kubernetes version for the selection in the address', async () => {
    const bodies = await renderPlan(
      '/shipyard/rollouts/new?owner=team-a&versionSupport=end-of-life&target=v1.35.1',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Plan' }));
    await waitFor(() => expect(bodies).toHaveLength(1));
    expect(bodies[0]).toMatchObject({
      target: { kubernetesVersion: 'v1.35.1' },
      selector: { owner: ['team-a'], versionSupport: ['end-of-life'] },
    });
  });

  it('plans a profile version: its target, and the profile as the selection', async () => {
    const bodies = await renderPlan(
      '/shipyard/rollouts/new?lifecycle=development',
    );
    fireEvent.click(screen.getByLabelText('A profile version'));
    fireEvent.change(screen.getByLabelText('Target profile'), {
      target: { value: 'web' },
    });
    fireEvent.change(screen.getByLabelText('Target profile version'), {
      target: { value: '2.1.0' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Plan' }));
    await waitFor(() => expect(bodies).toHaveLength(1));
    expect(bodies[0]).toMatchObject({
      target: { profile: 'web', profileVersion: '2.1.0' },
      selector: { lifecycle: ['development'], profile: ['web'] },
    });
    expect(bodies[0].target.kubernetesVersion).toBeUndefined();
    // the plan shows each step with the profile version it brings
    expect(
      await screen.findByText('v1.35.1 (profile 2.1.0)'),
    ).toBeInTheDocument();
  });

  it('takes a profile version target from the address', async () => {
    await renderPlan(
      '/shipyard/rollouts/new?targetProfile=web&targetProfileVersion=2.1.0',
    );
    expect(screen.getByLabelText('Target profile')).toHaveValue('web');
    expect(screen.getByLabelText('Target profile version')).toHaveValue(
      '2.1.0',
    );
  });

  it('names the fleet filters a selection cannot take', () => {
    expect(
      unsupportedFilters(
        new URLSearchParams('owner=a&q=web&phase=Provisioned&sort=name'),
      ),
    ).toEqual(['q', 'phase']);
  });
});

describe('PlanUpgradeBanner', () => {
  it('plans an upgrade of the end-of-life clusters of the current filters', async () => {
    await renderInTestApp(
      <PlanUpgradeBanner
        endOfLife={29}
        filters={new URLSearchParams('owner=team-a')}
      />,
    );
    expect(
      screen.getByText('29 clusters on end-of-life Kubernetes'),
    ).toBeInTheDocument();
    expect(screen.getByTestId('plan-upgrade')).toHaveAttribute(
      'href',
      '/shipyard/rollouts/new?owner=team-a&versionSupport=end-of-life',
    );
  });
});
