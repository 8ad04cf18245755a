import { fireEvent, screen, within } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import { makeVersionDebt } from '../../__testUtils__/fixtures';
import { VersionDebtCard } from './VersionDebtCard';

describe('VersionDebtCard', () => {
  it('shows the fleet by support status per team and distribution, and the coming months', async () => {
    const onSelect = jest.fn();
    await renderInTestApp(
      <VersionDebtCard debt={makeVersionDebt()} onSelect={onSelect} />,
    );
    const card = await screen.findByTestId('version-debt');
    expect(
      screen.getByText(
        '3 clusters: 1 end of life, 1 extended support, 1 supported',
      ),
    ).toBeInTheDocument();
    expect(within(card).getByTestId('charged-extended')).toHaveTextContent(
      '1 cluster is in extended support that is charged.',
    );
    const teams = within(card).getByRole('table', {
      name: 'Version support by team',
    });
    expect(within(teams).getAllByRole('row')).toHaveLength(3);
    expect(within(teams).getByText('team-a')).toBeInTheDocument();
    const distributions = within(card).getByRole('table', {
      name: 'Version support by distribution',
    });
    expect(
      within(distributions).getByText('(upstream calendar)'),
    ).toBeInTheDocument();
    const projection = within(card).getByTestId('support-projection');
    expect(within(projection).getAllByRole('listitem')).toHaveLength(13);
    expect(within(card).getByTestId('projection-2027-04-01')).toHaveAttribute(
      'aria-label',
      'Apr 2027: 1 end of life, 2 extended support',
    );
    expect(
      within(card).getByText('The next 12 months if nothing is upgraded'),
    ).toBeInTheDocument();
    fireEvent.click(
      within(card).getAllByTestId('support-segment-end-of-life')[0],
    );
    expect(onSelect).toHaveBeenCalledWith('versionSupport', 'end-of-life');
    fireEvent.click(within(distributions).getByText('k3s'));
    expect(onSelect).toHaveBeenCalledWith('distribution', 'k3s');
  });

  it('says when the backend has no answer', async () => {
    await renderInTestApp(<VersionDebtCard error={new Error('HTTP 404')} />);
    expect(
      await screen.findByText('Version support is not available: HTTP 404'),
    ).toBeInTheDocument();
  });
});
