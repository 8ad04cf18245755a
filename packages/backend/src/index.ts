/*
 * The Shipyard portal backend (new backend system).
 */
import { createBackend } from '@backstage/backend-defaults';
import { rootHttpRouterServiceFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { withoutErrorStacks } from './modules/errorBodies';
import { portalDatabaseServiceFactory } from './modules/sqliteFiles';

const backend = createBackend();

// error bodies without stack traces, also in development mode (make start)
backend.add(
  rootHttpRouterServiceFactory({
    configure({ app, applyDefaults }) {
      app.use(withoutErrorStacks);
      applyDefaults();
    },
  }),
);

// SQLite files in write-ahead-log mode (make start): no fsync at every commit of the catalog's processing
backend.add(portalDatabaseServiceFactory);

backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));

// auth: the guest provider for local use
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

// catalog
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

// scaffolder
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@backstage/plugin-scaffolder-backend-module-github'));

// permissions, with the portal's policy
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('@shipyard/plugin-permission-backend-module-shipyard'));

// search (Lunr in memory on SQLite, PostgreSQL engine when the database is PostgreSQL)
backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-pg'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));
backend.add(import('@backstage/plugin-search-backend-module-techdocs'));
backend.add(import('@backstage/plugin-techdocs-backend'));

// kubernetes: every Shipyard cluster, with its credentials from its kubeconfig Secret (on the backend only)
backend.add(import('@backstage/plugin-kubernetes-backend'));
backend.add(import('@shipyard/plugin-kubernetes-backend-module-shipyard'));

// agents: the actions of the plugins in backend.actions.pluginSources as MCP tools (/api/mcp-actions/v1)
backend.add(import('@backstage/plugin-mcp-actions-backend'));

// user settings, notifications and signals
backend.add(import('@backstage/plugin-user-settings-backend'));
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

// Shipyard
backend.add(import('@shipyard/plugin-shipyard-backend'));
backend.add(import('@shipyard/plugin-catalog-backend-module-shipyard'));
backend.add(import('@shipyard/plugin-scaffolder-backend-module-shipyard'));

backend.start();
