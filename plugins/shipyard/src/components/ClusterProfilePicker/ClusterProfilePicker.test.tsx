import { fireEvent, screen, within } from '@testing-library/react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { identityApiRef } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import { makeProfileEntity } from '../../__testUtils__/profiles';
import {
  ClusterProfilePicker,
  clusterProfilePickerValidation,
} from './ClusterProfilePicker';

const entities = [
  makeProfileEntity('eks-standard'),
  makeProfileEntity('k3s-edge', { allowedGroups: ['group:default/team-b'] }),
  makeProfileEntity('kind-dev', { allowedGroups: [] }),
  makeProfileEntity('eks-legacy', { allowedGroups: [], deprecated: true }),
];

function props(
  overrides: Partial<FieldExtensionComponentProps<string, {}>> = {},
): FieldExtensionComponentProps<string, {}> {
  return {
    onChange: jest.fn(),
    required: true,
    rawErrors: [],
    schema: { title: 'Profile' },
    uiSchema: {},
    formData: undefined,
    idSchema: { $id: 'profile' },
    ...overrides,
  } as unknown as FieldExtensionComponentProps<string, {}>;
}

describe('ClusterProfilePicker', () => {
  const apis = [
    [catalogApiRef, catalogApiMock({ entities })],
    [
      identityApiRef,
      mockApis.identity({
        userEntityRef: 'user:default/alice',
        ownershipEntityRefs: ['user:default/alice', 'group:default/team-a'],
      }),
    ],
  ] as const;

  it("offers only the profiles the user's teams may use, with their layers", async () => {
    const p = props();
    await renderInTestApp(
      <TestApiProvider apis={apis}>
        <ClusterProfilePicker {...p} />
      </TestApiProvider>,
    );
    const input = screen.getByRole('textbox');
    fireEvent.mouseDown(input);
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    const listbox = await screen.findByRole('listbox');
    expect(
      within(listbox).getByTestId('profile-option-eks-standard'),
    ).toHaveTextContent(
      'bottlerocket 1.20 · eks v1.31.2 · vpc-cni v1.18 · cert-manager v1.15',
    );
    expect(
      within(listbox).getByTestId('profile-option-kind-dev'),
    ).toBeInTheDocument();
    expect(
      within(listbox).queryByTestId('profile-option-k3s-edge'),
    ).not.toBeInTheDocument();
    // a deprecated profile version can no longer be requested
    expect(
      within(listbox).queryByTestId('profile-option-eks-legacy'),
    ).not.toBeInTheDocument();
    fireEvent.click(within(listbox).getByTestId('profile-option-eks-standard'));
    expect(p.onChange).toHaveBeenCalledWith(
      'clusterprofile:default/eks-standard',
    );
  });

  it('shows the layers of the chosen profile', async () => {
    await renderInTestApp(
      <TestApiProvider apis={apis}>
        <ClusterProfilePicker
          {...props({ formData: 'clusterprofile:default/eks-standard' })}
        />
      </TestApiProvider>,
    );
    expect(await screen.findByTestId('profile-layers')).toHaveTextContent(
      'cni: vpc-cni v1.18',
    );
  });

  it('validates refs', () => {
    const addError = jest.fn();
    clusterProfilePickerValidation('component:default/x', { addError });
    expect(addError).toHaveBeenCalled();
    addError.mockClear();
    clusterProfilePickerValidation('clusterprofile:default/x', { addError });
    expect(addError).not.toHaveBeenCalled();
  });
});
