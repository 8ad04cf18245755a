export * from './cluster';
export * from './fleetQueries';
export * from './managementClusters';
export * from './details';
