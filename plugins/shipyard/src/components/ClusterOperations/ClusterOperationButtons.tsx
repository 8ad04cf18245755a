import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  ClusterSummary,
  shipyardClusterPausePermission,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import { useState } from 'react';
import { PauseDialog } from './PauseDialog';

/** The day-2 operation buttons of a cluster page, each shown to users who hold its permission on the cluster. */
export const ClusterOperationButtons = (props: { cluster: ClusterSummary }) => {
  const c = props.cluster;
  const resourceRef = stringifyClusterKey(c);
  const pause = usePermission({
    permission: shipyardClusterPausePermission,
    resourceRef,
  });
  const [open, setOpen] = useState<'pause'>();
  if (c.deletingSince) return null;
  return (
    <Box display="flex" style={{ gap: 8 }}>
      {pause.allowed && (
        <Button
          variant="outlined"
          onClick={() => setOpen('pause')}
          data-testid="pause-cluster"
        >
          {c.paused ? 'Resume' : 'Pause'}
        </Button>
      )}
      {open === 'pause' && (
        <PauseDialog cluster={c} open onClose={() => setOpen(undefined)} />
      )}
    </Box>
  );
};
