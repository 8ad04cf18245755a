import { Content, EmptyState, LinkButton } from '@backstage/core-components';
import { Route, Routes } from 'react-router-dom';
import { useFleetRoutes } from '../../hooks';
import { AuditPage } from '../AuditPage';
import { ClusterPage } from '../ClusterPage';
import { RolloutsPage } from '../Rollouts';
import { FleetOverview } from './FleetOverview';

/** What an unknown path below the fleet page shows. */
export const ShipyardNotFound = () => {
  const routes = useFleetRoutes();
  return (
    <Content>
      <EmptyState
        missing="content"
        title="Page not found"
        description="There is no such page in Shipyard. The link may be outdated, or the cluster's address mistyped."
        action={
          <LinkButton to={routes.fleet()} variant="contained" color="primary">
            Back to the fleet
          </LinkButton>
        }
      />
    </Content>
  );
};

/** The fleet page (`/shipyard`), the cluster pages, the rollouts and the audit trail below it, and a not-found page for any other path. */
export const FleetPage = () => (
  <Routes>
    <Route path="/" element={<FleetOverview />} />
    <Route
      path="/clusters/:managementCluster/:namespace/:name"
      element={<ClusterPage />}
    />
    <Route path="/audit" element={<AuditPage />} />
    <Route path="/rollouts/*" element={<RolloutsPage />} />
    <Route path="*" element={<ShipyardNotFound />} />
  </Routes>
);
