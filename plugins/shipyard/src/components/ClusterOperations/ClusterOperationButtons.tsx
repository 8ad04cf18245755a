import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  ClusterSummary,
  shipyardClusterDeletePermission,
  shipyardClusterPausePermission,
  shipyardClusterScalePermission,
  shipyardClusterUpdatePermission,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import { useState } from 'react';
import { DecommissionDialog } from './DecommissionDialog';
import { PauseDialog } from './PauseDialog';
import { ProfileVersionDialog } from './ProfileVersionDialog';
import { ScaleDialog } from './ScaleDialog';

/** The day-2 operation buttons of a cluster page, each shown to users who hold its permission on the cluster. */
export const ClusterOperationButtons = (props: { cluster: ClusterSummary }) => {
  const c = props.cluster;
  const resourceRef = stringifyClusterKey(c);
  const pause = usePermission({
    permission: shipyardClusterPausePermission,
    resourceRef,
  });
  const scale = usePermission({
    permission: shipyardClusterScalePermission,
    resourceRef,
  });
  const remove = usePermission({
    permission: shipyardClusterDeletePermission,
    resourceRef,
  });
  const update = usePermission({
    permission: shipyardClusterUpdatePermission,
    resourceRef,
  });
  const [open, setOpen] = useState<'pause' | 'scale' | 'delete' | 'update'>();
  // a deleting cluster offers nothing more; an open form stays to show its answer (the decommission just made)
  const offer = !c.deletingSince;
  if (!offer && !open) return null;
  return (
    <Box display="flex" style={{ gap: 8 }}>
      {offer && pause.allowed && (
        <Button
          variant="outlined"
          onClick={() => setOpen('pause')}
          data-testid="pause-cluster"
        >
          {c.paused ? 'Resume' : 'Pause'}
        </Button>
      )}
      {offer && scale.allowed && (
        <Button
          variant="outlined"
          onClick={() => setOpen('scale')}
          data-testid="scale-cluster"
          disabled={Boolean(c.paused)}
          title={c.paused ? 'Resume the cluster to resize it' : undefined}
        >
          Resize
        </Button>
      )}
      {offer && update.allowed && c.profile && (
        <Button
          variant="outlined"
          onClick={() => setOpen('update')}
          data-testid="move-profile-version"
          disabled={Boolean(c.paused)}
          title={
            c.paused
              ? 'Resume the cluster to move it to another profile version'
              : undefined
          }
        >
          Profile version
        </Button>
      )}
      {offer && remove.allowed && (
        <Button
          variant="outlined"
          color="secondary"
          onClick={() => setOpen('delete')}
          data-testid="decommission-cluster"
          disabled={Boolean(c.paused)}
          title={c.paused ? 'Resume the cluster to decommission it' : undefined}
        >
          Decommission
        </Button>
      )}
      {open === 'update' && (
        <ProfileVersionDialog
          cluster={c}
          open
          onClose={() => setOpen(undefined)}
        />
      )}
      {open === 'delete' && (
        <DecommissionDialog
          cluster={c}
          open
          onClose={() => setOpen(undefined)}
        />
      )}
      {open === 'scale' && (
        <ScaleDialog cluster={c} open onClose={() => setOpen(undefined)} />
      )}
      {open === 'pause' && (
        <PauseDialog cluster={c} open onClose={() => setOpen(undefined)} />
      )}
    </Box>
  );
};
