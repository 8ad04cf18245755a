import { screen, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { shipyardApiRef } from '../../api';
import {
  makeClusterObjective,
  mockShipyardApi,
} from '../../__testUtils__/fixtures';
import { ObjectiveCard } from './ObjectiveCard';

const key = { managementCluster: 'mgmt-eu-1', namespace: 'team-a', name: 'a' };

describe('ObjectiveCard', () => {
  it('shows availability, budget left, burn rates, the firing condition and a bar per day', async () => {
    const api = mockShipyardApi();
    await renderInTestApp(
      <TestApiProvider apis={[[shipyardApiRef, api]]}>
        <ObjectiveCard clusterKey={key} />
      </TestApiProvider>,
    );
    const card = await screen.findByTestId('cluster-objective');
    expect(api.getClusterObjective).toHaveBeenCalledWith(key, {
      signal: expect.anything(),
    });
    expect(card).toHaveTextContent(
      'Objective 99.9 % over 30 days (production)',
    );
    expect(within(card).getByTestId('budget-burning')).toBeInTheDocument();
    expect(
      within(card).getByTestId('objective-availability'),
    ).toHaveTextContent('99.977 %');
    expect(within(card).getByTestId('objective-budget')).toHaveTextContent(
      '76.9 % · 33.2 min',
    );
    expect(within(card).getByTestId('objective-burn')).toHaveTextContent(
      '166.67× · 27.78× · 0.23×',
    );
    expect(card).toHaveTextContent(
      'Fast burn: 166.7× over 60 min and 1000× over 5 min (threshold 14.4×)',
    );
    expect(within(card).getAllByTestId('objective-day')).toHaveLength(30);
  });

  it('says when the cluster has no objective', async () => {
    const api = mockShipyardApi();
    api.getClusterObjective.mockResolvedValue({
      ...makeClusterObjective(),
      objective: undefined,
    });
    await renderInTestApp(
      <TestApiProvider apis={[[shipyardApiRef, api]]}>
        <ObjectiveCard clusterKey={key} />
      </TestApiProvider>,
    );
    expect(
      await screen.findByText('This cluster has no availability objective.'),
    ).toBeInTheDocument();
  });
});
