import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { ClusterOperationBody } from '../../api';
import {
  ClusterOperationDialogProps,
  OperationDialog,
} from './OperationDialog';

/**
 * Decommission a cluster: what goes, the cluster's name typed again, a reason. A production cluster's decommission
 * is a request: a second person of the platform team approves it, or (configured so) it starts after a delay; the
 * cluster's Operations card shows it, with Approve and Cancel.
 */
export const DecommissionDialog = (props: ClusterOperationDialogProps) => {
  const c = props.cluster;
  const [confirm, setConfirm] = useState('');
  const [reason, setReason] = useState('');
  const production = c.lifecycle === 'production';
  let body: ClusterOperationBody<'delete'> | string = {
    confirm,
    ...(reason.trim() ? { reason: reason.trim() } : {}),
  };
  if (confirm !== c.name) {
    body = confirm ? 'The name does not match.' : '';
  }
  return (
    <OperationDialog
      {...props}
      title={`Decommission ${c.name}`}
      operation="delete"
      body={body}
      submitLabel={production ? 'Request decommission' : 'Decommission'}
      danger
    >
      <Alert severity="warning" style={{ marginBottom: 12 }}>
        Cluster API deletes the cluster: its {c.machineCount} machines drain and
        go, then its infrastructure is released. This cannot be undone. The
        cluster stays in the fleet (phase Deleting) until Cluster API confirms
        the deletion; then it leaves the fleet and the catalog.
      </Alert>
      {production && (
        <Typography variant="body2" paragraph data-testid="production-note">
          {c.name} is a production cluster: this asks for its decommission.
          Nothing is deleted until a second person of the platform team approves
          it (or, where the portal is configured so, until a delay has passed);
          until then it can be cancelled.
        </Typography>
      )}
      <TextField
        label={`Type ${c.name} to confirm`}
        value={confirm}
        onChange={e => setConfirm(e.target.value)}
        fullWidth
        margin="dense"
        autoComplete="off"
        inputProps={{ 'data-testid': 'decommission-confirm' }}
      />
      <TextField
        label="Reason (kept in the audit trail)"
        value={reason}
        onChange={e => setReason(e.target.value)}
        fullWidth
        margin="dense"
        inputProps={{ maxLength: 500, 'data-testid': 'decommission-reason' }}
      />
    </OperationDialog>
  );
};
