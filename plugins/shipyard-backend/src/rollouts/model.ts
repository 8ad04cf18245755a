/*
 * A fleet rollout: a target (a Kubernetes version, or a profile version), a selection of clusters with the fleet
 * page's filters, and ordered stages, each with its concurrency, soak time, failure budget and gates (approval by
 * named groups, weekly maintenance windows). The request is checked here with zod, before anything is planned or
 * stored; the planner turns it into a plan (stages with clusters and their chained steps), the executor into state.
 */
import { InputError } from '@backstage/errors';
import {
  HEALTH_STATUSES,
  HealthStatus,
  VERSION_SUPPORT_STATUSES,
  VersionSupportStatus,
} from '@shipyard/plugin-shipyard-common';
import { IANAZone } from 'luxon';
import semver from 'semver';
import { z } from 'zod';

const list = z
  .union([z.string().min(1).max(253), z.array(z.string().min(1).max(253))])
  .transform(v => (Array.isArray(v) ? v : [v]))
  .pipe(z.array(z.string()).min(1).max(100));

const KUBERNETES_VERSION = /^v?\d+\.\d+(\.\d+)?$/;

/**
 * Clusters behind a version: on a profile version (semver) or a Kubernetes version lower than the one named. With
 * `profile`, "every cluster of profile X behind version Y". A cluster without the version is not behind it. New
 * criteria of this kind are added here as further optional fields, so that selections stay one shape.
 */
export const behindSelectorSchema = z
  .object({
    profileVersion: z
      .string()
      .refine(v => semver.valid(v) !== null, 'must be a semantic version')
      .optional(),
    kubernetesVersion: z
      .string()
      .regex(
        KUBERNETES_VERSION,
        'must be a Kubernetes version (v1.34 or v1.34.2)',
      )
      .optional(),
  })
  .strict()
  .refine(
    b => b.profileVersion !== undefined || b.kubernetesVersion !== undefined,
    'must name a profileVersion or a kubernetesVersion',
  );
export type BehindSelector = z.infer<typeof behindSelectorSchema>;

/**
 * A selection of clusters with the fleet page's filters (each an OR of values; filters AND, version support
 * included), plus `lifecycle`, explicit clusters, and clusters behind a version.
 */
export const clusterSelectorSchema = z
  .object({
    owner: list.optional(),
    profile: list.optional(),
    provider: list.optional(),
    distribution: list.optional(),
    kubernetesMinor: list.optional(),
    health: list
      .pipe(
        z.array(z.enum(HEALTH_STATUSES as [HealthStatus, ...HealthStatus[]])),
      )
      .optional(),
    managementCluster: list.optional(),
    lifecycle: list.optional(),
    /** The support status of the cluster's Kubernetes version (`end-of-life`), as the fleet page filters it. */
    versionSupport: list
      .pipe(
        z.array(
          z.enum(
            VERSION_SUPPORT_STATUSES as [
              VersionSupportStatus,
              ...VersionSupportStatus[],
            ],
          ),
        ),
      )
      .optional(),
    label: list
      .pipe(
        z.array(
          z
            .string()
            .regex(
              /^[A-Za-z0-9./_-]+(=[A-Za-z0-9._-]*)?$/,
              'must be a label key or key=value',
            ),
        ),
      )
      .optional(),
    /** Explicit clusters, as `managementCluster/namespace/name`. */
    cluster: list
      .pipe(
        z.array(
          z
            .string()
            .regex(/^[^/\s]+\/[^/\s]+\/[^/\s]+$/, 'must be mc/namespace/name'),
        ),
      )
      .optional(),
    behind: behindSelectorSchema.optional(),
  })
  .strict();
export type ClusterSelector = z.infer<typeof clusterSelectorSchema>;

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** A weekly maintenance window: on these days, from `start` for `durationMinutes`, in `timeZone`. */
export const maintenanceWindowSchema = z
  .object({
    days: z.array(z.enum(WEEKDAYS)).min(1).max(7),
    start: z.string().regex(TIME, 'must be HH:MM (24 h)'),
    durationMinutes: z
      .number()
      .int()
      .min(15)
      .max(7 * 24 * 60),
    timeZone: z
      .string()
      .max(64)
      .refine(zone => IANAZone.isValidZone(zone), 'must be an IANA time zone'),
    /** Only for clusters of these owners or profiles (a team's or a profile's window); all clusters without. */
    owner: list.optional(),
    profile: list.optional(),
  })
  .strict();
export type MaintenanceWindow = z.infer<typeof maintenanceWindowSchema>;

/** A concurrency: a number of clusters, or a percentage of the stage (`25%`). */
const concurrencySchema = z.union([
  z.number().int().min(1).max(1000),
  z
    .string()
    .regex(/^(100|[1-9]\d?)%$/, 'must be a number or a percentage (1%-100%)'),
]);

export const stageSpecSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/, 'must be a short name'),
    /** The clusters of the rollout this stage takes (not taken by an earlier stage); all the rest without. */
    selector: clusterSelectorSchema.optional(),
    /** At most this many clusters (the first ones by name: canaries). */
    maxClusters: z.number().int().min(1).max(10000).optional(),
    concurrency: concurrencySchema.default(1),
    /** Seconds to wait after the last cluster of the stage is healthy on the target. */
    soakSeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 86400)
      .default(0),
    /** The stage halts when more than this many clusters fail. */
    failureBudget: z.number().int().min(0).max(10000).default(0),
    /** A cluster step fails when it is not rolled out and healthy after this long. */
    stepTimeoutSeconds: z.number().int().min(10).max(86400).default(3600),
    /** Groups (entity refs) one of whose members must approve before the stage starts. */
    approval: z
      .object({ groups: z.array(z.string().min(1).max(255)).min(1).max(20) })
      .strict()
      .optional(),
    /** No cluster starts an upgrade outside these windows. */
    maintenanceWindows: z.array(maintenanceWindowSchema).max(20).optional(),
  })
  .strict();
export type StageSpec = z.infer<typeof stageSpecSchema>;
export type StageSpecInput = z.input<typeof stageSpecSchema>;

export const rolloutTargetSchema = z.union([
  z
    .object({
      kubernetesVersion: z
        .string()
        .regex(
          KUBERNETES_VERSION,
          'must be a Kubernetes version (v1.34 or v1.34.2)',
        ),
    })
    .strict(),
  z
    .object({
      profile: z.string().min(1).max(253),
      profileVersion: z
        .string()
        .refine(v => semver.valid(v) !== null, 'must be a semantic version'),
    })
    .strict(),
]);
export type RolloutTarget = z.infer<typeof rolloutTargetSchema>;

export const rolloutSpecSchema = z
  .object({
    name: z.string().min(1).max(100),
    description: z.string().max(2000).optional(),
    target: rolloutTargetSchema,
    selector: clusterSelectorSchema.default({}),
    stages: z.array(stageSpecSchema).min(1).max(20),
  })
  .strict()
  .superRefine((spec, ctx) => {
    const names = new Set<string>();
    spec.stages.forEach((stage, i) => {
      if (names.has(stage.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['stages', i, 'name'],
          message: `stage name "${stage.name}" is used twice`,
        });
      }
      names.add(stage.name);
    });
  });
export type RolloutSpec = z.infer<typeof rolloutSpecSchema>;
export type RolloutSpecInput = z.input<typeof rolloutSpecSchema>;

/** Reads a rollout request; every problem is named with its field before anything is done. */
export function parseRolloutSpec(input: unknown): RolloutSpec {
  const parsed = rolloutSpecSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(issue => {
    const field = issue.path.join('.');
    return issue.code === 'unrecognized_keys'
      ? `${field ? `${field}: ` : ''}unknown field "${issue.keys[0]}"`
      : `${field || 'request'}: ${issue.message}`;
  });
  throw new InputError(`Invalid rollout: ${problems.join('; ')}`);
}

/** One move of a cluster in a rollout (one Kubernetes minor at most). */
export interface RolloutStep {
  kubernetesVersion: string;
  /** The profile version the cluster is on after the step, when the step moves it. */
  profileVersion?: string;
}

/** A pre-flight problem of a cluster. */
export interface PreflightProblem {
  check:
    | 'topology'
    | 'version'
    | 'profile'
    | 'support'
    | 'skew'
    | 'health'
    | 'in-progress'
    | 'deprecated-apis'
    | 'selection';
  message: string;
}

/** The state of one cluster in a rollout. */
export type RolloutClusterState =
  | 'pending'
  | 'upgrading'
  | 'succeeded'
  | 'failed'
  | 'skipped';

export interface RolloutCluster {
  key: string;
  owner: string;
  profile?: string;
  fromVersion?: string;
  steps: RolloutStep[];
  state: RolloutClusterState;
  /** The step being applied or watched (index into `steps`). */
  step: number;
  /**
   * Steps whose version bump was applied (indexes into `steps`): written before the bump, so a restart checks the
   * live object instead of bumping again.
   */
  bumped: number[];
  /** The last step whose bump was applied or found on the live object. */
  applied?: number;
  stepStartedAt?: string;
  finishedAt?: string;
  /** Why it was skipped or failed, or what it waits for. */
  message?: string;
  problems?: PreflightProblem[];
}

export type RolloutStageState =
  | 'pending'
  | 'waiting-approval'
  | 'running'
  | 'soaking'
  | 'completed'
  | 'halted';

export interface RolloutStage {
  name: string;
  state: RolloutStageState;
  clusters: RolloutCluster[];
  approvedBy?: string;
  approvedAt?: string;
  startedAt?: string;
  soakUntil?: string;
  finishedAt?: string;
  /** The gate the stage waits on now, and until when when that is known. */
  waitingOn?: {
    gate: 'approval' | 'maintenance-window' | 'soak' | 'concurrency';
    until?: string;
    message: string;
  };
  message?: string;
}

export type RolloutState =
  | 'running'
  | 'paused'
  | 'halted'
  | 'aborted'
  | 'completed';

/** A stored rollout: its request, who made it, and the state of every stage and cluster. */
export interface Rollout {
  id: string;
  spec: RolloutSpec;
  state: RolloutState;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  /** Bumped on every write (optimistic concurrency between replicas). */
  revision: number;
  stages: RolloutStage[];
  /** Clusters of the selection that no stage takes, or that pre-flight refused when planned. */
  excluded: RolloutCluster[];
  message?: string;
}

/** Concurrency of a stage as a number of clusters. */
export function concurrencyOf(stage: StageSpec, size: number): number {
  if (typeof stage.concurrency === 'number') return stage.concurrency;
  const percent = Number(stage.concurrency.slice(0, -1));
  return Math.max(1, Math.floor((size * percent) / 100));
}
