import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import { ClusterOperationBody, shipyardApiRef } from '../../api';
import {
  ClusterOperationDialogProps,
  OperationDialog,
  operationErrorMessage,
} from './OperationDialog';

/** What a field of the diff is, in words. */
function fieldLabel(field: string): string {
  if (field === 'profileVersion') return 'Profile version';
  if (field === 'topology.version') return 'Kubernetes version';
  if (field === 'topology.classRef') return 'ClusterClass';
  if (field.startsWith('topology.variables.')) {
    return `Variable ${field.slice('topology.variables.'.length)}`;
  }
  return field;
}

/**
 * Move a cluster to the newer version of its profile: the backend's dry run previews the `spec.topology` diff (or
 * says why the move cannot be made), then the move is applied and followed as an upgrade.
 */
export const ProfileVersionDialog = (props: ClusterOperationDialogProps) => {
  const c = props.cluster;
  const api = useApi(shipyardApiRef);
  const preview = useAsync(
    () =>
      api.runClusterOperation(
        {
          managementCluster: c.managementCluster,
          namespace: c.namespace,
          name: c.name,
        },
        'update',
        { dryRun: true },
      ),
    [api, c.managementCluster, c.namespace, c.name],
  );
  const diff = preview.value;
  let body: ClusterOperationBody<'update'> | string = '';
  if (preview.error) body = 'The move cannot be made now.';
  else if (diff?.unchanged) body = diff.message;
  else if (diff) {
    body =
      typeof diff.after.profileVersion === 'string'
        ? { version: diff.after.profileVersion }
        : {};
  }
  return (
    <OperationDialog
      open={props.open}
      onClose={props.onClose}
      onDone={props.onDone}
      title={`Move ${c.name} to a newer profile version`}
      cluster={c}
      operation="update"
      body={body}
      submitLabel="Move"
    >
      <Typography variant="body2" paragraph>
        {c.profile} {c.profileVersion ?? ''}: the ClusterClass, Kubernetes
        version (one minor at most) and pinned variables of the newer version
        are applied; machines roll out as in an upgrade. Follow it on this page.
      </Typography>
      {preview.loading && <Progress />}
      {preview.error && (
        <Alert severity="warning" data-testid="profile-move-refused">
          {operationErrorMessage(preview.error)}
        </Alert>
      )}
      {diff && !diff.unchanged && (
        <Table size="small" data-testid="profile-move-preview">
          <TableHead>
            <TableRow>
              <TableCell>spec.topology</TableCell>
              <TableCell>Now</TableCell>
              <TableCell>After the move</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {Object.keys(diff.after).map(field => (
              <TableRow key={field}>
                <TableCell>{fieldLabel(field)}</TableCell>
                <TableCell>{String(diff.before[field] ?? '—')}</TableCell>
                <TableCell>{String(diff.after[field] ?? '—')}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </OperationDialog>
  );
};
