/**
 * The Backstage Kubernetes plugin on every Shipyard cluster: a cluster supplier listing the fleet and the `shipyard`
 * auth strategy, which resolves each cluster's credentials on the backend from its Cluster API kubeconfig Secret.
 *
 * @packageDocumentation
 */
export { kubernetesModuleShipyard as default } from './module';
export {
  SHIPYARD_AUTH_PROVIDER,
  SHIPYARD_CLUSTER_METADATA,
} from './ShipyardClusterSupplier';
