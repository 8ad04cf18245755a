import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { DriftCard } from './DriftCard';

describe('DriftCard', () => {
  it('shows each finding with expected, actual and the add-on layers', async () => {
    await renderInTestApp(
      <DriftCard
        cluster={{
          profile: 'kubeadm-standard',
          profileVersion: '2.0.0',
          drift: [
            {
              kind: 'profileVersion',
              expected: '2.1.0',
              actual: '2.0.0',
              since: '2026-01-01T00:00:00Z',
            },
            {
              kind: 'addonFailed',
              subject: 'cert-manager',
              expected: 'v1.18.2',
              actual: 'failed (v1.18.2)',
              message: 'context deadline exceeded',
              since: '2026-01-01T00:00:00Z',
            },
          ],
          addons: [
            {
              name: 'cert-manager',
              version: 'v1.18.2',
              state: 'failed',
              source: 'HelmReleaseProxy',
              from: 'kubeadm-standard-cert-manager',
            },
          ],
        }}
      />,
    );
    expect(screen.getByText('Profile version behind')).toBeInTheDocument();
    expect(screen.getByTestId('drift-addonFailed')).toHaveTextContent(
      'context deadline exceeded',
    );
    expect(screen.getByText('2.1.0')).toBeInTheDocument();
    expect(screen.getByText('Failed')).toBeInTheDocument();
  });

  it('says when the cluster is in sync, and when it was not compared', async () => {
    await renderInTestApp(<DriftCard cluster={{ drift: [] }} />);
    expect(screen.getByTestId('drift-none')).toBeInTheDocument();
    await renderInTestApp(<DriftCard cluster={{}} />);
    expect(screen.getByTestId('drift-unknown')).toBeInTheDocument();
  });
});
