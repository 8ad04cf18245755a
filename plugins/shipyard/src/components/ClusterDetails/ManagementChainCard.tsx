import {
  InfoCard,
  Link,
  StructuredMetadataTable,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import {
  ClusterSummary,
  ManagementClusterStatus,
} from '@shipyard/plugin-shipyard-common';
import { useEffect, useState } from 'react';
import { shipyardApiRef } from '../../api';
import { useFleetRoutes } from '../../hooks';
import { ReadProgress } from '../ReadProgress';

/** Where a control plane hosted as pods runs (k0smotron, Kamaji): host, namespace, pods, datastore, endpoint. */
export const HostedControlPlaneCard = (props: { cluster: ClusterSummary }) => {
  const h = props.cluster.hostedControlPlane;
  if (!h) return null;
  return (
    <InfoCard title="Hosted control plane" subheader="Runs as pods on its host">
      <div data-testid="hosted-control-plane">
        <StructuredMetadataTable
          metadata={{
            Provider: h.provider,
            Host: `${h.hostCluster} (namespace ${h.namespace})`,
            Pods: `${h.readyReplicas} of ${h.replicas} ready (${h.workloadKind} ${h.workloadName})`,
            Datastore: h.datastore ?? '—',
            Endpoint: h.endpoint ?? '—',
          }}
        />
      </div>
    </InfoCard>
  );
};

const SHOWN = 500;

interface ChainNode {
  name: string;
  status?: ManagementClusterStatus;
  clusters: ClusterSummary[];
  children: ChainNode[];
}

function ClusterLeaf(props: { cluster: ClusterSummary }) {
  const routes = useFleetRoutes();
  const c = props.cluster;
  return (
    <li data-testid="chain-cluster">
      <Link to={routes.cluster(c)}>{c.name}</Link>{' '}
      <Typography variant="caption" component="span">
        {c.namespace} · {c.health}
        {c.managementClusterOf
          ? ` · management cluster ${c.managementClusterOf}`
          : ''}
        {c.hostedControlPlane
          ? ` · hosted control plane (${c.hostedControlPlane.provider}, ${c.hostedControlPlane.readyReplicas}/${c.hostedControlPlane.replicas} pods ready)`
          : ''}
      </Typography>
    </li>
  );
}

function NodeView(props: { node: ChainNode }) {
  const { node } = props;
  const r = node.status?.blastRadius;
  return (
    <li data-testid="chain-management-cluster" data-name={node.name}>
      <Typography variant="subtitle2" component="span">
        {node.name}
      </Typography>{' '}
      <Typography variant="caption" component="span">
        {node.status?.state ?? ''}
        {r
          ? ` · ${r.clusters} clusters, ${r.hostedControlPlanes} hosted control planes, ${r.teams} teams`
          : ''}
      </Typography>
      <ul>
        {node.children.map(child => (
          <NodeView key={child.name} node={child} />
        ))}
        {node.clusters
          .filter(
            c =>
              !node.children.some(
                child => child.name === c.managementClusterOf,
              ),
          )
          .map(c => (
            <ClusterLeaf
              key={`${c.managementCluster}/${c.namespace}/${c.name}`}
              cluster={c}
            />
          ))}
      </ul>
    </li>
  );
}

/**
 * The management chain under a management cluster's own cluster: the management cluster, the management clusters it
 * manages (nested) and the clusters each serves, with the blast radius of each.
 */
export const ManagementChainCard = (props: { cluster: ClusterSummary }) => {
  const api = useApi(shipyardApiRef);
  const name = props.cluster.managementClusterOf;
  const [tree, setTree] = useState<ChainNode>();
  const [error, setError] = useState<Error>();
  useEffect(() => {
    if (!name) return undefined;
    let cancelled = false;
    (async () => {
      const statuses = (await api.listManagementClusters()).items;
      const byName = new Map(statuses.map(s => [s.name, s]));
      const root = byName.get(name);
      const names = [name, ...(root?.blastRadius?.managementClusters ?? [])];
      const page = await api.listClusters({
        managementCluster: names,
        limit: SHOWN,
        sort: 'name',
      });
      const build = (n: string, seen: Set<string>): ChainNode => {
        seen.add(n);
        const clusters = page.items.filter(c => c.managementCluster === n);
        const children = clusters
          .map(c => c.managementClusterOf)
          .filter((m): m is string => Boolean(m) && !seen.has(m!))
          .map(m => build(m, seen));
        return { name: n, status: byName.get(n), clusters, children };
      };
      if (!cancelled) {
        setTree(build(name, new Set()));
        setError(undefined);
      }
    })().catch((e: Error) => {
      if (!cancelled) setError(e);
    });
    return () => {
      cancelled = true;
    };
  }, [api, name]);
  if (!name) return null;
  const status = tree?.status;
  return (
    <InfoCard
      title={`Management cluster ${name}`}
      subheader="This cluster is a management cluster: what it serves, and what depends on it"
    >
      <ReadProgress answered={Boolean(tree)} error={error} />
      {status?.staleMessage && (
        <Alert severity="error" data-testid="chain-stale">
          {status.staleMessage}
        </Alert>
      )}
      {status?.blastRadius && (
        <Grid container spacing={2} data-testid="blast-radius">
          <Grid item>
            <Typography variant="body2">
              Blast radius: {status.blastRadius.total.clusters} clusters of{' '}
              {status.blastRadius.total.teams} teams,{' '}
              {status.blastRadius.total.hostedControlPlanes} hosted control
              planes
              {status.blastRadius.managementClusters.length
                ? `, through ${status.blastRadius.managementClusters.join(
                    ', ',
                  )}`
                : ''}
            </Typography>
          </Grid>
        </Grid>
      )}
      {tree && (
        <ul data-testid="management-chain-tree">
          <NodeView node={tree} />
        </ul>
      )}
    </InfoCard>
  );
};
