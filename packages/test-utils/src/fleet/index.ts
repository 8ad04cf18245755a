/** Reading the simulated fleet directly: its Kubernetes APIs and its credentials. */
export { SimKube } from './simKube';
export type { SimKubeTarget } from './simKube';
export { fleetCredentials } from './secrets';
