import { mockServices } from '@backstage/backend-test-utils';
import { metricsServiceMock } from '@backstage/backend-test-utils/alpha';
import { ClusterAuditRecordInput } from '@shipyard/plugin-shipyard-common';
import { ClusterAuditRecorder } from './audit';
import { ShipyardBackend } from './ShipyardBackendClient';

function backend(recordAudit: ShipyardBackend['recordAudit']): ShipyardBackend {
  return {
    getCluster: async () => undefined,
    countClustersOwnedBy: async () => 0,
    listManagementClusters: async () => [],
    listClusterClasses: async () => [],
    recordAudit,
  };
}

describe('ClusterAuditRecorder', () => {
  it('sends a storable record whatever was asked', async () => {
    const sent: ClusterAuditRecordInput[] = [];
    const recorder = new ClusterAuditRecorder({
      backend: backend(async r => {
        sent.push(r);
      }),
      logger: mockServices.logger.mock(),
    });
    await recorder.record({
      actor: 'user:default/mallory',
      action: 'cluster.create',
      outcome: 'refused',
      managementCluster: '../mgmt-eu-1',
      owner: 'x'.repeat(300),
      message: 'refused',
    });
    expect(sent).toEqual([
      {
        actor: 'user:default/mallory',
        action: 'cluster.create',
        outcome: 'refused',
        message: 'refused',
        details: {
          'requested.managementCluster': '../mgmt-eu-1',
          'requested.owner': expect.stringMatching(/^x+… \(300 characters\)$/),
        },
      },
    ]);
  });

  it('alerts with an error line and a metric when a record cannot be written', async () => {
    const logger = mockServices.logger.mock();
    const metrics = metricsServiceMock.mock();
    const recorder = new ClusterAuditRecorder({
      backend: backend(async () => {
        throw new Error('Request failed with 503 Service Unavailable');
      }),
      logger,
      metrics,
    });
    await recorder.record({
      actor: 'user:default/alice',
      action: 'cluster.upgrade',
      outcome: 'failed',
      taskId: 'task-9',
    });
    expect(metrics.createCounter).toHaveBeenCalledWith(
      'shipyard.audit.write_failures',
      expect.anything(),
    );
    const counter = metrics.createCounter.mock.results[0].value;
    expect(counter.add).toHaveBeenCalledWith(1, {
      trail: 'shipyard',
      outcome: 'failed',
    });
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringMatching(
        /could not store the audit record \(cluster\.upgrade failed by user:default\/alice, task task-9\).*503/,
      ),
    );
  });
});
