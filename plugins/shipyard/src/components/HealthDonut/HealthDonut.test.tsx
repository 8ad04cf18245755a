import { fireEvent, screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import { HealthDonut } from './HealthDonut';

describe('HealthDonut', () => {
  it('draws one segment per health and reports clicks', async () => {
    const onSelect = jest.fn();
    await renderInTestApp(
      <HealthDonut
        counts={{ healthy: 8, unhealthy: 2, degraded: 0 }}
        onSelect={onSelect}
      />,
    );
    expect(screen.getByRole('img')).toHaveAttribute(
      'aria-label',
      'Clusters by health: 2 unhealthy, 8 healthy',
    );
    expect(screen.getByText('10')).toBeInTheDocument();
    fireEvent.click(screen.getByText('Unhealthy:'));
    expect(onSelect).toHaveBeenCalledWith('unhealthy');
  });
});
