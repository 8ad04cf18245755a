export interface Config {
  shipyard?: {
    /** Entity ref of the platform team: may request from every profile, for every team, and upgrade every cluster. */
    platformTeam?: string;

    /** How many clusters each team may own, counted from the fleet index (all management clusters). */
    quotas?: {
      /** Limit of teams without their own entry. Unlimited when absent. */
      defaultMaxClusters?: number;
      /** Per-team limits. */
      teams?: Array<{
        /** Entity ref of the group (`group:default/team-a`). */
        team: string;
        maxClusters: number;
      }>;
    };

    /** Cluster requests made through the scaffolder (`shipyard:cluster:*` actions). */
    requests?: {
      /**
       * Namespace of a requested cluster when the request names none. `{team}` is replaced by the owner group's
       * name (`group:default/team-a` → `team-a`), `{namespace}` by its entity namespace. Default `{team}`.
       */
      namespaceTemplate?: string;
      /** Base URL of the portal, for links to the cluster page (default `app.baseUrl`). */
      portalBaseUrl?: string;
      /** Field manager of server-side apply (default `shipyard`). */
      fieldManager?: string;
      /** Timeout of one request to a management cluster, in milliseconds (default 15000). */
      requestTimeoutMs?: number;
    };
  };
}
