import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { PAUSE_REASON_MAX } from '@shipyard/plugin-shipyard-common';
import { useState } from 'react';
import {
  ClusterOperationDialogProps,
  OperationDialog,
} from './OperationDialog';
import { describePause } from './PausedChip';

/** The expiries offered (hours; 0: until resumed). */
const EXPIRIES: Array<[number, string]> = [
  [0, 'Until resumed'],
  [1, '1 hour'],
  [4, '4 hours'],
  [24, '1 day'],
  [72, '3 days'],
  [168, '7 days'],
];

/** Pause (with a reason and an expiry) or resume a cluster. */
export const PauseDialog = (props: ClusterOperationDialogProps) => {
  const c = props.cluster;
  const [reason, setReason] = useState('');
  const [hours, setHours] = useState(0);
  if (c.paused) {
    return (
      <OperationDialog
        {...props}
        title={`Resume ${c.name}`}
        operation="resume"
        body={{}}
        submitLabel="Resume"
      >
        <Typography variant="body2" paragraph>
          Paused {describePause(c.paused)}.
        </Typography>
        <Typography variant="body2">
          Cluster API reconciles the cluster again at once: whatever changed
          meanwhile (replicas, versions, repairs) is carried out.
        </Typography>
      </OperationDialog>
    );
  }
  const trimmed = reason.trim();
  return (
    <OperationDialog
      {...props}
      title={`Pause ${c.name}`}
      operation="pause"
      body={
        trimmed
          ? {
              reason: trimmed,
              ...(hours > 0
                ? {
                    expiresAt: new Date(
                      Date.now() + hours * 3600_000,
                    ).toISOString(),
                  }
                : {}),
            }
          : 'Say why the cluster is paused: it is shown to everyone on the cluster and fleet pages.'
      }
      submitLabel="Pause"
    >
      <Typography variant="body2" paragraph>
        While paused, Cluster API makes no change to this cluster: no scaling,
        upgrade, repair of machines or deletion. The workloads keep running.
      </Typography>
      <TextField
        label="Reason"
        value={reason}
        onChange={e => setReason(e.target.value)}
        fullWidth
        required
        margin="dense"
        inputProps={{
          maxLength: PAUSE_REASON_MAX,
          'data-testid': 'pause-reason',
        }}
        helperText="For example: INC-1234, investigating node failures"
      />
      <TextField
        select
        label="Resume automatically"
        value={hours}
        onChange={e => setHours(Number(e.target.value))}
        fullWidth
        margin="dense"
      >
        {EXPIRIES.map(([h, label]) => (
          <MenuItem key={h} value={h}>
            {label}
          </MenuItem>
        ))}
      </TextField>
    </OperationDialog>
  );
};
