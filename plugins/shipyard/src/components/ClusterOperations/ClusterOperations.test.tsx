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
import { makeCluster, mockShipyardApi } from '../../__testUtils__/fixtures';
import { ClusterOperationButtons } from './ClusterOperationButtons';
import { OperationsCard } from './OperationsCard';
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

  it('decommissions only after the name is typed again', async () => {
    const api = mockShipyardApi();
    await render(makeCluster({ name: 'old-1', lifecycle: 'development' }), api);
    fireEvent.click(await screen.findByTestId('decommission-cluster'));
    expect(screen.getByTestId('operation-submit')).toBeDisabled();
    fireEvent.change(screen.getByTestId('decommission-confirm'), {
      target: { value: 'old-2' },
    });
    expect(screen.getByText('The name does not match.')).toBeInTheDocument();
    expect(screen.getByTestId('operation-submit')).toBeDisabled();
    fireEvent.change(screen.getByTestId('decommission-confirm'), {
      target: { value: 'old-1' },
    });
    fireEvent.change(screen.getByTestId('decommission-reason'), {
      target: { value: 'project ended' },
    });
    fireEvent.click(screen.getByTestId('operation-submit'));
    await waitFor(() =>
      expect(screen.getByTestId('operation-done')).toHaveTextContent(
        'delete done',
      ),
    );
    expect(api.runClusterOperation).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'old-1' }),
      'delete',
      { confirm: 'old-1', reason: 'project ended' },
    );
  });

  it('keeps the answer of a decommission on screen once the cluster shows it is deleting', async () => {
    const api = mockShipyardApi();
    const cluster = makeCluster({ name: 'old-3', lifecycle: 'development' });
    const { rerender } = await render(cluster, api);
    fireEvent.click(await screen.findByTestId('decommission-cluster'));
    fireEvent.change(screen.getByTestId('decommission-confirm'), {
      target: { value: 'old-3' },
    });
    fireEvent.click(screen.getByTestId('operation-submit'));
    await screen.findByTestId('operation-done');
    rerender(
      <TestApiProvider
        apis={[
          [shipyardApiRef, api],
          [permissionApiRef, mockApis.permission()],
        ]}
      >
        <ClusterOperationButtons
          cluster={{ ...cluster, deletingSince: '2030-01-01T00:00:00Z' }}
        />
      </TestApiProvider>,
    );
    expect(screen.getByTestId('operation-done')).toHaveTextContent(
      'delete done',
    );
    expect(
      screen.queryByTestId('decommission-cluster'),
    ).not.toBeInTheDocument();
  });

  it('requests the decommission of a production cluster, for a second person of the platform team to approve', async () => {
    const api = mockShipyardApi();
    await render(makeCluster({ name: 'prod-9', lifecycle: 'production' }), api);
    fireEvent.click(await screen.findByTestId('decommission-cluster'));
    expect(screen.getByTestId('production-note')).toHaveTextContent(
      'second person of the platform team',
    );
    expect(screen.getByTestId('operation-submit')).toHaveTextContent(
      'Request decommission',
    );
    fireEvent.change(screen.getByTestId('decommission-confirm'), {
      target: { value: 'prod-9' },
    });
    fireEvent.click(screen.getByTestId('operation-submit'));
    await waitFor(() =>
      expect(api.runClusterOperation).toHaveBeenCalledWith(
        expect.objectContaining({ name: 'prod-9' }),
        'delete',
        { confirm: 'prod-9' },
      ),
    );
  });

  it('approves a pending production decommission with the name typed again, and cancels one', async () => {
    const pending = {
      id: 'req-1',
      action: 'cluster.delete' as const,
      actor: 'user:default/alice',
      state: 'pending' as const,
      target: { guard: 'approval' },
      startedAt: '2030-01-01T09:00:00Z',
      deadlineAt: '2030-01-08T09:00:00Z',
      updatedAt: '2030-01-01T09:00:00Z',
      message: 'it waits for a second member of group:default/platform-team',
    };
    const decideDecommission = jest.fn(async (key: any, decision: any) => {
      if (decision === 'cancel') {
        throw Object.assign(new Error('403'), {
          body: { error: { message: 'bob may not change cluster prod-1' } },
        });
      }
      return {
        ...key,
        operation: 'delete' as const,
        dryRun: false,
        unchanged: false,
        before: {},
        after: {},
        message: 'prod-1 is being decommissioned (approved by pat)',
      };
    });
    const api = mockShipyardApi({
      listClusterOperations: jest.fn(async () => [pending]),
      decideDecommission,
    });
    await renderInTestApp(
      <TestApiProvider apis={[[shipyardApiRef, api]]}>
        <OperationsCard clusterKey={makeCluster()} />
      </TestApiProvider>,
    );
    expect(await screen.findByTestId('operation-pending')).toHaveTextContent(
      /Decommission request.*pending.*second member/,
    );
    expect(screen.getByTestId('operation-pending')).toHaveTextContent('lapses');
    fireEvent.click(screen.getByTestId('decommission-cancel'));
    expect(
      await screen.findByTestId('decommission-decision-error'),
    ).toHaveTextContent('bob may not change cluster prod-1');
    fireEvent.click(screen.getByTestId('decommission-approve'));
    expect(screen.getByTestId('decommission-approve-submit')).toBeDisabled();
    fireEvent.change(screen.getByTestId('decommission-approve-confirm'), {
      target: { value: 'prod-1' },
    });
    fireEvent.click(screen.getByTestId('decommission-approve-submit'));
    expect(await screen.findByTestId('decommission-decided')).toHaveTextContent(
      'approved by pat',
    );
    expect(decideDecommission).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'prod-1' }),
      'approve',
      { confirm: 'prod-1' },
    );
  });

  it('previews the topology diff of a profile move with a dry run, then moves', async () => {
    const runClusterOperation = jest.fn(
      async (key: any, operation: any, body: any) => ({
        ...key,
        operation,
        dryRun: Boolean(body.dryRun),
        unchanged: false,
        before: { profileVersion: '1.0.0', 'topology.version': 'v1.34.7' },
        after: { profileVersion: '1.1.0', 'topology.version': 'v1.35.5' },
        message: body.dryRun ? 'Dry run: moves' : 'moving to 1.1.0',
      }),
    );
    const api = mockShipyardApi({ runClusterOperation });
    await render(
      makeCluster({ name: 'move-1', profile: 'web', profileVersion: '1.0.0' }),
      api,
    );
    fireEvent.click(await screen.findByTestId('move-profile-version'));
    const preview = await screen.findByTestId('profile-move-preview');
    expect(preview).toHaveTextContent(/Profile version.*1\.0\.0.*1\.1\.0/);
    expect(preview).toHaveTextContent(
      /Kubernetes version.*v1\.34\.7.*v1\.35\.5/,
    );
    expect(runClusterOperation).toHaveBeenLastCalledWith(
      expect.objectContaining({ name: 'move-1' }),
      'update',
      { dryRun: true },
    );
    fireEvent.click(screen.getByTestId('operation-submit'));
    await waitFor(() =>
      expect(screen.getByTestId('operation-done')).toHaveTextContent(
        'moving to 1.1.0',
      ),
    );
    expect(runClusterOperation).toHaveBeenLastCalledWith(
      expect.objectContaining({ name: 'move-1' }),
      'update',
      { version: '1.1.0' },
    );
  });

  it('shows the operations of a cluster with their progress', async () => {
    const api = mockShipyardApi({
      listClusterOperations: jest.fn(async () => [
        {
          id: 'op-2',
          action: 'cluster.delete' as const,
          actor: 'user:default/alice',
          state: 'stalled' as const,
          target: {},
          startedAt: '2030-01-01T10:00:00Z',
          deadlineAt: '2030-01-01T11:00:00Z',
          updatedAt: '2030-01-01T11:00:01Z',
          message: 'phase Deleting; 2 machines left (2 draining)',
        },
        {
          id: 'op-1',
          action: 'cluster.scale' as const,
          actor: 'user:default/bob',
          state: 'completed' as const,
          target: { workers: { 'md-0': 4 } },
          startedAt: '2030-01-01T09:00:00Z',
          deadlineAt: '2030-01-01T09:20:00Z',
          updatedAt: '2030-01-01T09:05:00Z',
          message: 'md-0: 4/4 ready',
        },
      ]),
    });
    await renderInTestApp(
      <TestApiProvider apis={[[shipyardApiRef, api]]}>
        <OperationsCard clusterKey={makeCluster()} />
      </TestApiProvider>,
    );
    expect(await screen.findByTestId('operation-stalled')).toHaveTextContent(
      /Decommission.*stalled.*2 machines left \(2 draining\)/,
    );
    expect(screen.getByTestId('operation-stalled')).toHaveTextContent(
      'by alice',
    );
    expect(screen.getByTestId('operation-completed')).toHaveTextContent(
      /Resize.*completed.*md-0: 4\/4 ready/,
    );
    expect(screen.getByTestId('operations-running')).toBeInTheDocument();
  });

  it('shows no operations card when the cluster has none', async () => {
    await renderInTestApp(
      <TestApiProvider apis={[[shipyardApiRef, mockShipyardApi()]]}>
        <div data-testid="page">
          <OperationsCard clusterKey={makeCluster()} />
        </div>
      </TestApiProvider>,
    );
    expect(await screen.findByTestId('page')).toBeEmptyDOMElement();
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
    expect(
      screen.queryByTestId('decommission-cluster'),
    ).not.toBeInTheDocument();
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
