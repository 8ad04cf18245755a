import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import { makeDetails } from '../../__testUtils__/fixtures';
import { ClusterTree, flattenTree } from './ClusterTree';

describe('ClusterTree', () => {
  it('flattens the tree with branch glyphs', () => {
    const rows = flattenTree(makeDetails().tree);
    expect(rows.map(r => `${r.prefix}${r.node.kind}`)).toEqual([
      'Cluster',
      '├─ClusterInfrastructure',
      '├─ControlPlane',
      '│ └─Machine',
      '└─Workers',
      '  └─MachineDeployment',
      '    └─Machine',
    ]);
  });

  it('renders readiness, reasons and messages', async () => {
    await renderInTestApp(<ClusterTree tree={makeDetails().tree} />);
    expect(screen.getByText('WaitingForNodeRef')).toBeInTheDocument();
    expect(
      screen.getByText('1 of 2 machines is not ready'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/MachineDeployment\/prod-1-md-0/),
    ).toBeInTheDocument();
    expect(screen.getAllByText('False')).toHaveLength(3);
  });
});
