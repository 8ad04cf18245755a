import { screen, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { shipyardApiRef } from '../../api';
import {
  makeClusterLifecycle,
  mockShipyardApi,
} from '../../__testUtils__/fixtures';
import { VersionLifecycleCard, provenanceOf } from './VersionLifecycleCard';

const key = {
  managementCluster: 'mgmt-eu',
  namespace: 'team-a',
  name: 'prod-1',
};

describe('VersionLifecycleCard', () => {
  it('shows the calendar, the days left, the charge and the path back into support', async () => {
    const api = mockShipyardApi();
    await renderInTestApp(
      <TestApiProvider apis={[[shipyardApiRef, api]]}>
        <VersionLifecycleCard clusterKey={key} />
      </TestApiProvider>,
    );
    const card = await screen.findByTestId('version-lifecycle');
    expect(api.getClusterLifecycle).toHaveBeenCalledWith(
      key,
      expect.anything(),
    );
    expect(
      screen.getByText('Kubernetes 1.33 on the Amazon EKS calendar'),
    ).toBeInTheDocument();
    expect(within(card).getByTestId('next-boundary')).toHaveTextContent(
      'End of life from Jul 30, 2027 (in 237 days)',
    );
    expect(
      within(card).getByText(
        /in extended support that is charged until Jul 29, 2027/,
      ),
    ).toBeInTheDocument();
    expect(
      within(card).getByText('Jul 29, 2027 · charged'),
    ).toBeInTheDocument();
    expect(within(card).getByTestId('support-source')).toHaveTextContent(
      'Data file shipped with Shipyard, transcribed on 2026-12-05 from https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html',
    );
    const steps = within(within(card).getByTestId('upgrade-path')).getAllByRole(
      'listitem',
    );
    expect(steps.map(s => s.textContent)).toEqual([
      'Upgrade to Kubernetes v1.34 (eks-standard 1.2.0) — extended support',
      'Upgrade to Kubernetes v1.35 (eks-standard 1.2.0) — supported',
    ]);
    expect(within(card).getAllByTestId('available-upgrade')).toHaveLength(1);
    expect(within(card).getByTestId('calendar-row-1.33')).toHaveClass(
      'Mui-selected',
    );
  });

  it('says so when the backend cannot answer', async () => {
    const api = mockShipyardApi({
      getClusterLifecycle: jest.fn(async () => {
        throw new Error('HTTP 404');
      }),
    });
    await renderInTestApp(
      <TestApiProvider apis={[[shipyardApiRef, api]]}>
        <VersionLifecycleCard clusterKey={key} />
      </TestApiProvider>,
    );
    expect(
      await screen.findByText(
        'The version lifecycle is not available: HTTP 404',
      ),
    ).toBeInTheDocument();
  });

  it('names a refreshed calendar and its age', () => {
    const lifecycle = makeClusterLifecycle();
    lifecycle.support.origin = 'refreshed';
    lifecycle.calendar.records[0] = {
      ...lifecycle.calendar.records[0],
      origin: 'refreshed',
      source: 'https://mirror.example/api/v1/products/amazon-eks',
      fetchedAt: '2026-12-05T09:00:00.000Z',
    };
    expect(
      provenanceOf(lifecycle, Date.parse('2026-12-05T12:30:00.000Z')),
    ).toEqual({
      text: 'Refreshed 3h 30m ago from',
      url: 'https://mirror.example/api/v1/products/amazon-eks',
    });
  });
});
