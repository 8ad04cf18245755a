import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  actionsRegistryServiceRef,
  metricsServiceRef,
} from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { ClusterKey } from '@shipyard/plugin-shipyard-common';
import {
  clusterEntityRef,
  readCatalogEntityNamespace,
  readManagementClustersConfig,
} from '@shipyard/plugin-shipyard-node';
import { RolloutsClient } from './rollouts/RolloutsClient';
import { createShipyardActions } from './actions';
import { clusterPagePath } from './actions/createCluster';
import { registerRequestClusterAction } from './actions/requestClusterAction';
import { readShipyardRequestsConfig } from './config';
import { RequestAccess } from './service/access';
import { ClusterAuditRecorder } from './service/audit';
import { ClusterOperationsClient } from './operations/ClusterOperationsClient';
import { createValidationRouter } from './router/validationRouter';
import { ClusterRequestService } from './service/ClusterRequestService';
import { ManagementClusterConnections } from './service/ManagementClusterConnections';
import { ShipyardBackendClient } from './service/ShipyardBackendClient';

/** Scaffolder module: actions that request, wait for and upgrade clusters. */
export const scaffolderModuleShipyard = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'shipyard',
  register(env) {
    env.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        permissions: coreServices.permissions,
        userInfo: coreServices.userInfo,
        auditor: coreServices.auditor,
        metrics: metricsServiceRef,
        lifecycle: coreServices.lifecycle,
        catalog: catalogServiceRef,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        actionsRegistry: actionsRegistryServiceRef,
      },
      async init({
        scaffolder,
        config,
        logger,
        auth,
        discovery,
        permissions,
        userInfo,
        auditor,
        metrics,
        lifecycle,
        catalog,
        httpRouter,
        httpAuth,
        actionsRegistry,
      }) {
        const requestsConfig = readShipyardRequestsConfig(config);
        const entityNamespace = readCatalogEntityNamespace(config);
        const connections = new ManagementClusterConnections(
          readManagementClustersConfig(config),
          { logger, requestTimeoutMs: requestsConfig.requestTimeoutMs },
        );
        lifecycle.addShutdownHook(() => connections.close());
        const backend = new ShipyardBackendClient({ discovery, auth });
        const requests = new ClusterRequestService({
          config: requestsConfig,
          backend,
          catalog,
          access: new RequestAccess({
            permissions,
            userInfo,
            platformTeam: requestsConfig.platformTeam,
          }),
          managementCluster: name => connections.get(name),
          logger,
        });
        // the request form's pre-submit checks: /api/scaffolder/shipyard/cluster-requests/validate
        httpRouter.use(createValidationRouter({ requests, httpAuth }));
        const audit = new ClusterAuditRecorder({
          auditor,
          backend,
          logger,
          metrics,
        });
        const entityRefOf = (key: ClusterKey) =>
          clusterEntityRef(entityNamespace, key);
        // the request for agents (Backstage's actions registry, exposed by the MCP actions backend)
        registerRequestClusterAction(actionsRegistry, {
          requests,
          audit,
          entityRefOf,
        });
        scaffolder.addActions(
          ...createShipyardActions({
            requests,
            audit,
            operations: new ClusterOperationsClient({ discovery, auth }),
            rollouts: new RolloutsClient({ discovery, auth }),
            entityRefOf,
            clusterUrlOf: key =>
              requestsConfig.portalBaseUrl
                ? `${requestsConfig.portalBaseUrl}${clusterPagePath(key)}`
                : undefined,
          }),
        );
      },
    });
  },
});
