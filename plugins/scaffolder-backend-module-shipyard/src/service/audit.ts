import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { ClusterAuditRecordInput } from '@shipyard/plugin-shipyard-common';
import { ShipyardBackend } from './ShipyardBackendClient';

/**
 * Records every cluster request, upgrade and refusal twice: as a Backstage auditor event (the deployment's audit
 * trail) and in the Shipyard backend's database (`GET /api/shipyard/audit`). Recording never masks the outcome of
 * the request; a failure to record is logged.
 */
export class ClusterAuditRecorder {
  constructor(
    private readonly options: {
      auditor?: AuditorService;
      backend: ShipyardBackend;
      logger: LoggerService;
    },
  ) {}

  async record(record: ClusterAuditRecordInput, error?: Error): Promise<void> {
    const { auditor, backend, logger } = this.options;
    const meta = JSON.parse(JSON.stringify(record));
    try {
      const event = await auditor?.createEvent({
        eventId:
          record.action === 'cluster.create'
            ? 'cluster-request'
            : 'cluster-upgrade',
        severityLevel: record.outcome === 'succeeded' ? 'medium' : 'high',
        meta,
      });
      if (record.outcome === 'succeeded') await event?.success({ meta });
      else
        await event?.fail({
          meta,
          error: error ?? new Error(record.message ?? record.outcome),
        });
    } catch (e) {
      logger.warn(`Shipyard: could not emit the auditor event: ${e}`);
    }
    try {
      await backend.recordAudit(record);
    } catch (e) {
      logger.error(
        `Shipyard: could not store the audit record (${record.action} ${record.outcome} by ${record.actor}): ${e}`,
      );
    }
  }
}
