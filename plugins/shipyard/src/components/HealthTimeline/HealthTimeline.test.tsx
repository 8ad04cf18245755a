import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import { HealthTimeline } from './HealthTimeline';

describe('HealthTimeline', () => {
  it('shows an empty state', async () => {
    await renderInTestApp(<HealthTimeline items={[]} />);
    expect(screen.getByTestId('health-timeline-empty')).toBeInTheDocument();
  });

  it('lists transitions with reasons', async () => {
    await renderInTestApp(
      <HealthTimeline
        now={Date.parse('2024-01-03T00:00:00Z')}
        items={[
          { at: '2024-01-01T00:00:00Z', health: 'provisioning', reasons: [] },
          {
            at: '2024-01-02T00:00:00Z',
            health: 'unhealthy',
            previous: 'provisioning',
            reasons: [
              {
                source: 'probe',
                severity: 'error',
                type: 'Unreachable',
                message: 'readyz timed out',
              },
            ],
          },
        ]}
      />,
    );
    expect(screen.getByText('Unhealthy')).toBeInTheDocument();
    expect(
      screen.getByText('Unreachable: readyz timed out'),
    ).toBeInTheDocument();
  });
});
