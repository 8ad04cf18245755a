import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { scaffolderApiRef } from '@backstage/plugin-scaffolder-react';
import { DefaultTemplateOutputs } from '@backstage/plugin-scaffolder-react/alpha';
import Box from '@material-ui/core/Box';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import {
  ClusterKey,
  ClusterSummary,
  rolloutProgress,
} from '@shipyard/plugin-shipyard-common';
import { ComponentProps, useEffect, useState } from 'react';
import { useParams } from 'react-router-dom';
import { ShipyardApi, shipyardApiRef } from '../../api';
import { clusterKeyFromEntity } from '../../lib/entity';
import { keyOfClusterRef } from '../../lib/upgrade';
import { ProvisioningProgress } from '../ProvisioningProgress';
import { PercentBar } from '../PercentBar';

/** What a Shipyard task's parameters say about its cluster. */
export interface TaskCluster {
  /** A request: the new cluster's name, management cluster and owner. */
  name?: string;
  managementCluster?: string;
  owner?: string;
  /** An upgrade: the cluster (entity ref or `managementCluster/namespace/name`). */
  clusterRef?: string;
  kubernetesVersion?: string;
}

/** The cluster a request or upgrade task works on, from its parameters. */
export function clusterOfTask(
  parameters: Record<string, unknown>,
): TaskCluster {
  const out: TaskCluster = {};
  const str = (key: string) => {
    const v = parameters[key];
    return typeof v === 'string' && v.length > 0 ? v : undefined;
  };
  if (str('cluster')) out.clusterRef = str('cluster');
  else {
    if (str('name')) out.name = str('name');
    if (str('managementCluster'))
      out.managementCluster = str('managementCluster');
    if (str('owner')) out.owner = str('owner');
  }
  if (str('kubernetesVersion'))
    out.kubernetesVersion = str('kubernetesVersion');
  return out;
}

async function findRequested(
  shipyard: ShipyardApi,
  wanted: TaskCluster,
  signal: AbortSignal,
): Promise<ClusterKey | undefined> {
  if (!wanted.name) return undefined;
  const page = await shipyard.listClusters(
    { q: wanted.name, facets: false, limit: 50 },
    { signal },
  );
  const candidates = page.items.filter(
    c =>
      c.name === wanted.name &&
      (!wanted.managementCluster ||
        c.managementCluster === wanted.managementCluster),
  );
  const found =
    candidates.find(c => wanted.owner && c.owner === wanted.owner) ??
    candidates[0];
  return found
    ? {
        managementCluster: found.managementCluster,
        namespace: found.namespace,
        name: found.name,
      }
    : undefined;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/** Polls the task and its cluster every `intervalMs` until the task ends. */
function useTaskCluster(taskId: string | undefined, intervalMs = 2000) {
  const scaffolder = useApi(scaffolderApiRef);
  const shipyard = useApi(shipyardApiRef);
  const catalog = useApi(catalogApiRef);
  const [state, setState] = useState<{
    wanted?: TaskCluster;
    cluster?: ClusterSummary;
  }>({});
  useEffect(() => {
    if (!taskId) return undefined;
    const controller = new AbortController();
    const { signal } = controller;
    let key: ClusterKey | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const round = async () => {
      let ended = false;
      try {
        const task = await scaffolder.getTask(taskId);
        ended = TERMINAL.has(task.status);
        const wanted = clusterOfTask(
          (task.spec.parameters ?? {}) as Record<string, unknown>,
        );
        if (!key && wanted.clusterRef) {
          key = keyOfClusterRef(wanted.clusterRef);
          if (!key) {
            const entity = await catalog.getEntityByRef(wanted.clusterRef);
            key = entity ? clusterKeyFromEntity(entity) : undefined;
          }
        }
        if (!key) key = await findRequested(shipyard, wanted, signal);
        const details = key
          ? await shipyard.getCluster(key, { signal }).catch(() => undefined)
          : undefined;
        if (!signal.aborted) setState({ wanted, cluster: details?.summary });
      } catch {
        // the next round tries again; the task page still shows the steps
      }
      if (!ended && !signal.aborted) timer = setTimeout(round, intervalMs);
    };
    round();
    return () => {
      controller.abort();
      if (timer) clearTimeout(timer);
    };
  }, [scaffolder, shipyard, catalog, taskId, intervalMs]);
  return state;
}

/** How many of a set of replicas run the target version (`upToDate` as Cluster API counts them). */
function upToDateLine(
  what: string,
  counts: { desired?: number; upToDate?: number; ready?: number },
  version: string,
): string | undefined {
  if (!counts.desired) return undefined;
  return `${what} ${Math.min(counts.upToDate ?? 0, counts.desired)}/${
    counts.desired
  } on ${version}`;
}

/** An upgrade's rollout: the control plane first, then the workers, each counted on the target version. */
const UpgradeProgress = (props: {
  cluster: ClusterSummary;
  version: string;
}) => {
  const { cluster: c, version } = props;
  const rollout = rolloutProgress(c, version);
  const total = (c.controlPlane.desired ?? 0) + (c.workers.desired ?? 0);
  const done =
    Math.min(c.controlPlane.upToDate ?? 0, c.controlPlane.desired ?? 0) +
    Math.min(c.workers.upToDate ?? 0, c.workers.desired ?? 0);
  const percent = rollout.complete
    ? 100
    : Math.round((total ? done / total : 0) * 100);
  return (
    <Box>
      <PercentBar percent={percent} label="Upgrade progress" />
      <Typography variant="body2">
        {[
          upToDateLine('Control plane', c.controlPlane, version),
          upToDateLine('Workers', c.workers, version),
        ]
          .filter(Boolean)
          .join(' · ')}
      </Typography>
      {!rollout.complete && rollout.pending.length > 0 && (
        <Typography variant="caption" color="textSecondary">
          Waiting for: {rollout.pending.join(', ')}
        </Typography>
      )}
    </Box>
  );
};

/**
 * The task page's outputs for Shipyard's request and upgrade templates: while the task runs, the cluster's phase,
 * control plane n/m and workers n/m as a progress indicator (no need to open the logs); then the template's
 * outputs as usual.
 */
export const ClusterTaskProgress = (
  props: ComponentProps<typeof DefaultTemplateOutputs>,
) => {
  const { taskId } = useParams();
  const { wanted, cluster: c } = useTaskCluster(taskId);
  const upgrade = Boolean(wanted?.clusterRef && wanted.kubernetesVersion);
  return (
    <>
      {c && (
        <Box paddingBottom={2}>
          <Paper>
            <Box padding={2} data-testid="task-cluster-progress">
              <Typography variant="h6" component="h2">
                Cluster {c.name} on {c.managementCluster} / {c.namespace}
              </Typography>
              <Typography variant="body2" gutterBottom>
                Phase: {c.phase} · Health: {c.health}
                {upgrade
                  ? ''
                  : ` · Control plane ${Math.min(
                      c.controlPlane.ready ?? 0,
                      c.controlPlane.desired ?? 0,
                    )}/${
                      c.controlPlane.desired ?? 0
                    } ready · Workers ${Math.min(
                      c.workers.ready ?? 0,
                      c.workers.desired ?? 0,
                    )}/${c.workers.desired ?? 0} ready`}
              </Typography>
              {upgrade ? (
                <UpgradeProgress
                  cluster={c}
                  version={wanted?.kubernetesVersion ?? ''}
                />
              ) : (
                <ProvisioningProgress cluster={c} />
              )}
            </Box>
          </Paper>
        </Box>
      )}
      <DefaultTemplateOutputs {...props} />
    </>
  );
};
