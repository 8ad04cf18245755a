import { screen, waitFor } from '@testing-library/react';
import { mockApis } from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Entity } from '@backstage/catalog-model';
import {
  clusterUpserted,
  makeCluster,
  makeClusterEntity,
  makeClusterLifecycle,
  makeDetails,
  mockShipyardApi,
} from '../../__testUtils__/fixtures';
import { CATALOG_ROUTES, renderOnEntityPage } from '../../__testUtils__/render';
import { ClusterEntityContent } from './ClusterEntityContent';

const entity: Entity = makeClusterEntity({ owner: 'group:default/team-a' });

function render(
  api = mockShipyardApi(),
  authorize:
    | AuthorizeResult.ALLOW
    | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
  e: Entity = entity,
) {
  return renderOnEntityPage(<ClusterEntityContent />, {
    entity: e,
    api,
    apis: [[permissionApiRef, mockApis.permission({ authorize })]],
    app: CATALOG_ROUTES,
  });
}

describe('ClusterEntityContent', () => {
  it('shows overview, health with reasons, the tree, nodes and the timeline', async () => {
    const api = mockShipyardApi();
    const cluster = makeCluster({
      health: 'degraded',
      healthReasons: [
        {
          source: 'capi',
          severity: 'warning',
          type: 'WorkersAvailable',
          message: '1 of 2 workers is not available',
          since: '2024-01-02T00:00:00Z',
        },
      ],
      nodes: {
        total: 5,
        ready: 4,
        notReady: 1,
        kubeletVersions: { 'v1.31.2': 5 },
        roles: { 'control-plane': 3, worker: 2 },
      },
      probe: {
        lastProbeAt: new Date().toISOString(),
        ok: true,
        latencyMs: 42,
        consecutiveFailures: 0,
      },
    });
    api.getCluster.mockResolvedValue(makeDetails(cluster));
    api.getClusterHistory.mockResolvedValue({
      items: [
        {
          at: '2024-01-02T00:00:00Z',
          health: 'degraded',
          previous: 'healthy',
          reasons: [],
        },
        { at: '2024-01-01T00:00:00Z', health: 'healthy', reasons: [] },
      ],
    });
    await render(api);
    expect(await screen.findByTestId('cluster-tree')).toBeInTheDocument();
    expect(screen.getByTestId('cluster-health')).toHaveTextContent('Degraded');
    expect(screen.getByTestId('health-reasons')).toHaveTextContent(
      'WorkersAvailable: 1 of 2 workers is not available',
    );
    expect(screen.getByText(/eks-standard @ 1\.2\.0/)).toBeInTheDocument();
    expect(screen.getByText(/4\/5 ready, 1 not ready/)).toBeInTheDocument();
    expect(screen.getByText('ip-10-0-0-1')).toBeInTheDocument();
    expect(screen.getByTestId('health-timeline')).toBeInTheDocument();
    expect(screen.getByTestId('probe-freshness')).toHaveTextContent('(42 ms)');
    expect(
      screen.queryByTestId('provisioning-progress'),
    ).not.toBeInTheDocument();
    // a degraded cluster cannot be upgraded: the button is disabled and the page says why
    expect(
      await screen.findByTestId('upgrade-unavailable', {}, { timeout: 10_000 }),
    ).toHaveTextContent(
      'The cluster is degraded; upgrades start from a healthy cluster.',
    );
    expect(screen.getByTestId('upgrade-cluster')).toBeDisabled();
    // the buttons are a row of the card's body, under its title, and the reason a line of its own under them:
    // nothing squeezed between the card's title and its buttons
    const actions = screen.getByTestId('cluster-actions');
    expect(actions.closest('.MuiCardHeader-root')).toBeNull();
    expect(actions.closest('.MuiCardContent-root')).not.toBeNull();
    expect(actions).toContainElement(screen.getByTestId('upgrade-cluster'));
    const reason = screen.getByTestId('upgrade-unavailable');
    expect(reason.closest('.MuiCardHeader-root')).toBeNull();
    expect(actions).not.toContainElement(reason);
    expect(
      actions.compareDocumentPosition(reason) &
        Node.DOCUMENT_POSITION_FOLLOWING,
    ).toBeTruthy();
  });

  it('links the upgrade form where an upgrade is possible', async () => {
    const api = mockShipyardApi();
    api.getCluster.mockResolvedValue(
      makeDetails(makeCluster({ name: 'prod-1' })),
    );
    await render(api);
    const upgrade = await screen.findByTestId(
      'upgrade-cluster',
      {},
      { timeout: 10_000 },
    );
    await waitFor(() => expect(upgrade).toHaveAttribute('href'));
    expect(upgrade).not.toHaveAttribute('aria-disabled', 'true');
    expect(screen.queryByTestId('upgrade-unavailable')).toBeNull();
    const href = decodeURIComponent(upgrade.getAttribute('href') ?? '');
    expect(href).toContain(
      '/create/templates/default/upgrade-cluster?formData=',
    );
    expect(JSON.parse(href.split('formData=')[1])).toEqual({
      cluster: 'resource:default/mgmt-eu--team-a--prod-1',
      managementCluster: 'mgmt-eu',
      namespace: 'team-a',
      name: 'prod-1',
      profile: 'eks-standard',
      currentVersion: 'v1.31.2',
    });
  });

  it('says why not when the profile offers no newer version, or a rollout is still going', async () => {
    const api = mockShipyardApi();
    const lifecycle = makeClusterLifecycle();
    api.getCluster.mockResolvedValue(
      makeDetails(makeCluster({ name: 'latest-1' })),
    );
    api.getClusterLifecycle.mockResolvedValue({
      ...lifecycle,
      upgrades: { ...lifecycle.upgrades, available: [] },
    });
    const view = await render(api);
    expect(
      await screen.findByTestId('upgrade-unavailable', {}, { timeout: 10_000 }),
    ).toHaveTextContent(
      'Profile eks-standard offers no newer Kubernetes version for this cluster.',
    );
    view.unmount();

    api.getCluster.mockResolvedValue(
      makeDetails(
        makeCluster({
          name: 'rolling-1',
          kubernetesVersion: 'v1.32.1',
          observedKubernetesVersion: 'v1.31.2',
        }),
      ),
    );
    await render(api);
    expect(
      await screen.findByTestId('upgrade-unavailable', {}, { timeout: 10_000 }),
    ).toHaveTextContent(
      /An upgrade or rollout is in progress.*wait for it to finish/,
    );
  });

  it('hides the upgrade button without permission and shows provisioning progress', async () => {
    const api = mockShipyardApi();
    api.getCluster.mockResolvedValue(
      makeDetails(
        makeCluster({
          // a key of its own: permission decisions are cached per resource
          name: 'new-1',
          health: 'provisioning',
          phase: 'Provisioning',
          controlPlane: { desired: 1, ready: 0 },
          workers: { desired: 1, ready: 0 },
          conditions: [],
        }),
      ),
    );
    await render(api, AuthorizeResult.DENY);
    expect(
      await screen.findByTestId('provisioning-progress'),
    ).toBeInTheDocument();
    expect(screen.queryByTestId('upgrade-cluster')).not.toBeInTheDocument();
  });

  it('refreshes on change events for this cluster only', async () => {
    const api = mockShipyardApi();
    await render(api);
    await screen.findByTestId('cluster-tree');
    expect(api.getCluster).toHaveBeenCalledTimes(1);
    api.emit(clusterUpserted(9, 'other'));
    api.getCluster.mockResolvedValue(
      makeDetails(makeCluster({ health: 'unhealthy' })),
    );
    api.emit(clusterUpserted(10));
    await waitFor(() =>
      expect(screen.getByTestId('cluster-health')).toHaveTextContent(
        'Unhealthy',
      ),
    );
    expect(api.getCluster).toHaveBeenCalledTimes(2);
  });

  it('explains missing annotations and unknown clusters', async () => {
    await render(mockShipyardApi(), AuthorizeResult.ALLOW, {
      ...entity,
      metadata: { name: 'plain' },
    });
    expect(screen.getByText(/Missing Annotation/i)).toBeInTheDocument();
  });

  it('shows a not-found state', async () => {
    const api = mockShipyardApi();
    api.getCluster.mockRejectedValue(
      Object.assign(new Error('not found'), { response: { status: 404 } }),
    );
    await render(api);
    expect(
      await screen.findByText('Cluster not found in the fleet'),
    ).toBeInTheDocument();
  });
});
