import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { ApiHolder } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import { shipyardApiRef } from '../../api';
import { mockShipyardApi } from '../../__testUtils__/fixtures';
import { makeProfileEntity } from '../../__testUtils__/profiles';
import {
  ClusterVariablesField,
  clusterVariablesValidation,
} from './ClusterVariablesField';

const profile = makeProfileEntity('eks-standard', {
  variables: { defaults: { region: 'us-east-1' } },
});

function props(
  form: Record<string, unknown>,
  formData?: Record<string, unknown>,
) {
  return {
    onChange: jest.fn(),
    required: false,
    rawErrors: [],
    schema: { title: 'ClusterClass variables' },
    uiSchema: {},
    idSchema: { $id: 'variables' },
    formData,
    formContext: { formData: form },
  } as unknown as FieldExtensionComponentProps<Record<string, any>, {}>;
}

function holder(
  shipyard = mockShipyardApi(),
  catalog = catalogApiMock({ entities: [profile] }),
): ApiHolder {
  return {
    get: (ref: { id: string }) =>
      ({ [catalogApiRef.id]: catalog, [shipyardApiRef.id]: shipyard }[
        ref.id
      ] as any),
  } as ApiHolder;
}

describe('ClusterVariablesField', () => {
  const form = {
    profile: 'clusterprofile:default/eks-standard',
    owner: 'group:default/team-a',
    managementCluster: 'mgmt-eu',
  };

  it("generates the form from the profile's ClusterClass: enums, booleans, nested objects, descriptions, profile defaults", async () => {
    const shipyard = mockShipyardApi();
    const p = props(form);
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [catalogApiRef, catalogApiMock({ entities: [profile] })],
          [shipyardApiRef, shipyard],
        ]}
      >
        <ClusterVariablesField {...p} />
      </TestApiProvider>,
    );
    const root = await screen.findByTestId('cluster-variables');
    expect(shipyard.listClusterClasses).toHaveBeenCalledWith('mgmt-eu');
    expect(root).toHaveTextContent('ClusterClass team-a/eks-standard');
    // the description of a variable and the required marker
    expect(within(root).getByText('AWS region')).toBeInTheDocument();
    expect(
      root.querySelector('label[for="variables_region"]')?.textContent,
    ).toMatch(/region\s*\*/);
    // the profile's default is the value until changed
    await waitFor(() =>
      expect(p.onChange).toHaveBeenCalledWith(
        expect.objectContaining({ region: 'us-east-1' }),
      ),
    );
    // a boolean is a checkbox
    const checkbox = within(root).getByRole('checkbox', {
      name: 'privateEndpoint',
    });
    fireEvent.click(checkbox);
    await waitFor(() =>
      expect(p.onChange).toHaveBeenLastCalledWith(
        expect.objectContaining({ privateEndpoint: true }),
      ),
    );
    // an object variable has its own fields (an enum and a boolean)
    expect(within(root).getByText('podSecurity')).toBeInTheDocument();
    expect(
      within(root).getByRole('checkbox', { name: 'audit' }),
    ).toBeInTheDocument();
    expect(within(root).getByText('enforce')).toBeInTheDocument();
  });

  it('asks for a profile first', async () => {
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [catalogApiRef, catalogApiMock({ entities: [profile] })],
          [shipyardApiRef, mockShipyardApi()],
        ]}
      >
        <ClusterVariablesField {...props({})} />
      </TestApiProvider>,
    );
    expect(
      screen.getByText('Choose a cluster profile first.'),
    ).toBeInTheDocument();
  });

  it('validates with the check the request action makes (checkClusterVariables)', async () => {
    const errors: string[] = [];
    const validation = { addError: (m: string) => errors.push(m) };
    await clusterVariablesValidation(
      { region: 'mars-1', podSecurity: { enforce: 'none' }, extra: 1 } as any,
      validation,
      { apiHolder: holder(), formData: form },
    );
    expect(errors).toEqual([
      expect.stringContaining('Unknown variable "extra"'),
      expect.stringContaining('region'),
      expect.stringContaining('podSecurity'),
    ]);

    const ok: string[] = [];
    await clusterVariablesValidation(
      {
        region: 'eu-west-1',
        privateEndpoint: true,
        podSecurity: { audit: true },
      },
      { addError: (m: string) => ok.push(m) },
      { apiHolder: holder(), formData: form },
    );
    expect(ok).toEqual([]);
  });
});
