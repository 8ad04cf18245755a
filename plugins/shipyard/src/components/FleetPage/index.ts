export { FleetPage } from './FleetPage';
export { FleetOverview } from './FleetOverview';
