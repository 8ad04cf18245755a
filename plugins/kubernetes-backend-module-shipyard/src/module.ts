import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  kubernetesAuthStrategyExtensionPoint,
  kubernetesClusterSupplierExtensionPoint,
} from '@backstage/plugin-kubernetes-node';
import { readManagementClustersConfig } from '@shipyard/plugin-shipyard-node';
import { KubeconfigSecrets } from './KubeconfigSecrets';
import {
  SHIPYARD_AUTH_PROVIDER,
  ShipyardAuthStrategy,
  ShipyardClusterSupplier,
} from './ShipyardClusterSupplier';

/**
 * Kubernetes backend module: the plugin's clusters are Shipyard's (no `kubernetes.clusterLocatorMethods` entry per
 * cluster), and their credentials come from each cluster's Cluster API kubeconfig Secret, on the backend only.
 * `shipyard.kubernetes.refreshSeconds` (default 30) is how long the list of clusters and the read Secrets are reused.
 */
export const kubernetesModuleShipyard = createBackendModule({
  pluginId: 'kubernetes',
  moduleId: 'shipyard',
  register(env) {
    env.registerInit({
      deps: {
        clusterSupplier: kubernetesClusterSupplierExtensionPoint,
        authStrategy: kubernetesAuthStrategyExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        lifecycle: coreServices.lifecycle,
      },
      async init({
        clusterSupplier,
        authStrategy,
        config,
        logger,
        discovery,
        auth,
        lifecycle,
      }) {
        const refreshMs =
          (config.getOptionalNumber('shipyard.kubernetes.refreshSeconds') ??
            30) * 1000;
        const secrets = new KubeconfigSecrets({
          managementClusters: readManagementClustersConfig(config),
          logger,
          refreshMs,
        });
        lifecycle.addShutdownHook(() => secrets.close());
        clusterSupplier.addClusterSupplier(
          new ShipyardClusterSupplier({
            discovery,
            auth,
            logger,
            secrets,
            refreshMs,
          }),
        );
        authStrategy.addAuthStrategy(
          SHIPYARD_AUTH_PROVIDER,
          new ShipyardAuthStrategy(secrets),
        );
      },
    });
  },
});
