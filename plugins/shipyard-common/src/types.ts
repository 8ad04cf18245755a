/*
 * REST API types of the Shipyard backend (`/api/shipyard`), by subject.
 */
export * from './types/cluster';
export * from './types/fleetQueries';
export * from './types/managementClusters';
export * from './types/details';
