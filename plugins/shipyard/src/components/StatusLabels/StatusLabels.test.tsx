import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import {
  HealthStatusLabel,
  StaleChip,
  VersionSupportChip,
} from './StatusLabels';

describe('StatusLabels', () => {
  it('labels health, version support and staleness', async () => {
    await renderInTestApp(
      <>
        <HealthStatusLabel health="degraded" />
        <VersionSupportChip status="end-of-life" endOfLife="2024-02-28" />
        <VersionSupportChip status="supported" />
        <StaleChip
          source={{
            state: 'stale',
            staleSince: '2024-01-01T00:00:00Z',
            resynced: true,
          }}
        />
        <StaleChip source={{ state: 'connected', resynced: true }} />
      </>,
    );
    expect(screen.getByText('Degraded')).toBeInTheDocument();
    expect(screen.getByText('End of life')).toBeInTheDocument();
    expect(screen.queryByText('Supported')).not.toBeInTheDocument();
    expect(screen.getAllByText('Stale')).toHaveLength(1);
  });
});
