export { createManagementClusterConnection as createConnection } from '@shipyard/plugin-shipyard-node';
