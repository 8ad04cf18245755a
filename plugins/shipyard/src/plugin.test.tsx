import { screen } from '@testing-library/react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { Route, Routes } from 'react-router-dom';
import { shipyardApiRef } from './api';
import {
  ClusterProfilePickerFieldExtension,
  EntityShipyardClusterContent,
  EntityShipyardProfileContent,
  EntityShipyardTeamClustersCard,
  KubernetesVersionPickerFieldExtension,
  ShipyardFleetPage,
  shipyardPlugin,
} from './plugin';
import { makeClusterEntity, mockShipyardApi } from './__testUtils__/fixtures';
import { makeProfileEntity } from './__testUtils__/profiles';
import { rootRouteRef } from './routes';

const routes = {
  mountedRoutes: {
    '/shipyard': rootRouteRef,
    '/catalog/:namespace/:kind/:name': entityRouteRef,
  },
};

describe('legacy frontend system exports', () => {
  it('defines the plugin with its API and route', () => {
    expect(shipyardPlugin.getId()).toBe('shipyard');
    expect([...shipyardPlugin.getApis()].map(a => a.api.id)).toEqual([
      'plugin.shipyard.api',
    ]);
    expect(shipyardPlugin.routes.root).toBe(rootRouteRef);
    expect(ClusterProfilePickerFieldExtension).toBeDefined();
    expect(KubernetesVersionPickerFieldExtension).toBeDefined();
  });

  it('renders the fleet page extension', async () => {
    const api = mockShipyardApi();
    await renderInTestApp(
      <TestApiProvider apis={[[shipyardApiRef, api]]}>
        <Routes>
          <Route path="/*" element={<ShipyardFleetPage />} />
        </Routes>
      </TestApiProvider>,
      { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
    );
    // the file's first render: 9–12 s at load 14–15 (as in alpha.test.tsx)
    expect(
      await screen.findAllByTestId('cluster-row', {}, { timeout: 30_000 }),
    ).toHaveLength(3);
    // apps on the legacy system get Backstage's page header from the plugin
    expect(document.querySelector('header')).toHaveTextContent('Fleet');
  });

  it('renders the entity content and card extensions', async () => {
    const api = mockShipyardApi();
    const cluster = makeClusterEntity();
    const group = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: 'team-a' },
      spec: {},
    };
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [shipyardApiRef, api],
          [permissionApiRef, mockApis.permission()],
        ]}
      >
        <EntityProvider entity={cluster}>
          <EntityShipyardClusterContent />
        </EntityProvider>
        <EntityProvider entity={group}>
          <EntityShipyardTeamClustersCard />
        </EntityProvider>
        <EntityProvider entity={makeProfileEntity('eks-standard')}>
          <EntityShipyardProfileContent />
        </EntityProvider>
      </TestApiProvider>,
      routes,
    );
    expect(
      await screen.findByTestId('cluster-tree', {}, { timeout: 30_000 }),
    ).toBeInTheDocument();
    expect(await screen.findByTestId('team-clusters')).toBeInTheDocument();
    expect(await screen.findByTestId('profile-content')).toBeInTheDocument();
  });
});
