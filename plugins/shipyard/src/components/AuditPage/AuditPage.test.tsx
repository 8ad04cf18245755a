import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { shipyardApiRef } from '../../api';
import { mockShipyardApi } from '../../testUtils/fixtures';
import { FleetPage } from '../FleetPage';
import { auditQueryOf } from './AuditPage';

jest.setTimeout(30_000);

const records = [
  {
    id: '3',
    at: '2026-12-05T10:00:00.000Z',
    actor: 'user:default/alice',
    action: 'cluster.upgrade' as const,
    outcome: 'refused' as const,
    managementCluster: 'mgmt-eu',
    namespace: 'team-a',
    cluster: 'prod-1',
    owner: 'group:default/team-a',
    message: 'Cluster mgmt-eu/team-a/prod-1 is degraded',
    details: { fromVersion: 'v1.31.2', toVersion: 'v1.32.1' },
  },
  {
    id: '2',
    at: '2026-12-05T09:00:00.000Z',
    actor: 'user:default/alice',
    action: 'cluster.create' as const,
    outcome: 'succeeded' as const,
    managementCluster: 'mgmt-eu',
    namespace: 'team-a',
    cluster: 'dev-1',
    profile: 'clusterprofile:default/eks-standard',
    owner: 'group:default/team-a',
    taskId: 'task-2',
  },
];

describe('AuditPage', () => {
  it('turns the filters into the API query', () => {
    expect(
      auditQueryOf(
        new URLSearchParams(
          'actor=alice&action=cluster.upgrade&outcome=refused&cluster=mgmt-eu/team-a/prod-1&since=2026-12-05T10:00',
        ),
      ),
    ).toEqual({
      actor: 'user:default/alice',
      action: 'cluster.upgrade',
      outcome: 'refused',
      managementCluster: 'mgmt-eu',
      namespace: 'team-a',
      cluster: 'prod-1',
      since: new Date('2026-12-05T10:00').toISOString(),
      until: undefined,
    });
    expect(auditQueryOf(new URLSearchParams('cluster=dev-1'))).toMatchObject({
      cluster: 'dev-1',
    });
  });

  it('lists the entries at /shipyard/audit and filters by action and outcome', async () => {
    const api = mockShipyardApi();
    api.listAuditRecords.mockResolvedValue({ items: records });
    await renderInTestApp(
      <TestApiProvider apis={[[shipyardApiRef, api]]}>
        <FleetPage />
      </TestApiProvider>,
      { routeEntries: ['/audit?outcome=refused'] },
    );
    const table = await screen.findByTestId('audit-table');
    await waitFor(() =>
      expect(within(table).getByText('prod-1')).toBeInTheDocument(),
    );
    expect(api.listAuditRecords).toHaveBeenCalledWith(
      expect.objectContaining({ outcome: 'refused', limit: 100 }),
      expect.anything(),
    );
    expect(table).toHaveTextContent('Upgrade');
    expect(table).toHaveTextContent('v1.31.2 → v1.32.1');
    expect(table).toHaveTextContent('profile eks-standard');
    expect(within(table).getByText('Task').closest('a')).toHaveAttribute(
      'href',
      '/create/tasks/task-2',
    );
    expect(within(table).getByText('prod-1').closest('a')).toHaveAttribute(
      'href',
      '/shipyard/clusters/mgmt-eu/team-a/prod-1',
    );

    fireEvent.mouseDown(screen.getByLabelText('Action'));
    fireEvent.click(await screen.findByRole('option', { name: 'Request' }));
    await waitFor(() =>
      expect(api.listAuditRecords).toHaveBeenLastCalledWith(
        expect.objectContaining({
          action: 'cluster.create',
          outcome: 'refused',
        }),
        expect.anything(),
      ),
    );
  });

  it('says what an empty answer means', async () => {
    const api = mockShipyardApi();
    await renderInTestApp(
      <TestApiProvider apis={[[shipyardApiRef, api]]}>
        <FleetPage />
      </TestApiProvider>,
      { routeEntries: ['/audit'] },
    );
    expect(
      await screen.findByText(/only the entries of clusters your groups own/),
    ).toBeInTheDocument();
  });
});
