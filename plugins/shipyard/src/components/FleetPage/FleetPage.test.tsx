import {
  act,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { useLocation } from 'react-router-dom';
import { clusterListItemOf } from '@shipyard/plugin-shipyard-common';
import { shipyardApiRef } from '../../api';
import { styleElementsAddedBy } from '../../__testUtils__/render';
import {
  clusterList,
  clusterUpserted,
  makeCluster,
  mockShipyardApi,
} from '../../__testUtils__/fixtures';
import { FleetPage } from './FleetPage';

const Location = () => {
  const location = useLocation();
  return (
    <div data-testid="location">{`${location.pathname}${location.search}`}</div>
  );
};

function render(api = mockShipyardApi(), path = '/') {
  return renderInTestApp(
    <TestApiProvider apis={[[shipyardApiRef, api]]}>
      <FleetPage />
      <Location />
    </TestApiProvider>,
    { routeEntries: [path] },
  );
}

describe('FleetPage', () => {
  it('adds no style sheet per cluster row: a page of 50 clusters inserts as many style elements as a page of 3', async () => {
    // per row, the style elements cost 0.2-0.3 s of the first paint of a page of 50 in Chromium
    const stylesFor = (n: number) =>
      styleElementsAddedBy(async () => {
        const api = mockShipyardApi();
        api.listClusters.mockResolvedValue(
          clusterList(
            Array.from({ length: n }, (_, i) =>
              makeCluster({ name: `c-${i}` }),
            ),
          ),
        );
        await render(api);
        expect(await screen.findAllByTestId('cluster-row')).toHaveLength(n);
      });
    const three = await stylesFor(3);
    const fifty = await stylesFor(50);
    expect(fifty).toBeLessThanOrEqual(three);
  });

  it('shows summary cards, charts and the first page of clusters', async () => {
    const api = mockShipyardApi();
    await render(api);
    expect(await screen.findAllByTestId('cluster-row')).toHaveLength(3);
    expect(screen.getByTestId('cluster-count')).toHaveTextContent('3 clusters');
    expect(screen.getByTestId('page-range')).toHaveTextContent('1–3 of 3');
    expect(screen.getByTestId('health-donut')).toHaveTextContent('3');
    expect(screen.getByText('Management clusters')).toBeInTheDocument();
    expect(screen.getByTestId('eol-alert')).toHaveTextContent(
      '1 cluster on end-of-life Kubernetes (1.19)',
    );
    expect(screen.getByTestId('live-state')).toHaveTextContent('Live');
    expect(api.listClusters).toHaveBeenCalledWith(
      expect.objectContaining({ sort: 'name', order: 'asc', limit: 50 }),
      expect.anything(),
    );
    // version debt: by team, by distribution, the next 12 months
    const debt = await screen.findByTestId('version-debt');
    expect(
      within(debt).getByRole('table', { name: 'Version support by team' }),
    ).toBeInTheDocument();
    expect(
      within(within(debt).getByTestId('support-projection')).getAllByRole(
        'listitem',
      ),
    ).toHaveLength(13);
  });

  it('filters the table from the version debt card', async () => {
    const api = mockShipyardApi();
    await render(api);
    const debt = await screen.findByTestId('version-debt');
    fireEvent.click(within(debt).getByText('team-b'));
    await waitFor(() =>
      expect(api.listClusters).toHaveBeenLastCalledWith(
        expect.objectContaining({ owner: ['group:default/team-b'] }),
        expect.anything(),
      ),
    );
  });

  it('reads filters from the URL and writes facet choices back to it', async () => {
    const api = mockShipyardApi();
    await render(api, '/?health=unhealthy&q=prod');
    await screen.findAllByTestId('cluster-row');
    expect(api.listClusters).toHaveBeenLastCalledWith(
      expect.objectContaining({ health: ['unhealthy'], q: 'prod' }),
      expect.anything(),
    );
    fireEvent.click(screen.getByTestId('facet-owner'));
    fireEvent.click(
      await screen.findByTestId('facet-owner-group:default/team-b'),
    );
    await waitFor(() =>
      expect(screen.getByTestId('location')).toHaveTextContent(
        '/?owner=group%3Adefault%2Fteam-b&health=unhealthy&q=prod',
      ),
    );
    await waitFor(() =>
      expect(api.listClusters).toHaveBeenLastCalledWith(
        expect.objectContaining({
          owner: ['group:default/team-b'],
          health: ['unhealthy'],
        }),
        expect.anything(),
      ),
    );
    expect(screen.getByTestId('active-filters')).toHaveTextContent(
      'Owner: team-b',
    );
  });

  it('sorts on a column and debounces the search into the URL', async () => {
    const api = mockShipyardApi();
    await render(api);
    await screen.findAllByTestId('cluster-row');
    fireEvent.click(
      within(screen.getByTestId('cluster-table')).getByText('Owner'),
    );
    await waitFor(() =>
      expect(screen.getByTestId('location')).toHaveTextContent('/?sort=owner'),
    );
    fireEvent.change(screen.getByLabelText('Search clusters'), {
      target: { value: 'dev' },
    });
    await waitFor(() =>
      expect(screen.getByTestId('location')).toHaveTextContent(
        '/?q=dev&sort=owner',
      ),
    );
    await waitFor(() =>
      expect(api.listClusters).toHaveBeenLastCalledWith(
        expect.objectContaining({ q: 'dev', sort: 'owner' }),
        expect.anything(),
      ),
    );
  });

  it('pages with cursors', async () => {
    const api = mockShipyardApi();
    api.listClusters.mockImplementation(async request => {
      const second = request?.cursor === 'c2';
      return {
        items: [makeCluster({ name: second ? 'page-2' : 'page-1' })],
        totalCount: 51,
        nextCursor: second ? undefined : 'c2',
        revision: 1,
      };
    });
    await render(api);
    expect(await screen.findByText('page-1')).toBeInTheDocument();
    fireEvent.click(screen.getByLabelText('Next page'));
    expect(await screen.findByText('page-2')).toBeInTheDocument();
    expect(screen.getByTestId('page-range')).toHaveTextContent('51–51 of 51');
    expect(screen.getByLabelText('Next page')).toBeDisabled();
    fireEvent.click(screen.getByLabelText('Previous page'));
    expect(await screen.findByText('page-1')).toBeInTheDocument();
  });

  it('chooses columns', async () => {
    await render();
    await screen.findAllByTestId('cluster-row');
    fireEvent.click(screen.getByLabelText('Choose columns'));
    fireEvent.click(await screen.findByRole('menuitem', { name: /Machines/ }));
    await waitFor(() =>
      expect(screen.getByTestId('location').textContent).toContain('columns='),
    );
    expect(
      within(screen.getByTestId('cluster-table')).getByText('Machines'),
    ).toBeInTheDocument();
  });

  it('updates rows in place on change events', async () => {
    const api = mockShipyardApi();
    await render(api);
    await screen.findAllByTestId('cluster-row');
    const calls = api.listClusters.mock.calls.length;
    api.listClusters.mockResolvedValue({
      items: [makeCluster({ name: 'prod-1', health: 'unhealthy' })],
      totalCount: 1,
      revision: 8,
    });
    api.emit(clusterUpserted(8));
    // The refetch is throttled (useThrottled); a busy machine may take longer than waitFor's one-second default.
    await waitFor(
      () => expect(screen.getAllByTestId('cluster-row')).toHaveLength(1),
      { timeout: 15_000 },
    );
    expect(api.listClusters.mock.calls.length).toBe(calls + 1);
    expect(api.getSummary).toHaveBeenCalledTimes(2);
  });

  it('paints the first rows before asking for the summary, the management clusters and the version debt', async () => {
    const api = mockShipyardApi();
    let answer!: () => void;
    const first = api.listClusters.getMockImplementation()!;
    api.listClusters.mockImplementationOnce(
      request =>
        new Promise(resolve => {
          answer = () => resolve(first(request));
        }),
    );
    await render(api);
    await waitFor(() => expect(api.listClusters).toHaveBeenCalledTimes(1));
    await new Promise(r => setTimeout(r, 50));
    expect(api.getSummary).not.toHaveBeenCalled();
    expect(api.listManagementClusters).not.toHaveBeenCalled();
    expect(api.getVersionDebt).not.toHaveBeenCalled();
    answer();
    expect(await screen.findAllByTestId('cluster-row')).toHaveLength(3);
    await waitFor(() => expect(api.getSummary).toHaveBeenCalledTimes(1));
    expect(api.listManagementClusters).toHaveBeenCalledTimes(1);
    expect(api.getVersionDebt).toHaveBeenCalledTimes(1);
    expect(await screen.findByTestId('health-donut')).toHaveTextContent('3');
    expect(await screen.findByTestId('version-debt')).toBeInTheDocument();
  });

  it('shows the rows of a new filter when they come, even when a live refresh began while they were asked for', async () => {
    const api = mockShipyardApi();
    await render(api);
    expect(await screen.findAllByTestId('cluster-row')).toHaveLength(3);
    let answerFiltered!: () => void;
    api.listClusters
      .mockImplementationOnce(
        () =>
          new Promise(resolve => {
            answerFiltered = () =>
              resolve({
                items: [makeCluster({ name: 'prod-2', health: 'unhealthy' })],
                totalCount: 1,
                revision: 7,
              });
          }),
      )
      // the refresh does not answer while the test runs (a busy backend)
      .mockImplementationOnce(() => new Promise(() => {}));
    fireEvent.click(screen.getByTestId('facet-health'));
    fireEvent.click(await screen.findByTestId('facet-health-unhealthy'));
    await waitFor(() => expect(api.listClusters).toHaveBeenCalledTimes(2));
    api.emit(clusterUpserted(8));
    // the refresh is throttled (useThrottled); a busy machine may take longer than waitFor's one-second default
    await waitFor(() => expect(api.listClusters).toHaveBeenCalledTimes(3), {
      timeout: 15_000,
    });
    act(() => answerFiltered());
    await waitFor(() =>
      expect(screen.getAllByTestId('cluster-row')).toHaveLength(1),
    );
    expect(screen.getByText('prod-2')).toBeInTheDocument();
  });

  it('shows the first summary when it answers while a live refresh of it is still on its way, whatever the version debt answered', async () => {
    const api = mockShipyardApi();
    const summary = api.getSummary.getMockImplementation()!;
    let answerFirst!: () => void;
    api.getSummary
      .mockImplementationOnce(
        () =>
          new Promise(resolve => {
            answerFirst = () => resolve(summary());
          }),
      )
      // the refresh does not answer while the test runs (a busy backend); its version debt does
      .mockImplementationOnce(() => new Promise(() => {}));
    await render(api);
    expect(await screen.findAllByTestId('cluster-row')).toHaveLength(3);
    await waitFor(() => expect(api.getVersionDebt).toHaveBeenCalledTimes(1));
    api.emit(clusterUpserted(8));
    await waitFor(() => expect(api.getVersionDebt).toHaveBeenCalledTimes(2));
    expect(await screen.findByTestId('version-debt')).toBeInTheDocument();
    act(() => answerFirst());
    expect(await screen.findByTestId('health-donut')).toHaveTextContent('3');
  });

  it('reads the first page again when the fleet changed while it was on its way', async () => {
    const api = mockShipyardApi();
    const first = api.listClusters.getMockImplementation()!;
    let answerFirst!: () => void;
    api.listClusters.mockImplementationOnce(
      request =>
        new Promise(resolve => {
          answerFirst = () => resolve(first(request));
        }),
    );
    await render(api);
    await waitFor(() => expect(api.listClusters).toHaveBeenCalledTimes(1));
    // the stream announces revision 8; the first page answers at revision 7
    api.emit(clusterUpserted(8));
    await new Promise(r => setTimeout(r, 50));
    expect(api.listClusters).toHaveBeenCalledTimes(1);
    answerFirst();
    expect(await screen.findAllByTestId('cluster-row')).toHaveLength(3);
    await waitFor(() => expect(api.listClusters).toHaveBeenCalledTimes(2));
  });

  it('shows stale clusters plainly', async () => {
    const api = mockShipyardApi();
    api.listClusters.mockResolvedValue({
      items: [
        makeCluster({
          source: {
            state: 'stale',
            staleSince: '2024-01-01T00:00:00Z',
            resynced: true,
          },
        }),
      ],
      totalCount: 1,
      revision: 1,
    });
    api.getSummary.mockResolvedValue({
      totalCount: 1,
      byHealth: { unknown: 1 },
      byPhase: {},
      byProvider: {},
      byDistribution: {},
      byKubernetesMinor: {},
      byOwner: {},
      byManagementCluster: {},
      byVersionSupport: {},
      byDrift: {},
      driftedCount: 0,
      staleCount: 1,
      revision: 1,
    });
    await render(api);
    expect(await screen.findByText('Stale')).toBeInTheDocument();
    expect(screen.getByTestId('stale-alert')).toHaveTextContent(
      '1 cluster on unreachable',
    );
  });

  it("shows a cluster's headline health reason and its version support's end of life from the slim list item", async () => {
    const api = mockShipyardApi();
    const reason = (
      severity: 'info' | 'warning' | 'error',
      type: string,
      message: string,
    ) => ({ source: 'probe' as const, severity, type, message });
    api.listClusters.mockResolvedValue({
      items: [
        clusterListItemOf(
          makeCluster({
            health: 'degraded',
            healthReasons: [
              reason('info', 'VersionExtendedSupport', 'In extended support'),
              reason('warning', 'ApiServerSlow', 'The API server is slow'),
              reason('error', 'ProbeTimeout', 'No answer'),
            ],
            versionSupport: {
              status: 'extended',
              minor: '1.31',
              endOfStandardSupport: '2025-11-26',
              endOfLife: '2026-11-26',
            },
          }),
        ),
      ],
      totalCount: 1,
      revision: 1,
    });
    await render(api);
    const [row] = await screen.findAllByTestId('cluster-row');
    expect(within(row).getByText('The API server is slow')).toBeInTheDocument();
    expect(
      within(row).getByTitle('ApiServerSlow: The API server is slow'),
    ).toBeInTheDocument();
    expect(row).not.toHaveTextContent('In extended support');
    expect(within(row).getByTitle('End of life: 2026-11-26')).toContainElement(
      within(row).getByTestId('version-support-extended'),
    );
  });

  it('shows errors', async () => {
    const api = mockShipyardApi();
    api.getSummary.mockRejectedValue(new Error('backend down'));
    api.listClusters.mockRejectedValue(new Error('backend down'));
    await render(api);
    expect(await screen.findAllByText('Error: backend down')).not.toHaveLength(
      0,
    );
  });

  it('shows a not-found page for an unknown path below the fleet page', async () => {
    await render(mockShipyardApi(), '/no-such-page');
    expect(await screen.findByText('Page not found')).toBeInTheDocument();
    expect(screen.getByText('Back to the fleet').closest('a')).toHaveAttribute(
      'href',
      '/shipyard',
    );
  });

  it('shows a cluster page below the fleet page', async () => {
    const api = mockShipyardApi();
    await renderInTestApp(
      <TestApiProvider apis={[[shipyardApiRef, api]]}>
        <FleetPage />
      </TestApiProvider>,
      { routeEntries: ['/clusters/mgmt-eu/team-a/prod-1'] },
    );
    // the cluster page's code loads with its first visit
    expect(
      await screen.findByTestId('cluster-tree', {}, { timeout: 10_000 }),
    ).toBeInTheDocument();
    expect(api.getCluster).toHaveBeenCalledWith(
      { managementCluster: 'mgmt-eu', namespace: 'team-a', name: 'prod-1' },
      expect.anything(),
    );
  });
});
