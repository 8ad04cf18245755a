import {
  Content,
  EmptyState,
  LinkButton,
  Progress,
} from '@backstage/core-components';
import { lazy, ReactNode, Suspense } from 'react';
import { Route, Routes } from 'react-router-dom';
import { useFleetRoutes } from '../../hooks';
import { FleetOverview } from './FleetOverview';

// The pages below the fleet page load with their first visit: the fleet page's own code is what its first paint waits for.
const ClusterPage = lazy(() =>
  import('../ClusterPage').then(m => ({ default: m.ClusterPage })),
);
const AuditPage = lazy(() =>
  import('../AuditPage').then(m => ({ default: m.AuditPage })),
);
const RolloutsPage = lazy(() =>
  import('../Rollouts').then(m => ({ default: m.RolloutsPage })),
);

const Loading = (props: { children: ReactNode }) => (
  <Suspense fallback={<Progress />}>{props.children}</Suspense>
);

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
      element={
        <Loading>
          <ClusterPage />
        </Loading>
      }
    />
    <Route
      path="/audit"
      element={
        <Loading>
          <AuditPage />
        </Loading>
      }
    />
    <Route
      path="/rollouts/*"
      element={
        <Loading>
          <RolloutsPage />
        </Loading>
      }
    />
    <Route path="*" element={<ShipyardNotFound />} />
  </Routes>
);
