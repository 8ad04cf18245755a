import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  shipyard?: {
    /**
     * Entity ref of the group that runs the platform. Owns management clusters and generated cluster profiles unless
     * configured otherwise below.
     */
    platformTeam?: string;
  };

  catalog?: {
    providers?: {
      /** Shipyard's entity providers: clusters, management clusters and cluster profiles from the fleet. */
      shipyard?: {
        /** Catalog namespace of the entities Shipyard writes (default `default`). */
        entityNamespace?: string;
        /**
         * Base URL of the portal, for links to the cluster pages (default `app.baseUrl`). A cluster links to
         * `<portalBaseUrl>/shipyard/clusters/<managementCluster>/<namespace>/<name>`.
         */
        portalBaseUrl?: string;
        /** Timeout of one request to the Shipyard backend, in milliseconds (default 30000). */
        requestTimeoutMs?: number;
        /**
         * A full sync that makes no progress for this long (no page read, no mutation written) is given up and tried
         * again after a backoff, in milliseconds (default 180000).
         */
        stallTimeoutMs?: number;

        /** Workload clusters → `Resource` entities of type `kubernetes-cluster`. */
        clusters?: {
          /** Schedule of the full sync (default: every 10 minutes, 5 minute timeout, first run after 15 seconds). */
          schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
          /** Page size of the paged reads of `GET /api/shipyard/clusters` (1–500, default 500). */
          pageSize?: number;
          /**
           * A change event touching more clusters than this triggers a full sync instead of per-cluster reads
           * (default 100).
           */
          deltaFetchLimit?: number;
          /** Lifecycle of clusters whose lifecycle is unknown. When absent, such entities have no lifecycle. */
          defaultLifecycle?: string;
          /**
           * Extra links of every cluster entity (dashboards, logs, cost). `url` and `title` are templates: `{{managementCluster}}`,
           * `{{namespace}}`, `{{name}}`, `{{uid}}`, `{{provider}}`, `{{distribution}}`, `{{owner}}` are replaced by
           * URL-encoded values. A link whose template names a value the cluster does not have is left out.
           */
          links?: Array<{
            title: string;
            url: string;
            /** Backstage icon id, e.g. `dashboard`. */
            icon?: string;
            type?: string;
          }>;
          /**
           * The `kubernetes.io/*` annotations that Backstage's Kubernetes plugin reads (catalog cluster locator). Only
           * the API server URL and non-secret settings are published, never a credential; URLs with user info or
           * query strings are not published.
           */
          locatorAnnotations?: {
            /** Publish `kubernetes.io/api-server` (default true). */
            enabled?: boolean;
            /** Value of `kubernetes.io/auth-provider` (e.g. `oidc`, `aws`, `google`); omitted when absent. */
            authProvider?: string;
            /** Value of `kubernetes.io/oidc-token-provider`, for `authProvider: oidc`. */
            oidcTokenProvider?: string;
            /** Set `kubernetes.io/skip-metrics-lookup`. */
            skipMetricsLookup?: boolean;
            /** Template of `kubernetes.io/dashboard-url` (same placeholders as `links`). */
            dashboardUrl?: string;
          };
        };

        /** Management clusters → `Resource` entities. */
        managementClusters?: {
          /** `spec.type` (default `kubernetes-management-cluster`). */
          type?: string;
          /** Owner (default `shipyard.platformTeam`, else `group:default/platform-team`). */
          owner?: string;
          /** System entity ref of the management clusters. */
          system?: string;
          /** Lifecycle (default `production`). */
          lifecycle?: string;
        };

        /** Cluster profiles generated from the ClusterClasses of the management clusters. */
        profiles?: {
          /** Schedule of the full sync (default: every 10 minutes, 5 minute timeout, first run after 15 seconds). */
          schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
          /** Generate profiles from ClusterClasses (default true). */
          enabled?: boolean;
          /** Owner of generated profiles (default: the platform team). */
          owner?: string;
          /** Lifecycle of generated profiles (default `experimental`). */
          lifecycle?: string;
          /** Groups that may request clusters from generated profiles (default: the owner only). */
          allowedGroups?: string[];
          /** Kubernetes versions of generated profiles whose ClusterClass does not list any. */
          kubernetesVersions?: string[];
          /** Sizes of generated profiles (default `small`, `medium`, `large`). */
          sizes?: {
            [name: string]: {
              title?: string;
              controlPlaneReplicas: number;
              workerReplicas: number;
              machineClass?: string;
            };
          };
        };
      };
    };
  };
}
