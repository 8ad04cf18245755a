import { screen } from '@testing-library/react';
import {
  coreExtensionData,
  createExtensionInput,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
import shipyardPluginAlpha, {
  clusterProfilePickerFormFieldExtension,
  clusterRequestCheckFormFieldExtension,
  clusterSizePickerFormFieldExtension,
  clusterVariablesFormFieldExtension,
  kubernetesVersionPickerFormFieldExtension,
  managementClusterPickerFormFieldExtension,
  upgradeVersionPickerFormFieldExtension,
  shipyardClusterEntityContent,
  shipyardFleetPage,
  shipyardProfileEntityContent,
  shipyardTeamClustersEntityCard,
} from './alpha';
import { shipyardApiRef } from './api';
import { readFleetTableAhead } from './lib/readAhead';
import { mockShipyardApi } from './__testUtils__/fixtures';

// Rendering the fleet page in a test app takes 3–6 s on a busy machine, past Jest's default of 5 s per test.
jest.setTimeout(60_000);

describe('new frontend system', () => {
  it('exposes the plugin with all its extensions', () => {
    expect(shipyardPluginAlpha.pluginId).toBe('shipyard');
    // keep the imports used: the blueprints the extensions come from
    expect([
      PageBlueprint,
      EntityCardBlueprint,
      EntityContentBlueprint,
      FormFieldBlueprint,
    ]).toHaveLength(4);
    expect(coreExtensionData.routePath).toBeDefined();
    expect(createExtensionInput).toBeDefined();
  });

  it('mounts the fleet page at /shipyard and renders it', async () => {
    const tester = createExtensionTester(shipyardFleetPage);
    expect(tester.get(coreExtensionData.routePath)).toBe('/shipyard');
    const api = mockShipyardApi();
    renderInTestApp(tester.reactElement(), { apis: [[shipyardApiRef, api]] });
    expect(
      await screen.findAllByTestId('cluster-row', {}, { timeout: 30_000 }),
    ).toHaveLength(3);
  });

  it('asks for the fleet table’s first rows while the fleet page’s code loads, with the request the table makes', async () => {
    const before = window.location.href;
    try {
      // the loader reads the address the browser is at (the table reads the router's: the same in the app)
      window.history.pushState({}, '', '/shipyard/');
      const readAhead = jest.fn();
      const api = mockShipyardApi({ readClustersAhead: readAhead });
      // the app's APIs: those the page's loader is given
      const tester = createExtensionTester(shipyardFleetPage, {
        apis: [[shipyardApiRef, api]],
      });
      renderInTestApp(tester.reactElement(), {
        apis: [[shipyardApiRef, api]],
      });
      expect(
        await screen.findAllByTestId('cluster-row', {}, { timeout: 30_000 }),
      ).toHaveLength(3);
      expect(readAhead).toHaveBeenCalledTimes(1);
      const [ahead] = readAhead.mock.calls[0];
      expect(ahead).toMatchObject({ fields: 'list', sort: 'name', limit: 50 });
      // the table's first read is the same request: the client lets it take the read begun ahead over
      expect(api.listClusters).toHaveBeenCalledWith(ahead, expect.anything());

      // a filtered fleet page: its filters; below the fleet page (a cluster's page): nothing ahead
      window.history.pushState({}, '', '/portal/shipyard?health=degraded');
      const filtered = mockShipyardApi({ readClustersAhead: jest.fn() });
      readFleetTableAhead(filtered, '/shipyard');
      expect(filtered.readClustersAhead).toHaveBeenCalledWith(
        expect.objectContaining({ health: ['degraded'], fields: 'list' }),
      );
      window.history.pushState({}, '', '/shipyard/clusters/mc/default/prod-1');
      const cluster = mockShipyardApi({ readClustersAhead: jest.fn() });
      readFleetTableAhead(cluster, '/shipyard');
      expect(cluster.readClustersAhead).not.toHaveBeenCalled();
      // an API without it: the table reads as it renders
      expect(() =>
        readFleetTableAhead(mockShipyardApi(), '/shipyard'),
      ).not.toThrow();
    } finally {
      window.history.replaceState({}, '', before);
    }
  });

  it('filters entity content and cards to the right entities', () => {
    const content = createExtensionTester(shipyardClusterEntityContent);
    const filter = content.get(EntityContentBlueprint.dataRefs.filterFunction);
    const expression = content.get(
      EntityContentBlueprint.dataRefs.filterExpression,
    );
    expect(content.get(coreExtensionData.routePath)).toBe('/shipyard');
    expect(filter ?? expression).toBeDefined();

    const profile = createExtensionTester(shipyardProfileEntityContent);
    expect(profile.get(coreExtensionData.routePath)).toBe('/profile');

    const card = createExtensionTester(shipyardTeamClustersEntityCard);
    expect(card.get(coreExtensionData.reactElement)).toBeDefined();
  });

  it('registers every scaffolder form field in the plugin the app discovers', () => {
    for (const name of [
      'cluster-profile-picker',
      'kubernetes-version-picker',
      'cluster-variables',
      'cluster-size-picker',
      'management-cluster-picker',
      'upgrade-version-picker',
      'cluster-request-check',
    ] as const) {
      expect(
        shipyardPluginAlpha.getExtension(
          `scaffolder-form-field:shipyard/${name}`,
        ),
      ).toMatchObject({
        kind: 'scaffolder-form-field',
        namespace: 'shipyard',
        name,
        attachTo: { id: 'api:scaffolder/form-fields', input: 'formFields' },
      });
    }
  });

  it("shows the cluster's progress on the task page of the request and upgrade templates", () => {
    const outputs = shipyardPluginAlpha.getExtension(
      'scaffolder-template-outputs:shipyard/cluster-progress',
    );
    expect(outputs).toMatchObject({
      attachTo: {
        id: 'sub-page:scaffolder/tasks',
        input: 'templateOutputsComponents',
      },
    });
  });

  it('leaves the page header to the app: no second Backstage header on the fleet page', async () => {
    const tester = createExtensionTester(shipyardFleetPage);
    renderInTestApp(tester.reactElement(), {
      apis: [[shipyardApiRef, mockShipyardApi()]],
    });
    await screen.findAllByTestId('cluster-row', {}, { timeout: 10_000 });
    // the app's page header carries the plugin title; the page adds no Backstage `Header` of its own
    expect(screen.getAllByRole('heading', { name: 'Fleet' })).toHaveLength(1);
    expect(
      screen.getByRole('heading', { name: 'Clusters' }),
    ).toBeInTheDocument();
    expect(screen.getByTestId('live-state')).toBeInTheDocument();
    expect(document.querySelector('header')).toBeNull();
  });

  it('provides the scaffolder form fields', async () => {
    const picker = createExtensionTester(
      clusterProfilePickerFormFieldExtension,
    );
    const loader = picker.get(FormFieldBlueprint.dataRefs.formFieldLoader);
    await expect(loader()).resolves.toBeDefined();
    const version = createExtensionTester(
      kubernetesVersionPickerFormFieldExtension,
    );
    await expect(
      version.get(FormFieldBlueprint.dataRefs.formFieldLoader)(),
    ).resolves.toBeDefined();
    const names: string[] = [];
    for (const extension of [
      clusterVariablesFormFieldExtension,
      clusterSizePickerFormFieldExtension,
      managementClusterPickerFormFieldExtension,
      upgradeVersionPickerFormFieldExtension,
      clusterRequestCheckFormFieldExtension,
    ] as Array<typeof clusterVariablesFormFieldExtension>) {
      const field = await createExtensionTester(extension).get(
        FormFieldBlueprint.dataRefs.formFieldLoader,
      )();
      names.push((field as unknown as { name: string }).name);
    }
    expect(names).toEqual([
      'ClusterVariables',
      'ClusterSizePicker',
      'ManagementClusterPicker',
      'UpgradeVersionPicker',
      'ClusterRequestCheck',
    ]);
  });
});
