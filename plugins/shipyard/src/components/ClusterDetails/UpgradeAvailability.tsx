import { LinkButton } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import InfoOutlinedIcon from '@material-ui/icons/InfoOutlined';
import {
  ClusterSummary,
  shipyardClusterUpdatePermission,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import useAsync from 'react-use/esm/useAsync';
import { shipyardApiRef } from '../../api';
import { upgradeBlocker } from '../../lib/upgrade';
import { ClusterOperationButtons } from '../ClusterOperations';

/** Path of the upgrade template with the cluster prefilled. */
export function upgradeTemplateLink(
  cluster: ClusterSummary,
  entityRef?: string,
): string {
  const formData = {
    cluster: entityRef ?? stringifyClusterKey(cluster),
    managementCluster: cluster.managementCluster,
    namespace: cluster.namespace,
    name: cluster.name,
    profile: cluster.profile,
    currentVersion: cluster.kubernetesVersion,
  };
  return `/create/templates/default/upgrade-cluster?formData=${encodeURIComponent(
    JSON.stringify(formData),
  )}`;
}

/** Whether the user may upgrade the cluster (`shipyard.cluster.update`), and why an upgrade cannot start now. */
export interface UpgradeAvailability {
  /** The user may upgrade this cluster (the permission answered yes). */
  shown: boolean;
  /** The cluster's upgrade plan is still loading. */
  planning: boolean;
  /** Why an upgrade cannot start now; undefined when it can. */
  blocker?: string;
}

/** The upgrade availability of a cluster: its permission and the checks its upgrade plan answers. */
export function useUpgradeAvailability(c: ClusterSummary): UpgradeAvailability {
  const api = useApi(shipyardApiRef);
  const { allowed, loading } = usePermission({
    permission: shipyardClusterUpdatePermission,
    resourceRef: stringifyClusterKey(c),
  });
  const { value: lifecycle, loading: planning } = useAsync(
    () =>
      api
        .getClusterLifecycle({
          managementCluster: c.managementCluster,
          namespace: c.namespace,
          name: c.name,
        })
        .catch(() => undefined),
    [api, c.managementCluster, c.namespace, c.name, c.kubernetesVersion],
  );
  return {
    shown: !loading && allowed,
    planning,
    blocker: planning ? undefined : upgradeBlocker(c, lifecycle),
  };
}

/**
 * Upgrade button, shown only to users with `shipyard.cluster.update` on this cluster, and enabled only where an
 * upgrade can start now (the reason is on the card then, `UpgradeUnavailableNote`, and in the button's tooltip).
 */
export const UpgradeClusterButton = (props: {
  cluster: ClusterSummary;
  entityRef?: string;
  availability: UpgradeAvailability;
}) => {
  const { shown, planning, blocker } = props.availability;
  if (!shown) return null;
  if (blocker) {
    return (
      <Tooltip title={blocker}>
        <span>
          <Button variant="contained" disabled data-testid="upgrade-cluster">
            Upgrade
          </Button>
        </span>
      </Tooltip>
    );
  }
  return (
    <LinkButton
      variant="contained"
      color="primary"
      to={upgradeTemplateLink(props.cluster, props.entityRef)}
      data-testid="upgrade-cluster"
      disabled={planning}
    >
      Upgrade
    </LinkButton>
  );
};

/** Why the cluster cannot be upgraded now, as a line across the card under its action buttons. */
export const UpgradeUnavailableNote = (props: {
  availability: UpgradeAvailability;
}) => {
  const { shown, blocker } = props.availability;
  if (!shown || !blocker) return null;
  return (
    <Box
      display="flex"
      alignItems="flex-start"
      mb={2}
      style={{ gap: 8 }}
      data-testid="upgrade-unavailable-note"
    >
      <InfoOutlinedIcon fontSize="small" color="action" />
      <Typography
        variant="body2"
        color="textSecondary"
        data-testid="upgrade-unavailable"
      >
        <strong>Upgrade not available now.</strong> {blocker}
      </Typography>
    </Box>
  );
};

/**
 * The Overview card's actions: a row of their own under the card's title, wrapping rather than pushing past the
 * card, and why an upgrade is not possible on a line under them. Rendered inside the card, so that a failing
 * permission or plan lookup stays within the card's error boundary.
 */
export const OverviewActions = (props: {
  cluster: ClusterSummary;
  entityRef?: string;
}) => {
  const upgrade = useUpgradeAvailability(props.cluster);
  return (
    <>
      <Box
        display="flex"
        flexWrap="wrap"
        alignItems="center"
        mb={2}
        style={{ gap: 8 }}
        data-testid="cluster-actions"
      >
        <ClusterOperationButtons cluster={props.cluster} />
        <UpgradeClusterButton
          cluster={props.cluster}
          entityRef={props.entityRef}
          availability={upgrade}
        />
      </Box>
      <UpgradeUnavailableNote availability={upgrade} />
    </>
  );
};
