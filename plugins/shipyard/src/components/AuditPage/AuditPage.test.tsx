import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import {
  CLUSTER_AUDIT_ACTIONS,
  CLUSTER_AUDIT_OUTCOMES,
  ClusterAuditRecord,
} from '@shipyard/plugin-shipyard-common';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { shipyardApiRef } from '../../api';
import { mockShipyardApi } from '../../__testUtils__/fixtures';
import { styleElementsAddedBy } from '../../__testUtils__/render';
import { FleetPage } from '../FleetPage';
import { auditQueryOf } from './AuditPage';
import { AUDIT_ACTION_LABELS } from '../../lib/audit';

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

/** The audit page at `address`, as the fleet page routes it, its API answering `items`; the API. */
async function renderAuditAt(address: string, items?: ClusterAuditRecord[]) {
  const api = mockShipyardApi();
  if (items) api.listAuditRecords.mockResolvedValue({ items });
  await renderInTestApp(
    <TestApiProvider apis={[[shipyardApiRef, api]]}>
      <FleetPage />
    </TestApiProvider>,
    { routeEntries: [address] },
  );
  return api;
}

/**
 * The open menu's item of this name. A text query of the menu's items: `findByRole` computes the role and name of
 * every element of the page (the table's too) on each try, and the test of every filter took 90 s on a busy machine.
 */
const option = (name: string) =>
  screen.findByText(name, { selector: '[role="option"]' });

describe('AuditPage', () => {
  it('adds no style sheet per entry: a page of 40 entries inserts as many style elements as a page of 2', async () => {
    const stylesFor = (n: number) =>
      styleElementsAddedBy(async () => {
        await renderAuditAt(
          '/audit',
          Array.from({ length: n }, (_, i) => ({
            ...records[i % 2],
            id: String(i),
          })),
        );
        expect(await screen.findAllByTestId('audit-outcome')).toHaveLength(n);
      });
    const two = await stylesFor(2);
    const forty = await stylesFor(40);
    expect(forty).toBeLessThanOrEqual(two);
  });

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
    const api = await renderAuditAt('/audit?outcome=refused', records);
    const table = await screen.findByTestId('audit-table');
    await waitFor(() =>
      expect(within(table).getByText('prod-1')).toBeInTheDocument(),
    );
    expect(api.listAuditRecords).toHaveBeenCalledWith(
      expect.objectContaining({ outcome: 'refused', limit: 100 }),
      expect.anything(),
    );
    expect(table).toHaveTextContent('Upgrade Kubernetes');
    // the actor by name, the whole reference on hover
    expect(
      within(table).getAllByTitle('user:default/alice')[0],
    ).toHaveTextContent(/^alice$/);
    expect(table).toHaveTextContent('Refused');
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
    fireEvent.click(await option('Request cluster'));
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

  it('names every recorded action and outcome readably', async () => {
    const outcomes = CLUSTER_AUDIT_OUTCOMES;
    await renderAuditAt(
      '/audit',
      CLUSTER_AUDIT_ACTIONS.map((action, i) => ({
        id: String(i),
        at: '2026-12-05T10:00:00.000Z',
        actor: 'user:default/pat',
        action,
        outcome: outcomes[i % outcomes.length],
        managementCluster: 'mgmt-eu',
        namespace: 'team-a',
        cluster: `c-${i}`,
        ...(action.startsWith('rollout.')
          ? { details: { rollout: 'r-1', rolloutName: 'q4-upgrades' } }
          : {}),
      })),
    );
    const table = await screen.findByTestId('audit-table');
    await waitFor(() =>
      expect(within(table).getAllByTestId('audit-action')).toHaveLength(
        CLUSTER_AUDIT_ACTIONS.length,
      ),
    );
    expect(
      within(table)
        .getAllByTestId('audit-action')
        .map(e => e.textContent),
    ).toEqual(CLUSTER_AUDIT_ACTIONS.map(a => AUDIT_ACTION_LABELS[a]));
    // no dotted action name or lower-case outcome is shown as recorded
    expect(table.textContent).not.toMatch(/\b(cluster|rollout)\.[a-z]+/);
    expect(
      within(table)
        .getAllByTestId('audit-outcome')
        .map(e => e.textContent),
    ).toEqual(
      CLUSTER_AUDIT_ACTIONS.map(
        (_, i) =>
          ({
            succeeded: 'Succeeded',
            refused: 'Refused',
            failed: 'Failed',
            completed: 'Completed',
            stalled: 'Stalled',
          }[outcomes[i % outcomes.length]]),
      ),
    );
    expect(table).toHaveTextContent('rollout q4-upgrades');
    // every action can be chosen in the filter, by its name
    fireEvent.mouseDown(screen.getByLabelText('Action'));
    for (const action of CLUSTER_AUDIT_ACTIONS) {
      expect(await option(AUDIT_ACTION_LABELS[action])).toBeInTheDocument();
    }
  });

  // eight filters set one after the other, each re-asking and re-rendering the table: 61–91 s at load 19–25
  it('filters by actor, action, outcome, cluster and time, kept in the address bar', async () => {
    const api = await renderAuditAt('/audit', records);
    await screen.findByTestId('audit-table');
    await waitFor(() =>
      expect(api.listAuditRecords).toHaveBeenCalledWith(
        { limit: 100, cursor: undefined, since: undefined, until: undefined },
        expect.anything(),
      ),
    );

    const actor = screen.getByLabelText('Actor');
    fireEvent.change(actor, { target: { value: 'bob' } });
    fireEvent.keyDown(actor, { key: 'Enter' });
    fireEvent.mouseDown(screen.getByLabelText('Action'));
    fireEvent.click(await option('Resize'));
    fireEvent.mouseDown(screen.getByLabelText('Outcome'));
    fireEvent.click(await option('Stalled'));
    const cluster = screen.getByLabelText('Cluster');
    fireEvent.change(cluster, { target: { value: 'mgmt-eu/team-b/b-1' } });
    fireEvent.blur(cluster);
    fireEvent.change(screen.getByLabelText('From'), {
      target: { value: '2026-12-01T08:00' },
    });
    fireEvent.change(screen.getByLabelText('Until'), {
      target: { value: '2026-12-05T18:30' },
    });
    await waitFor(() =>
      expect(api.listAuditRecords).toHaveBeenLastCalledWith(
        {
          actor: 'user:default/bob',
          action: 'cluster.scale',
          outcome: 'stalled',
          managementCluster: 'mgmt-eu',
          namespace: 'team-b',
          cluster: 'b-1',
          since: new Date('2026-12-01T08:00').toISOString(),
          until: new Date('2026-12-05T18:30').toISOString(),
          limit: 100,
          cursor: undefined,
        },
        expect.anything(),
      ),
    );

    // clearing a filter drops it from the query
    fireEvent.mouseDown(screen.getByLabelText('Outcome'));
    fireEvent.click(await option('Any'));
    await waitFor(() => {
      const [query] = api.listAuditRecords.mock.calls.at(-1) as [any];
      expect(query.outcome).toBeUndefined();
      expect(query.action).toBe('cluster.scale');
    });
  }, 180_000);

  it('takes its filters from the address', async () => {
    const api = await renderAuditAt(
      '/audit?actor=user:default/alice&action=rollout.approve&outcome=completed&cluster=prod-1',
      records,
    );
    await waitFor(() =>
      expect(api.listAuditRecords).toHaveBeenCalledWith(
        expect.objectContaining({
          actor: 'user:default/alice',
          action: 'rollout.approve',
          outcome: 'completed',
          cluster: 'prod-1',
        }),
        expect.anything(),
      ),
    );
    expect(screen.getByLabelText('Action')).toHaveTextContent(
      'Approve rollout',
    );
    expect(screen.getByLabelText('Outcome')).toHaveTextContent('Completed');
  });

  it('says what an empty answer means', async () => {
    await renderAuditAt('/audit');
    expect(
      await screen.findByText(/only the entries of clusters your groups own/),
    ).toBeInTheDocument();
  });
});
