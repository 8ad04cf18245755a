import { Link } from '@backstage/core-components';
import { ClusterKey } from '@shipyard/plugin-shipyard-common';
import { useFleetRoutes } from '../../hooks';
import type { SmallTableColumn } from '../SmallTable';

/** A link to a cluster's page, named by the cluster's title (its name when it has none). */
export const ClusterLink = (props: {
  cluster: ClusterKey & { title?: string };
}) => {
  const routes = useFleetRoutes();
  const c = props.cluster;
  return <Link to={routes.cluster(c)}>{c.title || c.name}</Link>;
};

/** The column of a small table that links to each row's cluster: its long names break rather than widen it. */
export const CLUSTER_COLUMN: SmallTableColumn = {
  title: 'Cluster',
  cellStyle: { wordBreak: 'break-word' },
};
