import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { ClusterOperationBody } from '../../api';
import { formatReplicas } from '../../lib/format';
import {
  ClusterOperationDialogProps,
  OperationDialog,
} from './OperationDialog';

/** Resize the worker pools of a cluster: one field per MachineDeployment/MachinePool, prefilled with its replicas. */
export const ScaleDialog = (props: ClusterOperationDialogProps) => {
  const c = props.cluster;
  const pools = [...c.machineDeployments, ...c.machinePools];
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      pools.map(p => [p.name, String(p.replicas.desired ?? '')]),
    ),
  );
  const workers = pools
    .filter(p => values[p.name] !== String(p.replicas.desired ?? ''))
    .map(p => ({ name: p.name, replicas: Number(values[p.name]) }));
  const invalid = workers.find(
    w => !Number.isInteger(w.replicas) || w.replicas < 0,
  );
  let body: ClusterOperationBody<'scale'> | string = { workers };
  if (pools.length === 0) body = 'This cluster has no worker pools to resize.';
  else if (invalid)
    body = `Replicas of ${invalid.name} must be a whole number.`;
  else if (workers.length === 0) body = '';
  return (
    <OperationDialog
      {...props}
      title={`Resize ${c.name}`}
      operation="scale"
      body={body}
      submitLabel="Resize"
    >
      <Typography variant="body2" paragraph>
        Workers: {formatReplicas(c.workers)}. The new replicas must stay within
        the sizes of the cluster&apos;s profile and the team&apos;s machine
        quota; the cluster must be healthy. New machines join one by one; follow
        them on this page.
      </Typography>
      {pools.map(p => (
        <TextField
          key={p.name}
          label={`${p.name} (now ${formatReplicas(p.replicas)})`}
          type="number"
          value={values[p.name]}
          onChange={e => setValues(v => ({ ...v, [p.name]: e.target.value }))}
          fullWidth
          margin="dense"
          inputProps={{ min: 0, 'data-testid': `replicas-${p.name}` }}
        />
      ))}
    </OperationDialog>
  );
};
