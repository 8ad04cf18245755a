import { LinkButton } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Alert from '@material-ui/lab/Alert';
import { useFleetRoutes } from '../../hooks';

/**
 * Where the need shows: "29 clusters on end-of-life Kubernetes → plan an upgrade", with the fleet page's current
 * filters and the end-of-life status as the rollout's selection (those 29 clusters, no others).
 */
export const PlanUpgradeBanner = ({
  endOfLife,
  filters,
}: {
  endOfLife: number;
  filters: URLSearchParams;
}) => {
  const routes = useFleetRoutes();
  if (endOfLife <= 0) return null;
  const params = new URLSearchParams(filters);
  params.set('versionSupport', 'end-of-life');
  const qs = params.toString();
  return (
    <Box mb={2}>
      <Alert
        severity="warning"
        action={
          <LinkButton
            to={`${routes.fleet()}/rollouts/new${qs ? `?${qs}` : ''}`}
            color="inherit"
            size="small"
            data-testid="plan-upgrade"
          >
            Plan an upgrade
          </LinkButton>
        }
      >
        {endOfLife} cluster{endOfLife === 1 ? '' : 's'} on end-of-life
        Kubernetes
      </Alert>
    </Box>
  );
};
