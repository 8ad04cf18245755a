import { screen, waitFor } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { scaffolderApiRef } from '@backstage/plugin-scaffolder-react';
import { Route, Routes } from 'react-router-dom';
import { shipyardApiRef } from '../../api';
import {
  makeCluster,
  makeClusterEntity,
  makeDetails,
  mockShipyardApi,
} from '../../__testUtils__/fixtures';
import { ClusterTaskProgress, clusterOfTask } from './ClusterTaskProgress';

function scaffolder(
  parameters: Record<string, unknown>,
  status = 'processing',
) {
  return {
    getTask: jest.fn(async (id: string) => ({
      id,
      status,
      createdAt: '2026-12-05T00:00:00Z',
      spec: {
        parameters,
        templateInfo: { entityRef: 'template:default/request-cluster' },
      },
    })),
  };
}

async function renderAt(apis: any) {
  return renderInTestApp(
    <TestApiProvider apis={apis}>
      <Routes>
        <Route
          path="/create/tasks/:taskId"
          element={<ClusterTaskProgress output={undefined} />}
        />
      </Routes>
    </TestApiProvider>,
    { routeEntries: ['/create/tasks/task-1'] },
  );
}

describe('ClusterTaskProgress', () => {
  it('reads the requested cluster from the task parameters', () => {
    expect(
      clusterOfTask({
        name: 'new-1',
        managementCluster: 'mgmt-eu',
        kubernetesVersion: 'v1.31.2',
      }),
    ).toEqual({
      name: 'new-1',
      managementCluster: 'mgmt-eu',
      kubernetesVersion: 'v1.31.2',
    });
    expect(
      clusterOfTask({ cluster: 'resource:default/x', kubernetesVersion: 'v1' }),
    ).toEqual({ clusterRef: 'resource:default/x', kubernetesVersion: 'v1' });
  });

  it("shows the requested cluster's phase, control plane n/m and workers n/m as it comes up, without the logs", async () => {
    const shipyard = mockShipyardApi();
    const coming = makeCluster({
      name: 'new-1',
      health: 'provisioning',
      phase: 'Provisioning',
      controlPlane: { desired: 3, ready: 1 },
      workers: { desired: 2, ready: 0 },
      conditions: [{ type: 'InfrastructureReady', status: 'True' }],
    });
    shipyard.listClusters.mockResolvedValue({
      items: [coming, makeCluster({ name: 'new-10' })],
      totalCount: 2,
    } as any);
    shipyard.getCluster.mockResolvedValue(makeDetails(coming));
    await renderAt([
      [shipyardApiRef, shipyard],
      [
        scaffolderApiRef,
        scaffolder({ name: 'new-1', owner: 'group:default/team-a' }),
      ],
      [catalogApiRef, catalogApiMock()],
    ]);
    const progress = await screen.findByTestId(
      'task-cluster-progress',
      {},
      { timeout: 10_000 },
    );
    expect(progress).toHaveTextContent('Cluster new-1 on mgmt-eu / team-a');
    expect(progress).toHaveTextContent('Phase: Provisioning');
    expect(progress).toHaveTextContent('Control plane 1/3 ready');
    expect(progress).toHaveTextContent('Workers 0/2 ready');
    expect(screen.getByRole('progressbar')).toBeInTheDocument();
    expect(shipyard.getCluster).toHaveBeenCalledWith(
      { managementCluster: 'mgmt-eu', namespace: 'team-a', name: 'new-1' },
      expect.anything(),
    );
  });

  it("follows an upgrade: the control plane's and workers' machines up to date on the target version", async () => {
    const shipyard = mockShipyardApi();
    const rolling = makeCluster({
      name: 'prod-1',
      kubernetesVersion: 'v1.32.1',
      controlPlane: { desired: 3, ready: 3, upToDate: 2 },
      workers: { desired: 2, ready: 2, upToDate: 0 },
      conditions: [{ type: 'RollingOut', status: 'True' }],
    });
    shipyard.getCluster.mockResolvedValue(makeDetails(rolling));
    const entity = makeClusterEntity();
    await renderAt([
      [shipyardApiRef, shipyard],
      [
        scaffolderApiRef,
        scaffolder({
          cluster: 'resource:default/mgmt-eu--team-a--prod-1',
          kubernetesVersion: 'v1.32.1',
        }),
      ],
      [catalogApiRef, catalogApiMock({ entities: [entity] })],
    ]);
    const progress = await screen.findByTestId(
      'task-cluster-progress',
      {},
      { timeout: 10_000 },
    );
    await waitFor(() =>
      expect(progress).toHaveTextContent('Control plane 2/3 on v1.32.1'),
    );
    expect(progress).toHaveTextContent('Workers 0/2 on v1.32.1');
    expect(progress).toHaveTextContent('rolling out');
  });
});
