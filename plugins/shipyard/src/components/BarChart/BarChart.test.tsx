import { fireEvent, screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import { BarChart } from './BarChart';

describe('BarChart', () => {
  it('renders bars and reports clicks', async () => {
    const onSelect = jest.fn();
    await renderInTestApp(
      <BarChart
        title="Versions"
        data={[
          { label: '1.31', value: 4 },
          { label: '1.28', value: 1, note: 'End of life' },
        ]}
        onSelect={onSelect}
      />,
    );
    expect(screen.getAllByRole('listitem')).toHaveLength(2);
    fireEvent.click(screen.getByTitle('1.28: 1 (End of life)'));
    expect(onSelect).toHaveBeenCalledWith('1.28');
  });
});
