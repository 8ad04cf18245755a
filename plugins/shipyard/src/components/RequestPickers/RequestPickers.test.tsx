import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import { shipyardApiRef } from '../../api';
import {
  makeManagementCluster,
  mockShipyardApi,
} from '../../__testUtils__/fixtures';
import { makeProfileEntity } from '../../__testUtils__/profiles';
import { ClusterSizePicker, ManagementClusterPicker } from './RequestPickers';

const profile = makeProfileEntity('eks-standard', {
  managementClusters: ['mgmt-eu', 'mgmt-us', 'mgmt-old'],
  defaultManagementCluster: 'mgmt-us',
  sizes: {
    small: {
      title: 'Small (2 × m6i.large)',
      controlPlaneReplicas: 0,
      workerReplicas: 2,
    },
    large: { controlPlaneReplicas: 3, workerReplicas: 6 },
  },
  defaultSize: 'large',
});

function props(form: Record<string, unknown>, formData?: string) {
  return {
    onChange: jest.fn(),
    required: false,
    rawErrors: [],
    schema: {},
    uiSchema: {},
    idSchema: { $id: 'field' },
    formData,
    formContext: { formData: form },
  } as unknown as FieldExtensionComponentProps<string, {}>;
}

const form = { profile: 'clusterprofile:default/eks-standard' };

function apis() {
  return [
    [catalogApiRef, catalogApiMock({ entities: [profile] })],
    [
      shipyardApiRef,
      mockShipyardApi({
        listManagementClusters: jest.fn(async () => ({
          items: [
            makeManagementCluster({ name: 'mgmt-eu' }),
            makeManagementCluster({ name: 'mgmt-us' }),
            makeManagementCluster({ name: 'mgmt-old', state: 'stale' }),
            makeManagementCluster({ name: 'mgmt-other' }),
          ],
        })),
      }),
    ],
  ] as const;
}

async function options(testId: string) {
  fireEvent.mouseDown(
    within(await screen.findByTestId(testId)).getByRole('button'),
  );
  const listbox = await screen.findByRole('listbox');
  return within(listbox).getAllByRole('option');
}

describe('ClusterSizePicker', () => {
  it("offers the profile's sizes with their titles (else their replicas), defaulting to the profile's default", async () => {
    const p = props(form);
    await renderInTestApp(
      <TestApiProvider apis={apis()}>
        <ClusterSizePicker {...p} />
      </TestApiProvider>,
    );
    await waitFor(() => expect(p.onChange).toHaveBeenCalledWith('large'));
    const opts = await options('cluster-size-select');
    expect(opts.map(o => o.textContent)).toEqual([
      'Small (2 × m6i.large)',
      'large (3 control plane, 6 workers)',
    ]);
    fireEvent.click(opts[0]);
    expect(p.onChange).toHaveBeenLastCalledWith('small');
  });

  it('asks for a profile first', async () => {
    await renderInTestApp(
      <TestApiProvider apis={apis()}>
        <ClusterSizePicker {...props({})} />
      </TestApiProvider>,
    );
    expect(
      screen.getByText('Choose a cluster profile first'),
    ).toBeInTheDocument();
  });
});

describe('ManagementClusterPicker', () => {
  it('offers the management clusters the profile allows, a stale one disabled', async () => {
    const p = props(form);
    await renderInTestApp(
      <TestApiProvider apis={apis()}>
        <ManagementClusterPicker {...p} />
      </TestApiProvider>,
    );
    await waitFor(() => expect(p.onChange).toHaveBeenCalledWith('mgmt-us'));
    const opts = await options('management-cluster-select');
    expect(opts.map(o => o.textContent)).toEqual([
      'mgmt-eu',
      'mgmt-us',
      'mgmt-old (stale)',
    ]);
    expect(opts[2]).toHaveAttribute('aria-disabled', 'true');
  });
});
