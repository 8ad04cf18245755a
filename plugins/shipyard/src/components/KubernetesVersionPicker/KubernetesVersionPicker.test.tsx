import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import { makeProfileEntity } from '../../__testUtils__/profiles';
import { shipyardApiRef } from '../../api';
import { mockShipyardApi } from '../../__testUtils__/fixtures';

/** `GET /version-support` with an EKS calendar where 1.30 is at its end of life. */
function versionSupport() {
  const record = (minor: string, status: string) => ({
    distribution: 'eks',
    minor,
    calendar: 'eks',
    origin: 'bundled',
    source: 'https://example.com/eks',
    status,
    endOfExtendedSupport:
      status === 'end-of-life' ? '2026-07-23' : '2027-11-26',
  });
  return {
    evaluatedAt: '2026-12-05T00:00:00Z',
    dataFile: { schemaVersion: 1, updatedAt: '2026-12-01', ageDays: 4 },
    nearingEndOfLifeDays: 90,
    refresh: { enabled: false, sources: [] },
    distributions: [
      {
        name: 'eks',
        title: 'Amazon EKS',
        source: 'https://example.com/eks',
        origin: 'bundled',
        records: [record('1.31', 'supported'), record('1.30', 'end-of-life')],
      },
    ],
  } as any;
}
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
    [
      shipyardApiRef,
      mockShipyardApi({
        getVersionSupport: jest.fn(async () => versionSupport()),
      }),
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
    ).toEqual([
      'v1.31.2 (profile default) — Supported',
      'v1.30.6 — End of life',
    ]);
    fireEvent.click(within(listbox).getAllByRole('option')[1]);
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

  it('warns when the chosen version is at its end of life', async () => {
    const p = props(
      { profile: 'clusterprofile:default/eks-standard' },
      { formData: 'v1.30.6' },
    );
    await renderInTestApp(
      <TestApiProvider apis={apis}>
        <KubernetesVersionPicker {...p} />
      </TestApiProvider>,
    );
    expect(await screen.findByTestId('end-of-life-warning')).toHaveTextContent(
      'Kubernetes 1.30 is at its end of life since 2026-07-23',
    );
  });
});
