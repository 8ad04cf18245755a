import { act, screen, waitFor } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { identityApiRef } from '@backstage/core-plugin-api';
import { shipyardApiRef } from '../../api';
import {
  clusterUpserted,
  makeSummary,
  mockShipyardApi,
} from '../../__testUtils__/fixtures';
import { FleetHome } from './FleetHome';

describe('FleetHome', () => {
  it('shows the fleet at a glance: health, version debt, my teams’ clusters and the ways to act', async () => {
    const api = mockShipyardApi();
    api.getSummary.mockResolvedValue({
      totalCount: 60,
      byHealth: { healthy: 55, degraded: 3, unhealthy: 2 },
      byPhase: {},
      byProvider: {},
      byDistribution: {},
      byKubernetesMinor: {},
      byOwner: {},
      byManagementCluster: { 'mgmt-eu-1': 30, 'mgmt-us-1': 30 },
      byVersionSupport: { 'end-of-life': 7, supported: 53 },
      byDrift: {},
      driftedCount: 0,
      staleCount: 0,
      revision: 1,
    });
    const identityApi = {
      getBackstageIdentity: async () => ({
        type: 'user' as const,
        userEntityRef: 'user:default/alice',
        ownershipEntityRefs: ['user:default/alice', 'group:default/team-a'],
      }),
    };
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [shipyardApiRef, api],
          [identityApiRef, identityApi],
        ]}
      >
        <FleetHome />
      </TestApiProvider>,
    );
    expect(await screen.findByTestId('home-cluster-count')).toHaveTextContent(
      '60 clusters',
    );
    expect(screen.getByTestId('home-version-support')).toHaveTextContent(
      '7 clusters on end-of-life Kubernetes',
    );
    expect(await screen.findByText('Clusters of team-a')).toBeInTheDocument();
    expect(api.listClusters).toHaveBeenCalledWith(
      expect.objectContaining({
        owner: ['group:default/team-a'],
        sort: 'health',
        order: 'desc',
      }),
    );
    expect(screen.getByText('Request a cluster').closest('a')).toHaveAttribute(
      'href',
      '/create/templates/default/request-cluster',
    );
    expect(screen.getByText('Upgrade a cluster').closest('a')).toHaveAttribute(
      'href',
      '/create/templates/default/upgrade-cluster',
    );
  });

  it('shows the first summary when it answers while a live refresh of it is still on its way', async () => {
    const api = mockShipyardApi();
    let answerFirst!: () => void;
    api.getSummary
      .mockImplementationOnce(
        () =>
          new Promise(resolve => {
            answerFirst = () => resolve(makeSummary({ totalCount: 42 }));
          }),
      )
      // the refresh does not answer while the test runs (a busy backend)
      .mockImplementationOnce(() => new Promise(() => {}));
    const identityApi = {
      getBackstageIdentity: async () => ({
        type: 'user' as const,
        userEntityRef: 'user:default/alice',
        ownershipEntityRefs: ['user:default/alice'],
      }),
    };
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [shipyardApiRef, api],
          [identityApiRef, identityApi],
        ]}
      >
        <FleetHome />
      </TestApiProvider>,
    );
    await waitFor(() => expect(api.getSummary).toHaveBeenCalledTimes(1));
    api.emit(clusterUpserted(8));
    await waitFor(() => expect(api.getSummary).toHaveBeenCalledTimes(2));
    act(() => answerFirst());
    expect(await screen.findByTestId('home-cluster-count')).toHaveTextContent(
      '42 clusters',
    );
  });
});
