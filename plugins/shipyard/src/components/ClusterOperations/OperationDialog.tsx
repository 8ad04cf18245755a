import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Alert from '@material-ui/lab/Alert';
import { useApi } from '@backstage/core-plugin-api';
import {
  ClusterKey,
  ClusterOperationName,
  ClusterOperationResponse,
  ClusterSummary,
} from '@shipyard/plugin-shipyard-common';
import { ReactNode, useState } from 'react';
import { ClusterOperationBody, shipyardApiRef } from '../../api';

/** The message of a failed operation: the backend's words when it sent them. */
export function operationErrorMessage(error: unknown): string {
  const e = error as {
    body?: { error?: { message?: string } };
    message?: string;
  };
  return e?.body?.error?.message ?? e?.message ?? String(error);
}

/**
 * One call of a state-changing operation at a time: busy while it runs, and the backend's refusal in its words when
 * it fails (cleared when the next call starts).
 */
export function useOperationCall() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const call = async <Answer,>(
    operation: () => Promise<Answer>,
    onAnswer: (answer: Answer) => void,
  ) => {
    setBusy(true);
    setError(undefined);
    try {
      onAnswer(await operation());
    } catch (e) {
      setError(operationErrorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, call };
}

/** The refusal of an operation, in the backend's words (nothing when there is none). */
export const OperationError = (props: {
  error?: string;
  testId: string;
  marginTop: number;
}) =>
  props.error ? (
    <Alert
      severity="error"
      data-testid={props.testId}
      style={{ marginTop: props.marginTop }}
    >
      {props.error}
    </Alert>
  ) : null;

/** What every day-2 operation's dialog is given: the cluster, whether it is open, and what to do when done. */
export interface ClusterOperationDialogProps {
  cluster: ClusterSummary;
  open: boolean;
  onClose(): void;
  onDone?(answer: ClusterOperationResponse): void;
}

/**
 * The frame of a day-2 operation's short form: title, fields, a submit button that runs the operation, the
 * backend's refusal in its words, and the answer (what changed) once done.
 */
export const OperationDialog = (props: {
  open: boolean;
  onClose(): void;
  title: string;
  cluster: ClusterKey;
  operation: ClusterOperationName;
  /** The body to send, or a message saying what is missing. */
  body: ClusterOperationBody | string;
  submitLabel: string;
  danger?: boolean;
  children: ReactNode;
  onDone?(answer: ClusterOperationResponse): void;
}) => {
  const api = useApi(shipyardApiRef);
  const { busy, error, setError, call } = useOperationCall();
  const [answer, setAnswer] = useState<ClusterOperationResponse>();
  const close = () => {
    setError(undefined);
    setAnswer(undefined);
    props.onClose();
  };
  const submit = async () => {
    const body = props.body;
    if (typeof body === 'string') return;
    await call(
      () => api.runClusterOperation(props.cluster, props.operation, body),
      result => {
        setAnswer(result);
        props.onDone?.(result);
      },
    );
  };
  return (
    <Dialog
      open={props.open}
      onClose={close}
      fullWidth
      maxWidth="sm"
      data-testid={`operation-dialog-${props.operation}`}
    >
      <DialogTitle>{props.title}</DialogTitle>
      <DialogContent>
        {answer ? (
          <Alert severity="success" data-testid="operation-done">
            {answer.message}
          </Alert>
        ) : (
          props.children
        )}
        <OperationError error={error} testId="operation-error" marginTop={12} />
        {!answer && typeof props.body === 'string' && props.body && (
          <Alert severity="info" style={{ marginTop: 12 }}>
            {props.body}
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={close}>{answer ? 'Close' : 'Cancel'}</Button>
        {!answer && (
          <Button
            variant="contained"
            color={props.danger ? 'secondary' : 'primary'}
            disabled={busy || typeof props.body === 'string'}
            onClick={submit}
            data-testid="operation-submit"
          >
            {busy ? <CircularProgress size={20} /> : props.submitLabel}
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
};
