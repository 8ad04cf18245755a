import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import { makeProfileEntity } from '../../testUtils/profiles';
import { KubernetesVersionPicker } from './KubernetesVersionPicker';

function props(
  formContext: Record<string, unknown>,
  overrides: Partial<FieldExtensionComponentProps<string, {}>> = {},
) {
  return {
    onChange: jest.fn(),
    required: true,
    rawErrors: [],
    schema: { title: 'Kubernetes version' },
    uiSchema: {},
    idSchema: { $id: 'version' },
    formContext: { formData: formContext },
    ...overrides,
  } as unknown as FieldExtensionComponentProps<string, {}>;
}

describe('KubernetesVersionPicker', () => {
  const apis = [
    [
      catalogApiRef,
      catalogApiMock({ entities: [makeProfileEntity('eks-standard')] }),
    ],
  ] as const;

  it("offers the profile's versions and defaults to the profile's default", async () => {
    const p = props({ profile: 'clusterprofile:default/eks-standard' });
    await renderInTestApp(
      <TestApiProvider apis={apis}>
        <KubernetesVersionPicker {...p} />
      </TestApiProvider>,
    );
    await waitFor(() => expect(p.onChange).toHaveBeenCalledWith('v1.31.2'));
    fireEvent.mouseDown(screen.getByRole('button'));
    const listbox = await screen.findByRole('listbox');
    expect(
      within(listbox)
        .getAllByRole('option')
        .map(o => o.textContent),
    ).toEqual(['v1.31.2 (profile default)', 'v1.30.6']);
    fireEvent.click(within(listbox).getByText('v1.30.6'));
    expect(p.onChange).toHaveBeenLastCalledWith('v1.30.6');
  });

  it('asks for a profile first', async () => {
    await renderInTestApp(
      <TestApiProvider apis={apis}>
        <KubernetesVersionPicker {...props({})} />
      </TestApiProvider>,
    );
    expect(
      screen.getByText('Choose a cluster profile first'),
    ).toBeInTheDocument();
  });

  it('reads the profile from the configured field', async () => {
    const p = props(
      { clusterProfile: 'clusterprofile:default/eks-standard' },
      {
        uiSchema: { 'ui:options': { profileField: 'clusterProfile' } },
        formData: 'v1.30.6',
      },
    );
    await renderInTestApp(
      <TestApiProvider apis={apis}>
        <KubernetesVersionPicker {...p} />
      </TestApiProvider>,
    );
    await waitFor(() =>
      expect(screen.getByRole('button')).toHaveTextContent('v1.30.6'),
    );
    expect(p.onChange).not.toHaveBeenCalled();
  });
});
