export { ClusterTable } from './ClusterTable';
export type { ClusterTableProps } from './ClusterTable';
export { CLUSTER_COLUMNS, DEFAULT_COLUMNS } from './columns';
export type { ClusterColumn } from './columns';
