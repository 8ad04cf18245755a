import { fireEvent, screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import { FacetFilterBar } from './FacetFilterBar';

describe('FacetFilterBar', () => {
  it('offers facet values with counts and removes active filters', async () => {
    const onChange = jest.fn();
    await renderInTestApp(
      <FacetFilterBar
        facets={{
          owner: [{ value: 'group:default/team-a', count: 4 }],
          profile: [],
          provider: [],
          distribution: [],
          kubernetesMinor: [],
          health: [],
          phase: [],
          managementCluster: [],
          label: [],
          versionSupport: [],
          drift: [],
          budget: [],
        }}
        filters={{ health: ['degraded'] }}
        onChange={onChange}
      />,
    );
    fireEvent.click(screen.getByTestId('facet-owner'));
    expect(screen.getByText('team-a')).toBeInTheDocument();
    expect(screen.getByText('4 clusters')).toBeInTheDocument();
    fireEvent.click(screen.getByTestId('facet-owner-group:default/team-a'));
    expect(onChange).toHaveBeenLastCalledWith({
      health: ['degraded'],
      owner: ['group:default/team-a'],
    });
    expect(screen.getByText('Health: Degraded')).toBeInTheDocument();
    fireEvent.click(screen.getByText('Clear filters'));
    expect(onChange).toHaveBeenLastCalledWith({});
  });
});
