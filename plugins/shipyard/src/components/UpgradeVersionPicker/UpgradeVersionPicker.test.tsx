import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import { shipyardApiRef } from '../../api';
import {
  makeCluster,
  makeClusterEntity,
  makeClusterLifecycle,
  makeDetails,
  mockShipyardApi,
} from '../../__testUtils__/fixtures';
import { UpgradeVersionPicker } from './UpgradeVersionPicker';

const clusterEntity = makeClusterEntity({ name: 'prod-1', owner: 'team-a' });

function props(form: Record<string, unknown>, formData?: string) {
  return {
    onChange: jest.fn(),
    required: true,
    rawErrors: [],
    schema: {},
    uiSchema: {},
    idSchema: { $id: 'kubernetesVersion' },
    formData,
    formContext: { formData: form },
  } as unknown as FieldExtensionComponentProps<string, {}>;
}

function api(lifecycle = makeClusterLifecycle()) {
  const base = makeClusterLifecycle();
  return mockShipyardApi({
    getCluster: jest.fn(async () =>
      makeDetails(makeCluster({ kubernetesVersion: 'v1.33.4' })),
    ),
    getClusterLifecycle: jest.fn(
      async (): Promise<any> => ({
        ...base,
        ...lifecycle,
        upgrades: {
          ...base.upgrades,
          available: [
            {
              kind: 'kubernetes',
              kubernetesVersion: 'v1.34.2',
              minor: '1.34',
              status: 'supported',
              endOfLife: '2027-12-02',
            },
            {
              kind: 'kubernetes',
              kubernetesVersion: 'v1.34.0',
              minor: '1.34',
              status: 'end-of-life',
              endOfLife: '2026-01-02',
            },
            {
              kind: 'profile',
              profile: 'eks-standard',
              profileVersion: '1.3.0',
              kubernetesVersion: 'v1.33.4',
              minor: '1.33',
              status: 'extended',
            },
          ],
        },
      }),
    ),
  });
}

describe('UpgradeVersionPicker', () => {
  it('offers the versions this cluster may move to, with their support status, and warns about end of life', async () => {
    const shipyard = api();
    const p = props({ cluster: 'resource:default/prod-1' });
    const view = await renderInTestApp(
      <TestApiProvider
        apis={[
          [catalogApiRef, catalogApiMock({ entities: [clusterEntity] })],
          [shipyardApiRef, shipyard],
        ]}
      >
        <UpgradeVersionPicker {...p} />
      </TestApiProvider>,
    );
    await waitFor(() => expect(p.onChange).toHaveBeenCalledWith('v1.34.2'));
    expect(shipyard.getClusterLifecycle).toHaveBeenCalledWith({
      managementCluster: 'mgmt-eu',
      namespace: 'team-a',
      name: 'prod-1',
    });
    fireEvent.mouseDown(
      within(screen.getByTestId('upgrade-version-select')).getByRole('button'),
    );
    const listbox = await screen.findByRole('listbox');
    const opts = within(listbox).getAllByRole('option');
    expect(opts.map(o => o.textContent)).toEqual([
      expect.stringMatching(/^v1\.34\.2 — .*supported/i),
      expect.stringMatching(/^v1\.34\.0 — .*end of life/i),
    ]);
    expect(screen.queryByTestId('end-of-life-warning')).toBeNull();
    view.rerender(
      <TestApiProvider
        apis={[
          [catalogApiRef, catalogApiMock({ entities: [clusterEntity] })],
          [shipyardApiRef, shipyard],
        ]}
      >
        <UpgradeVersionPicker {...p} formData="v1.34.0" />
      </TestApiProvider>,
    );
    expect(await screen.findByTestId('end-of-life-warning')).toHaveTextContent(
      /end of life/i,
    );
  });

  it('accepts a management-cluster/namespace/name reference and asks for a cluster first', async () => {
    const shipyard = api();
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [catalogApiRef, catalogApiMock()],
          [shipyardApiRef, shipyard],
        ]}
      >
        <UpgradeVersionPicker {...props({})} />
      </TestApiProvider>,
    );
    expect(screen.getByText(/Choose a cluster first/)).toBeInTheDocument();
  });
});
