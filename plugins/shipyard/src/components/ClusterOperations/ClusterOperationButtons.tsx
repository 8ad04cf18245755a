import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import { ResourcePermission } from '@backstage/plugin-permission-common';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  ClusterSummary,
  shipyardClusterDeletePermission,
  shipyardClusterPausePermission,
  shipyardClusterScalePermission,
  shipyardClusterUpdatePermission,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import { ComponentType, useState } from 'react';
import { DecommissionDialog } from './DecommissionDialog';
import { ClusterOperationDialogProps } from './OperationDialog';
import { PauseDialog } from './PauseDialog';
import { ProfileVersionDialog } from './ProfileVersionDialog';
import { ScaleDialog } from './ScaleDialog';

/** A day-2 operation's button and the form it opens. */
interface OperationEntry {
  permission: ResourcePermission<'shipyard-cluster'>;
  dialog: ComponentType<ClusterOperationDialogProps>;
  label(cluster: ClusterSummary): string;
  testId: string;
  color?: 'secondary';
  /** Why the button is disabled while the cluster is paused (it is not when absent). */
  whilePaused?: string;
  /** Whether the cluster offers the operation at all (every cluster when absent). */
  offered?(cluster: ClusterSummary): boolean;
}

/** The day-2 operations of a cluster page, in the order of their buttons. */
const OPERATIONS = {
  pause: {
    permission: shipyardClusterPausePermission,
    dialog: PauseDialog,
    label: c => (c.paused ? 'Resume' : 'Pause'),
    testId: 'pause-cluster',
  },
  scale: {
    permission: shipyardClusterScalePermission,
    dialog: ScaleDialog,
    label: () => 'Resize',
    testId: 'scale-cluster',
    whilePaused: 'Resume the cluster to resize it',
  },
  update: {
    permission: shipyardClusterUpdatePermission,
    dialog: ProfileVersionDialog,
    label: () => 'Profile version',
    testId: 'move-profile-version',
    whilePaused: 'Resume the cluster to move it to another profile version',
    offered: c => Boolean(c.profile),
  },
  delete: {
    permission: shipyardClusterDeletePermission,
    dialog: DecommissionDialog,
    label: () => 'Decommission',
    testId: 'decommission-cluster',
    color: 'secondary',
    whilePaused: 'Resume the cluster to decommission it',
  },
} satisfies Record<string, OperationEntry>;

type Operation = keyof typeof OPERATIONS;

/** One operation's button, shown to users who hold its permission on the cluster. */
const OperationButton = (props: {
  cluster: ClusterSummary;
  operation: OperationEntry;
  onClick(): void;
}) => {
  const c = props.cluster;
  const { permission, label, testId, color, whilePaused } = props.operation;
  const { allowed } = usePermission({
    permission,
    resourceRef: stringifyClusterKey(c),
  });
  if (!allowed || props.operation.offered?.(c) === false) return null;
  return (
    <Button
      variant="outlined"
      color={color}
      onClick={props.onClick}
      data-testid={testId}
      disabled={Boolean(whilePaused && c.paused)}
      title={c.paused ? whilePaused : undefined}
    >
      {label(c)}
    </Button>
  );
};

/** The day-2 operation buttons of a cluster page, each shown to users who hold its permission on the cluster. */
export const ClusterOperationButtons = (props: { cluster: ClusterSummary }) => {
  const c = props.cluster;
  const [open, setOpen] = useState<Operation>();
  // a deleting cluster offers nothing more; an open form stays to show its answer (the decommission just made)
  const offer = !c.deletingSince;
  if (!offer && !open) return null;
  const Dialog = open && OPERATIONS[open].dialog;
  return (
    <Box display="flex" style={{ gap: 8 }}>
      {offer &&
        Object.entries(OPERATIONS).map(([operation, button]) => (
          <OperationButton
            key={operation}
            cluster={c}
            operation={button}
            onClick={() => setOpen(operation as Operation)}
          />
        ))}
      {Dialog && <Dialog cluster={c} open onClose={() => setOpen(undefined)} />}
    </Box>
  );
};
