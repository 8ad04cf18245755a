import { act, screen, waitFor, within } from '@testing-library/react';
import { clusterListItemOf } from '@shipyard/plugin-shipyard-common';
import {
  clusterList,
  clusterUpserted,
  makeCluster,
  mockShipyardApi,
} from '../../__testUtils__/fixtures';
import { renderOnEntityPage } from '../../__testUtils__/render';
import { TeamClustersCard } from './TeamClustersCard';

const group = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'team-a', namespace: 'default' },
  spec: { type: 'team', children: [] },
};

describe('TeamClustersCard', () => {
  it("lists the team's clusters with health, versions and end-of-life warnings", async () => {
    const api = mockShipyardApi();
    api.listClusters.mockResolvedValue({
      items: [
        makeCluster({
          name: 'old',
          kubernetesVersion: 'v1.19.1',
          kubernetesMinor: '1.19',
          versionSupport: {
            status: 'end-of-life',
            minor: '1.19',
            endOfLife: '2021-10-28',
          },
        }),
        makeCluster({ name: 'new', health: 'degraded' }),
      ].map(c => clusterListItemOf(c)),
      totalCount: 12,
      revision: 1,
      facets: {
        owner: [],
        profile: [],
        provider: [],
        distribution: [],
        kubernetesMinor: [
          { value: '1.19', count: 1 },
          { value: '1.99', count: 11 },
        ],
        health: [
          { value: 'healthy', count: 11 },
          { value: 'degraded', count: 1 },
        ],
        phase: [],
        managementCluster: [],
        label: [],
        versionSupport: [{ value: 'end-of-life', count: 1 }],
        drift: [],
        budget: [],
      },
    });
    await renderOnEntityPage(<TeamClustersCard />, { entity: group, api });
    expect(await screen.findByTestId('team-clusters')).toBeInTheDocument();
    expect(api.listClusters).toHaveBeenCalledWith(
      expect.objectContaining({
        owner: ['group:default/team-a'],
        fields: 'list',
      }),
    );
    expect(screen.getByText('Healthy: 11')).toBeInTheDocument();
    // the version chip of the list item, with its end of life
    expect(
      within(screen.getAllByTestId('team-cluster-row')[0]).getByTitle(
        'End of life: 2021-10-28',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/1 cluster on end-of-life Kubernetes \(1\.19\)/),
    ).toBeInTheDocument();
    expect(screen.getByText('old')).toBeInTheDocument();
    expect(screen.getByTestId('team-fleet-link')).toHaveAttribute(
      'href',
      '/shipyard?owner=group%3Adefault%2Fteam-a',
    );
    expect(screen.getByTestId('team-fleet-link')).toHaveTextContent(
      'View all 12 clusters',
    );
    // version debt of the team: by status, by distribution, the coming months
    expect(api.getVersionDebt).toHaveBeenCalledWith({
      owner: ['group:default/team-a'],
    });
    const debt = await screen.findByTestId('team-version-debt');
    expect(debt).toHaveTextContent('1 cluster is in charged extended support.');
    expect(
      within(debt).getByRole('table', {
        name: 'Version support by distribution',
      }),
    ).toBeInTheDocument();
    expect(within(debt).getByTestId('support-projection')).toBeInTheDocument();
  });

  it("shows the team's error budgets, the least budget left first", async () => {
    const api = mockShipyardApi();
    await renderOnEntityPage(<TeamClustersCard />, { entity: group, api });
    const budgets = await screen.findByTestId('team-objectives');
    expect(api.getObjectives).toHaveBeenCalledWith(
      { owner: ['group:default/team-a'], limit: 10 },
      expect.anything(),
    );
    expect(
      within(budgets).getByTestId('team-objectives-total'),
    ).toHaveTextContent(
      'Availability 99.9 %, budget left 50 % (100 min of 3 h 20 min)',
    );
    const rows = within(budgets).getAllByTestId('team-objective-row');
    expect(rows.map(r => r.textContent)).toEqual([
      expect.stringMatching(/^payments.*Budget exhausted.*-15\.7 %/),
      expect.stringMatching(/^checkout.*Burning budget.*40 %/),
      expect.stringMatching(/^search.*Budget ok.*100 %/),
    ]);
    expect(
      within(budgets).getByRole('link', { name: '1 exhausted, 1 burning' }),
    ).toHaveAttribute(
      'href',
      '/shipyard?owner=group%3Adefault%2Fteam-a&budget=exhausted&budget=burning',
    );
  });

  it('says when the team owns no clusters', async () => {
    const api = mockShipyardApi();
    api.listClusters.mockResolvedValue(clusterList([]));
    await renderOnEntityPage(<TeamClustersCard />, { entity: group, api });
    expect(
      await screen.findByText('This team owns no clusters in the fleet.'),
    ).toBeInTheDocument();
  });

  it("shows the team's first page when it answers while a live refresh of it is still on its way", async () => {
    const api = mockShipyardApi();
    let answerFirst!: () => void;
    let pages = 0;
    api.listClusters.mockImplementation(async request => {
      // the count of drifted clusters answers at once
      if (request?.drift) return clusterList([]);
      pages++;
      if (pages > 1) return new Promise(() => {}); // a refresh a busy backend does not answer
      return new Promise(resolve => {
        answerFirst = () => resolve(clusterList([makeCluster()]));
      });
    });
    await renderOnEntityPage(<TeamClustersCard />, { entity: group, api });
    await waitFor(() => expect(pages).toBe(1));
    api.emit(clusterUpserted(8));
    await waitFor(() => expect(pages).toBe(2));
    act(() => answerFirst());
    expect(await screen.findByTestId('team-clusters')).toBeInTheDocument();
  });
});
