import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { MetricsService } from '@backstage/backend-plugin-api/alpha';
import {
  ClusterAuditAction,
  ClusterAuditRecordInput,
  ClusterSummary,
  toStorableAuditRecord,
} from '@shipyard/plugin-shipyard-common';
import { ShipyardBackend } from './ShipyardBackendClient';

/** The fields of an audit record that name a cluster and its owner, from the cluster's summary. */
export function auditedCluster(
  cluster: Pick<
    ClusterSummary,
    'managementCluster' | 'namespace' | 'name' | 'owner'
  >,
): Pick<
  ClusterAuditRecordInput,
  'managementCluster' | 'namespace' | 'cluster' | 'owner'
> {
  return {
    managementCluster: cluster.managementCluster,
    namespace: cluster.namespace,
    cluster: cluster.name,
    owner: cluster.owner,
  };
}

/**
 * Records every cluster request, upgrade and refusal twice: as a Backstage auditor event (the deployment's audit
 * trail) and in the Shipyard backend's database (`GET /api/shipyard/audit`). What a user asked for never makes a
 * record invalid: values that do not fit their field are kept, escaped and truncated, in `details`
 * (`toStorableAuditRecord`). Recording never masks the outcome of the request; a record that cannot be written is
 * an alert: an error line and the `shipyard.audit.write_failures` metric.
 */
export class ClusterAuditRecorder {
  private readonly failures?: ReturnType<MetricsService['createCounter']>;

  constructor(
    private readonly options: {
      auditor?: AuditorService;
      backend: ShipyardBackend;
      logger: LoggerService;
      metrics?: MetricsService;
    },
  ) {
    this.failures = options.metrics?.createCounter(
      'shipyard.audit.write_failures',
      {
        description:
          'Audit records of cluster requests that could not be written, by trail',
      },
    );
  }

  /** Records `input` as failed with the error's message. */
  async recordFailure(
    input: Omit<ClusterAuditRecordInput, 'outcome' | 'message'>,
    error: unknown,
  ): Promise<void> {
    await this.record(
      {
        ...input,
        outcome: 'failed',
        message: String((error as Error).message),
      } as ClusterAuditRecordInput,
      error as Error,
    );
  }

  async record(input: ClusterAuditRecordInput, error?: Error): Promise<void> {
    const { auditor, backend, logger } = this.options;
    const record = toStorableAuditRecord(input);
    const meta = JSON.parse(JSON.stringify(record));
    const what = `${record.action} ${record.outcome} by ${record.actor}, task ${
      record.taskId ?? 'none'
    }`;
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
      this.failures?.add(1, { trail: 'auditor', outcome: record.outcome });
      logger.error(
        `Shipyard: could not emit the auditor event (${what}): ${e}`,
      );
    }
    try {
      await backend.recordAudit(record);
    } catch (e) {
      this.failures?.add(1, { trail: 'shipyard', outcome: record.outcome });
      logger.error(
        `Shipyard: could not store the audit record (${what}): ${e}`,
      );
    }
  }

  /**
   * Records the refusal of an input that does not match the action's schema, with whatever it held: a request
   * refused before any check ran is still a request.
   */
  async refusedInput(
    action: ClusterAuditAction,
    ctx: {
      input?: unknown;
      user?: { ref?: string };
      task?: { id?: string };
    },
    error: Error,
  ): Promise<void> {
    const input = (
      typeof ctx.input === 'object' && ctx.input !== null ? ctx.input : {}
    ) as Record<string, unknown>;
    const own = (key: string) =>
      Object.prototype.hasOwnProperty.call(input, key) ? input[key] : undefined;
    const record: Record<string, unknown> = {
      action,
      outcome: 'refused',
      actor: ctx.user?.ref ?? 'unknown',
      taskId: ctx.task?.id,
      message: error.message,
    };
    if (action === 'cluster.create') {
      Object.assign(record, {
        profile: own('profile'),
        owner: own('owner'),
        cluster: own('name'),
        managementCluster: own('managementCluster'),
        namespace: own('namespace'),
        mode: own('mode'),
      });
    } else {
      record.details = {
        'requested.cluster': own('cluster') as string,
        toVersion: own('kubernetesVersion') as string,
      };
    }
    // the values are whatever was sent; toStorableAuditRecord makes them storable
    await this.record(record as unknown as ClusterAuditRecordInput, error);
  }
}
