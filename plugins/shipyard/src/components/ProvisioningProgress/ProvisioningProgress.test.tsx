import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import { makeCluster } from '../../__testUtils__/fixtures';
import {
  ProvisioningProgress,
  isProvisioning,
  provisioningProgress,
} from './ProvisioningProgress';

describe('ProvisioningProgress', () => {
  const coming = makeCluster({
    health: 'provisioning',
    phase: 'Provisioning',
    conditions: [{ type: 'InfrastructureReady', status: 'True' }],
    controlPlane: { desired: 3, ready: 1 },
    workers: { desired: 2, ready: 0 },
  });

  it('computes progress from counters and conditions', () => {
    expect(isProvisioning(coming)).toBe(true);
    expect(provisioningProgress(coming).percent).toBe(29);
    expect(provisioningProgress(makeCluster()).percent).toBe(100);
  });

  it('shows the bar and steps', async () => {
    await renderInTestApp(<ProvisioningProgress cluster={coming} />);
    expect(screen.getByText('29%')).toBeInTheDocument();
    expect(screen.getByText('1/3 ready')).toBeInTheDocument();
  });
});
