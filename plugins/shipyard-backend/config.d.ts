import { HumanDuration } from '@backstage/types';

export interface Config {
  /** Shipyard fleet management. */
  shipyard?: {
    /** Entity ref of the group that runs the platform (owns management clusters, may do everything). */
    platformTeam?: string;

    /**
     * Management clusters whose Cluster API objects Shipyard lists and watches. More can be added by backend
     * modules through the `shipyard.sources` extension point.
     */
    managementClusters?: Array<{
      /** Unique, stable name (used in cluster keys, URLs and entity names): lowercase letters, digits and `-`. */
      name: string;
      /** Base URL of the Kubernetes API server. Not needed for `inCluster`, optional for `kubeconfig`. */
      url?: string;
      /** Base64-encoded PEM CA bundle that signs the API server certificate. */
      caData?: string;
      /** Path of a PEM CA bundle file. */
      caFile?: string;
      /** Skip TLS verification of the API server. Only for development; never the default. */
      skipTLSVerify?: boolean;
      /** How to authenticate. */
      auth:
        | {
            type: 'serviceAccountToken';
            /**
             * Bearer token of a service account allowed to get/list/watch Cluster API objects.
             * @visibility secret
             */
            token: string;
          }
        | {
            type: 'kubeconfig';
            /** Path of the kubeconfig file. */
            file: string;
            /** Context to use (default: the file's current context). */
            context?: string;
          }
        | {
            /** The service account of the pod the backend runs in. */
            type: 'inCluster';
          };
    }>;

    /** How the owner, system and lifecycle of a cluster are found. */
    ownership?: {
      /** Label or annotation keys on the CAPI Cluster naming the owning group, tried in order (default `shipyard.io/owner`). */
      ownerKeys?: string[];
      /** Label or annotation keys naming the system (default `shipyard.io/system`). */
      systemKeys?: string[];
      /** Label or annotation keys naming the lifecycle (default `shipyard.io/lifecycle`). */
      lifecycleKeys?: string[];
      /** Label or annotation keys naming the cluster profile (default `shipyard.io/profile`). */
      profileKeys?: string[];
      /** Label or annotation keys naming the profile version (default `shipyard.io/profile-version`). */
      profileVersionKeys?: string[];
      /**
       * Owner by namespace of the CAPI Cluster when no label or annotation names one. Keys are namespace names, or
       * `managementCluster/namespace` to apply to one management cluster only; values are group refs.
       */
      namespaceOwners?: { [namespace: string]: string };
      /** Owner of clusters that nothing else assigns (default: `shipyard.platformTeam`). */
      defaultOwner?: string;
    };

    /** Reconciliation of management clusters. */
    sync?: {
      /** Page size of list requests (default 500). */
      pageSize?: number;
      /** Server-side timeout of one watch request, in seconds (default 300). */
      watchTimeoutSeconds?: number;
      /** Deadline of one list or discovery request, body included, in milliseconds (default 30000). */
      requestTimeoutMs?: number;
      /** A response from a management cluster that sends nothing for this long fails, in milliseconds (default min(10000, requestTimeoutMs)). */
      idleTimeoutMs?: number;
      /** Largest response body, or single watch event, accepted from a management cluster, in bytes (default 67108864, 64 MiB). */
      maxResponseBytes?: number;
      /** A management cluster is marked stale after failing for this long, in milliseconds (default 30000). */
      staleAfterMs?: number;
      /**
       * How often the management API sends a bookmark on a quiet watch, in milliseconds (default 60000, as Kubernetes
       * API servers do; the fleet simulator sends one every 15000). A watch that sends no event or bookmark for twice
       * this long is failing.
       */
      bookmarkIntervalMs?: number;
      /**
       * A management cluster that has said nothing for this long (no event, bookmark or answer on any stream) is asked
       * for `/version`; no answer within the request's limits makes it failing since it was last heard, in
       * milliseconds (default 10000). With the defaults a partition makes it stale within about 30 to 45 seconds.
       */
      heartbeatMs?: number;
      /** Backoff on errors: first delay, maximum delay (milliseconds), full jitter. */
      backoff?: {
        initialDelayMs?: number;
        maxDelayMs?: number;
      };
      /** Delay of the write-behind persistence of summaries, in milliseconds (default 1000). */
      persistIntervalMs?: number;
      /**
       * How many worker threads read, parse and project the pages of the management clusters' lists (a cold sync's
       * and every relist's), beside the backend's thread, which applies what they send (default 0: the backend's
       * thread reads the lists).
       */
      listWorkers?: number;
      /**
       * Whether a worker thread reads the watches of the management clusters, parses their events and projects their
       * objects, beside the backend's thread, which applies what it sends (default true; false: the backend's thread
       * reads the watches).
       */
      watchWorker?: boolean;
      /**
       * How many kinds of one management cluster are listed at once, in a cold sync and in every relist (default 4).
       * Every kind's list at the same moment can be more than a busy API server answers within `requestTimeoutMs`;
       * then they would all fail, and retry, together.
       */
      listConcurrency?: number;
    };

    /**
     * The SIG-Multicluster cluster inventory API (`multicluster.x-k8s.io/v1alpha1` `ClusterProfile`, KEP-4322):
     * "inventory ClusterProfiles", one per cluster, which Argo CD, Kueue, multicluster-runtime and others read. Not
     * Shipyard's catalog kind `ClusterProfile`.
     */
    inventory?: {
      /** Shipyard's name as a cluster manager: `spec.clusterManager.name` and label `x-k8s.io/cluster-manager` (default `shipyard`). */
      clusterManager?: string;
      /** Publish one inventory ClusterProfile per Cluster API cluster of the fleet. */
      publish?: {
        /** The management cluster (by its name in `managementClusters`) whose API holds the inventory namespace. */
        managementCluster: string;
        /** The inventory namespace; it must exist. */
        namespace: string;
        /** The access provider written into `status.accessProviders` (default `kubeconfig-secretreader`). */
        accessProvider?: string;
        /** How often the published objects are compared with the fleet and repaired, in seconds (default 300). */
        resyncIntervalSeconds?: number;
        /** Writes in flight at once (default 8). */
        concurrency?: number;
      };
      /**
       * Read the inventory ClusterProfiles other cluster managers publish: each becomes a cluster of the fleet (origin
       * `inventory`, key `<name>/<namespace>/<object name>`), probed through the kubeconfig Secret its access provider
       * names (`client.authentication.k8s.io/exec` extension with `name`, `key`, `namespace`) when there is one, and a
       * catalog entity. Objects of `clusterManager` (Shipyard's own) are skipped.
       */
      consume?: Array<{
        /** The source's name: the `managementCluster` part of its clusters' keys (not a management cluster's name). */
        name: string;
        /** The management cluster (by its name in `managementClusters`) whose API holds the inventory ClusterProfiles. */
        managementCluster: string;
        /** The namespace to read (default: all namespaces). */
        namespace?: string;
      }>;
    };

    /** The audit trail of cluster requests, upgrades and refusals (`GET /api/shipyard/audit`). */
    audit?: {
      /** Records older than this many days are deleted by a scheduled cleanup (default 365). */
      retentionDays?: number;
    };

    /** Day-2 operations on one cluster (pause/resume, resize, decommission, profile version). */
    operations?: {
      /** How often the backend looks for expired pauses to resume (ms, default 30000). */
      pauseExpiryCheckMs?: number;
      /** How often resizes and decommissions are checked against the fleet until done (ms, default 5000). */
      trackIntervalMs?: number;
      /** A resize not settled after this long is audited as stalled (ms, default 20 minutes). */
      scaleDeadlineMs?: number;
      /** A decommission not confirmed by Cluster API after this long is audited as stalled (ms, default 1 hour). */
      deleteDeadlineMs?: number;
      /** A move to a newer profile version not rolled out after this long is audited as stalled (ms, default 1 hour). */
      updateDeadlineMs?: number;
      /** Most worker replicas of one pool of a cluster whose profile has no sizes (default 100). */
      maxWorkerReplicas?: number;
      /**
       * Most machines a team may own across the fleet: `default`, and per owner entity ref. A resize that would
       * exceed it is refused. Absent: no quota.
       */
      machineQuota?: {
        default?: number;
        teams?: Array<{ owner: string; machines: number }>;
      };
      /**
       * How the decommission of a `lifecycle: production` cluster is guarded. `approval` (default): a second person
       * of the platform team, not the one who asked, approves it; a request not approved within
       * `approvalTimeoutMs` (default 7 days) lapses. `delay`: the deletion starts `delayMs` (default 24 hours) after
       * the request unless it is cancelled meanwhile; a second person of the platform team may approve it sooner.
       */
      productionDecommission?: {
        guard?: 'approval' | 'delay';
        delayMs?: number;
        approvalTimeoutMs?: number;
      };
    };

    /** Drift: every cluster compared with the version of its cluster profile. */
    drift?: {
      /** Seconds between reads of the cluster profiles from the catalog (default 30). */
      profileRefreshSeconds?: number;
    };

    /**
     * Availability objectives and error budgets, computed from the health history. A cluster's objective is its
     * `shipyard.io/availability-objective` annotation (`99.95/30d`), else the first class that selects it, else
     * `default`.
     */
    objectives?: {
      /** Whether objectives are computed (default true). */
      enabled?: boolean;
      /**
       * Classes of service, the first matching one applies (default: `production` lifecycle 99.9 % over 30 days).
       * Every listed criterion must match.
       */
      classes?: Array<{
        /** Lowercase name of the class. */
        name: string;
        /** Lifecycles (`shipyard.io/lifecycle`) the class selects; absent: any. */
        lifecycles?: string[];
        /** Cluster profiles the class selects; absent: any. */
        profiles?: string[];
        /** Target availability in percent (e.g. 99.9). */
        target: number;
        /** Rolling window in days (1 to 90). */
        windowDays: number;
      }>;
      /** The objective of clusters no class selects (default 99 % over 7 days); `false`: they have none. */
      default?: false | { target: number; windowDays: number };
      /**
       * Health statuses that spend the error budget (default `unhealthy` and `unknown`; add `degraded` to count it).
       * `unknown` time not listed here is left out rather than counted good.
       */
      badStates?: Array<'progressing' | 'degraded' | 'unhealthy' | 'unknown'>;
      /** Whether maintenance (a rollout step in progress, a paused cluster) is left out (default true). */
      excludeMaintenance?: boolean;
      /**
       * Multiwindow burn-rate alert conditions that replace the default four (fast-1h: 2 % of the budget in 1 h and
       * 5 min, fast-6h: 5 % in 6 h and 30 min, both `page`; slow-1d: 10 % in 1 d and 2 h, slow-3d: 10 % in 3 d and
       * 6 h, both `ticket`). A condition fires while both lookbacks burn faster than `budgetPercent` of the window's
       * budget per long lookback (at least 1×); a `page` condition that starts notifies the owning team.
       */
      burnRateAlerts?: Array<{
        /** Lowercase name of the condition. */
        name: string;
        severity: 'page' | 'ticket';
        /** The long lookback (ISO 8601 duration such as PT1H, or an object such as { hours: 1 }). */
        longWindow: string | HumanDuration;
        /** The short lookback, shorter than the long one. */
        shortWindow: string | HumanDuration;
        /** Share of the window's budget, in percent, the long lookback spends at the threshold. */
        budgetPercent: number;
      }>;
    };

    /** Fleet rollouts (`/api/shipyard/rollouts`). */
    rollouts?: {
      /** Seconds between rounds of the rollout executor (a `global` scheduled task; default 2). */
      tickSeconds?: number;
      /** Seconds a cluster may stay unhealthy during its upgrade step before it counts as failed (default 60). */
      unhealthyGraceSeconds?: number;
    };

    /** The live event stream `GET /api/shipyard/events`. */
    events?: {
      /** Most open streams of the backend; more are answered with 429 (default 1000). */
      maxStreams?: number;
      /** Most open streams of one user or service; more are answered with 429 (default 10). */
      maxStreamsPerUser?: number;
      /** How often an open stream re-checks its permission decision, so that a change of policy reaches it, in milliseconds (default 30000). */
      permissionRecheckMs?: number;
    };

    /** Health aggregation: probes of the workload clusters, version support, history. */
    /**
     * Kubernetes version lifecycle: the support calendars of `plugins/shipyard-common/src/data/version-support.json`,
     * corrected by configuration.
     */
    versionSupport?: {
      /** Days before the end of (free) support that count as nearing it (default 90). */
      nearingEndOfLifeDays?: number;
      /**
       * Corrections by distribution (`upstream` for Kubernetes itself) and minor; they win over the data file and over
       * refreshed calendars. Dates are days (YYYY-MM-DD); an end date is the last day of its phase.
       */
      overrides?: {
        [distribution: string]: {
          [minor: string]: {
            releaseDate?: string;
            maintenanceFrom?: string;
            endOfStandardSupport?: string;
            endOfExtendedSupport?: string;
            extendedSupportCharged?: boolean;
            /** Last day of any support (moves the end of extended support when there is one, else of standard support). */
            endOfLife?: string;
            note?: string;
          };
        };
      };
      /**
       * Whether clusters of a distribution are enrolled in its extended support by default (AKS LTS and the GKE
       * Extended channel are opt-in; EKS extended support is on unless disabled). A cluster's
       * `shipyard.io/extended-support` label (`true`/`false`) wins: `{ aks: true }`.
       */
      extendedSupport?: { [distribution: string]: boolean };
      /**
       * Refresh of the calendars without a release, from sources in the endoflife.date v1 product format (a `global`
       * scheduled task; what it reads is kept in the database for every replica, the data file stays the fallback,
       * overrides stay on top). Off by default.
       */
      refresh?: {
        /** Default false. */
        enabled?: boolean;
        /** How often the sources are read (default `{ hours: 24 }`). */
        frequency?: HumanDuration | string;
        /** Delay of the first refresh after start, in milliseconds (default 60000). */
        initialDelayMs?: number;
        /** Deadline of one request, in milliseconds (default 15000). */
        timeoutMs?: number;
        /** Largest answer read, in bytes (default 4 MiB). */
        maxBytes?: number;
        /** How often each replica reads the refreshed calendars from the database, in milliseconds (default 300000). */
        reloadIntervalMs?: number;
        /**
         * Where the products live when `sources` is not set: upstream, EKS, AKS, GKE and OpenShift are read from
         * `<baseUrl>/kubernetes`, `/amazon-eks`, `/azure-kubernetes-service`, `/google-kubernetes-engine` and
         * `/red-hat-openshift` (default `https://endoflife.date/api/v1/products`).
         */
        baseUrl?: string;
        /** The URL per distribution (`upstream` for Kubernetes itself); replaces the defaults of `baseUrl`. */
        sources?: {
          [distribution: string]:
            | string
            | {
                url: string;
                /** Whether extended support costs extra (the format does not say; default: as the data file says). */
                extendedSupportCharged?: boolean;
              };
        };
      };
    };
    health?: {
      /** Whether workload clusters are probed (default true). Cluster API health and history work without. */
      enabled?: boolean;
      /** Time between probe rounds, in milliseconds (default 60000). One replica probes per round. */
      intervalMs?: number;
      /**
       * Longest a round may run, in milliseconds (default max(300000, 5 × intervalMs, 10 × timeoutMs); at least
       * timeoutMs): the claim of the replica that probes it lasts this long. A round still running then starts no
       * more probes (the next begins with the clusters it did not reach).
       */
      roundTimeoutMs?: number;
      /** Delay of the first round after start, in milliseconds (default 5000). */
      initialDelayMs?: number;
      /** Clusters probed at once (default 128). */
      concurrency?: number;
      /** Deadline of the whole probe of one cluster, in milliseconds (default 5000). */
      timeoutMs?: number;
      /** A probe running longer than this stops holding a concurrency slot, in milliseconds (default 1000). */
      stallAfterMs?: number;
      /** Most probes in flight at once, stalled ones included (default max(1024, 4 × concurrency)). */
      maxInFlight?: number;
      /** A probe slower than this makes the cluster degraded, in milliseconds (default 2000, at most timeoutMs/2). */
      slowThresholdMs?: number;
      /** Failed probes in a row before an unreachable cluster is unhealthy rather than degraded (default 2). */
      failureThreshold?: number;
      /**
       * How long a cluster that Cluster API reports scaling or rolling out (RollingOut, ScalingUp, ScalingDown) is
       * `progressing` rather than `degraded` while replicas are missing, in ms (default 600000).
       */
      progressingGraceMs?: number;
      /** Longest backoff between probes of a cluster that keeps failing, in milliseconds (default 900000). */
      maxBackoffMs?: number;
      /** Idle keep-alive connections to a workload cluster close after this long, in milliseconds (default 150000). */
      keepAliveMs?: number;
      /**
       * Most connections to workload clusters open at once before a probe's connection is closed at its end instead
       * of kept for the next round: each is a file descriptor, and a fleet larger than the process may open files for
       * reconnects beyond it rather than failing probes (default 70 % of the process's open files limit).
       */
      maxConnections?: number;
      /**
       * Share of one core the probes may keep their worker thread busy, on average over the probe interval (default
       * 0.5; 1: not paced): a round runs at full speed while its busy time fits `cpuBudget × intervalMs`. A round whose
       * probes would take more starts its next probes later, so a large fleet's round on a busy replica takes longer
       * instead of starving its requests, catalog and watches. Probes on the backend's thread (`probeWorker: false`)
       * are not paced.
       */
      cpuBudget?: number;
      /** Most nodes read per cluster (default 5000). */
      maxNodes?: number;
      /** Whether kube-system pods are checked (default true). */
      kubeSystemChecks?: boolean;
      /**
       * Whether probes run in a worker thread (default true): the connections to workload clusters, their TLS
       * handshakes, requests and the parsing of the answers stay off the thread that serves requests. Credentials stay
       * in the backend process either way.
       */
      probeWorker?: boolean;
      /** How often replicas read probe results from the database, in milliseconds (default 15000). */
      refreshIntervalMs?: number;
      /** Probe results older than this are ignored, in milliseconds (default max(300000, 3 × intervalMs)). */
      resultsStaleAfterMs?: number;
      /** How often kubeconfig Secrets are re-read, in milliseconds (default 600000). */
      credentialsRefreshMs?: number;
      /** Health history. */
      history?: {
        /**
         * Transitions older than this are deleted, in days (default 90, the longest objective window); each
         * cluster's status at the start of the kept history stays.
         */
        retentionDays?: number;
        /**
         * Most transitions kept per cluster (default 20000): a bound against a cluster that flaps for days; the
         * oldest go first.
         */
        maxEntriesPerCluster?: number;
        /**
         * History older than this, in days, is downsampled (default 7, longer than the longest default burn-rate
         * lookback of 3 days): see `downsampleMinutes`.
         */
        downsampleAfterDays?: number;
        /**
         * Bucket of the downsampled history, in minutes (default 60; 0: no downsampling). Within a bucket every state
         * keeps its exact time, as one step per state.
         */
        downsampleMinutes?: number;
        /** How often the history is pruned and downsampled, in minutes (default 60). */
        housekeepingIntervalMinutes?: number;
      };
      /**
       * The older form of `shipyard.versionSupport` (still read; `shipyard.versionSupport` wins where both set a minor).
       */
      versionSupport?: {
        /** Days before the end of support that count as nearing it (default 90). */
        nearingEndOfLifeDays?: number;
        /** Last day of support (YYYY-MM-DD) of upstream minors: `{ "1.37": "2027-10-28" }`. */
        endOfLife?: { [minor: string]: string };
        /** Last day of support by distribution and minor: `{ eks: { "1.30": "2026-07-23" } }`. */
        distributions?: { [distribution: string]: { [minor: string]: string } };
      };
    };
  };
}
