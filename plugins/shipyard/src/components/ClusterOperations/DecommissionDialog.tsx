import Checkbox from '@material-ui/core/Checkbox';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import {
  ClusterOperationDialogProps,
  OperationDialog,
} from './OperationDialog';

/**
 * Decommission a cluster: what goes, the cluster's name typed again, a reason; for a production cluster, the
 * platform team's approval (the backend refuses anyone else).
 */
export const DecommissionDialog = (props: ClusterOperationDialogProps) => {
  const c = props.cluster;
  const [confirm, setConfirm] = useState('');
  const [reason, setReason] = useState('');
  const [approve, setApprove] = useState(false);
  const production = c.lifecycle === 'production';
  let body: Record<string, unknown> | string = {
    confirm,
    ...(reason.trim() ? { reason: reason.trim() } : {}),
    ...(production && approve ? { approve: true } : {}),
  };
  if (confirm !== c.name) {
    body = confirm ? 'The name does not match.' : '';
  } else if (production && !approve) {
    body =
      'A production cluster is decommissioned only with the approval of the platform team.';
  }
  return (
    <OperationDialog
      {...props}
      title={`Decommission ${c.name}`}
      operation="delete"
      body={body}
      submitLabel="Decommission"
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
          {c.name} is a production cluster: a second person, of the platform
          team, approves its decommission.
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
      {production && (
        <FormControlLabel
          control={
            <Checkbox
              checked={approve}
              onChange={e => setApprove(e.target.checked)}
              inputProps={
                { 'data-testid': 'decommission-approve' } as Record<
                  string,
                  string
                >
              }
            />
          }
          label="I am of the platform team and approve this decommission"
        />
      )}
    </OperationDialog>
  );
};
