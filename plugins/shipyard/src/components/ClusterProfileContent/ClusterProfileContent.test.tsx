import { screen } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { shipyardApiRef } from '../../api';
import { makeCluster, mockShipyardApi } from '../../testUtils/fixtures';
import { makeProfileEntity } from '../../testUtils/profiles';
import { ClusterProfileContent } from './ClusterProfileContent';

describe('ClusterProfileContent', () => {
  it('shows layers, versions, clusters per version, drift and the request button', async () => {
    const api = mockShipyardApi();
    api.listClusters.mockResolvedValue({
      items: [
        makeCluster({ name: 'a', profileVersion: '1.2.0' }),
        makeCluster({
          name: 'b',
          profileVersion: '1.1.0',
          kubernetesVersion: 'v1.29.3',
        }),
        makeCluster({ name: 'c', profileVersion: '1.2.0' }),
      ],
      totalCount: 3,
      revision: 1,
    });
    await renderInTestApp(
      <TestApiProvider apis={[[shipyardApiRef, api]]}>
        <EntityProvider entity={makeProfileEntity('eks-standard')}>
          <ClusterProfileContent />
        </EntityProvider>
      </TestApiProvider>,
      { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
    );
    expect(await screen.findByTestId('drift-table')).toBeInTheDocument();
    expect(api.listClusters).toHaveBeenCalledWith(
      expect.objectContaining({ profile: ['eks-standard'] }),
    );
    expect(screen.getByText('bottlerocket')).toBeInTheDocument();
    expect(screen.getByText('cert-manager')).toBeInTheDocument();
    expect(screen.getByText('v1.31.2, v1.30.6')).toBeInTheDocument();
    expect(screen.getByText('current')).toBeInTheDocument();
    expect(
      screen.getByText(
        'profile 1.1.0 (current 1.2.0); Kubernetes v1.29.3 (allowed v1.31.2, v1.30.6)',
      ),
    ).toBeInTheDocument();
    const request = screen.getByTestId('request-cluster');
    expect(decodeURIComponent(request.getAttribute('href') ?? '')).toBe(
      '/create/templates/default/request-cluster?formData={"profile":"clusterprofile:default/eks-standard"}',
    );
  });

  it('says when no cluster uses the profile', async () => {
    const api = mockShipyardApi();
    api.listClusters.mockResolvedValue({
      items: [],
      totalCount: 0,
      revision: 1,
    });
    await renderInTestApp(
      <TestApiProvider apis={[[shipyardApiRef, api]]}>
        <EntityProvider entity={makeProfileEntity('gke')}>
          <ClusterProfileContent />
        </EntityProvider>
      </TestApiProvider>,
      { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
    );
    expect(
      await screen.findByText('No clusters use this profile yet.'),
    ).toBeInTheDocument();
  });
});
