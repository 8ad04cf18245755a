import { Route, Routes } from 'react-router-dom';
import { ClusterPage } from '../ClusterPage';
import { FleetOverview } from './FleetOverview';

/** The fleet page (`/shipyard`) and the cluster pages below it. */
export const FleetPage = () => (
  <Routes>
    <Route path="/" element={<FleetOverview />} />
    <Route
      path="/clusters/:managementCluster/:namespace/:name"
      element={<ClusterPage />}
    />
  </Routes>
);
