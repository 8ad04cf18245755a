import { fireEvent, screen, waitFor } from '@testing-library/react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { ClusterSummary } from '@shipyard/plugin-shipyard-common';
import { shipyardApiRef } from '../../api';
import { makeCluster, mockShipyardApi } from '../../testUtils/fixtures';
import { ClusterOperationButtons } from './ClusterOperationButtons';
import { PausedBanner, PausedChip } from './PausedChip';

function render(
  cluster: ClusterSummary,
  api = mockShipyardApi(),
  authorize:
    | AuthorizeResult.ALLOW
    | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [shipyardApiRef, api],
        [permissionApiRef, mockApis.permission({ authorize })],
      ]}
    >
      <ClusterOperationButtons cluster={cluster} />
    </TestApiProvider>,
  );
}

describe('day-2 operations of a cluster page', () => {
  it('pauses with a reason and an expiry through a short form', async () => {
    const api = mockShipyardApi();
    await render(makeCluster(), api);
    fireEvent.click(await screen.findByTestId('pause-cluster'));
    // no reason, no pause
    expect(screen.getByTestId('operation-submit')).toBeDisabled();
    fireEvent.change(screen.getByTestId('pause-reason'), {
      target: { value: 'INC-7 investigating' },
    });
    fireEvent.click(screen.getByTestId('operation-submit'));
    await waitFor(() =>
      expect(screen.getByTestId('operation-done')).toHaveTextContent(
        'pause done',
      ),
    );
    expect(api.runClusterOperation).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'prod-1' }),
      'pause',
      { reason: 'INC-7 investigating' },
    );
  });

  it('offers resume on a paused cluster and shows a refusal in the backend words', async () => {
    const api = mockShipyardApi({
      runClusterOperation: jest.fn(async () => {
        throw Object.assign(new Error('Request failed'), {
          body: { error: { message: 'alice may not change cluster x' } },
        });
      }),
    });
    await render(
      makeCluster({ paused: { reason: 'INC-7', by: 'user:default/alice' } }),
      api,
    );
    fireEvent.click(await screen.findByText('Resume'));
    expect(screen.getByText(/“INC-7” · by alice/)).toBeInTheDocument();
    fireEvent.click(screen.getByTestId('operation-submit'));
    expect(await screen.findByTestId('operation-error')).toHaveTextContent(
      'alice may not change cluster x',
    );
    expect(api.runClusterOperation).toHaveBeenCalledWith(
      expect.anything(),
      'resume',
      {},
    );
  });

  it('resizes a worker pool through a short form', async () => {
    const api = mockShipyardApi();
    const cluster = makeCluster({
      name: 'resize-1',
      machineDeployments: [
        { name: 'resize-1-md-0', replicas: { desired: 3, ready: 3 } },
      ],
    });
    await render(cluster, api);
    fireEvent.click(await screen.findByTestId('scale-cluster'));
    const md = cluster.machineDeployments[0];
    fireEvent.change(screen.getByTestId(`replicas-${md.name}`), {
      target: { value: '5' },
    });
    fireEvent.click(screen.getByTestId('operation-submit'));
    await waitFor(() =>
      expect(screen.getByTestId('operation-done')).toHaveTextContent(
        'scale done',
      ),
    );
    expect(api.runClusterOperation).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'resize-1' }),
      'scale',
      { workers: [{ name: md.name, replicas: 5 }] },
    );
  });

  it('shows no button without the permission', async () => {
    // another cluster: permission decisions are cached per cluster
    await render(
      makeCluster({ name: 'not-mine' }),
      mockShipyardApi(),
      AuthorizeResult.DENY,
    );
    expect(screen.queryByTestId('pause-cluster')).not.toBeInTheDocument();
    expect(screen.queryByTestId('scale-cluster')).not.toBeInTheDocument();
  });

  it('marks a paused cluster in tables and on its page', async () => {
    const pause = {
      reason: 'storage migration',
      expiresAt: '2030-01-01T10:00:00Z',
    };
    await renderInTestApp(
      <>
        <PausedChip pause={pause} />
        <PausedChip />
        <PausedBanner pause={pause} />
      </>,
    );
    expect(screen.getAllByTestId('paused-chip')).toHaveLength(1);
    expect(screen.getByTestId('paused-banner')).toHaveTextContent(
      /storage migration.*resumes at/,
    );
  });
});
