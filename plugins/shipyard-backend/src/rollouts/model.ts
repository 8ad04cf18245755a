/*
 * A fleet rollout: a target (a Kubernetes version, or a profile version), a selection of clusters with the fleet
 * page's filters, and ordered stages, each with its concurrency, soak time, failure budget and gates (approval by
 * named groups, weekly maintenance windows). The planner turns the request into a plan (stages with clusters and
 * their chained steps), the executor into state.
 *
 * The shapes are the spec's models (`RolloutSpec`, `RolloutCluster`, `RolloutStage`, `Rollout`). The request is
 * read here with zod before anything is planned or stored, for the REST routes and the registered actions alike
 * (the actions do not pass the spec's validator): each object's fields are exactly its model's (checked when this
 * compiles), and the reading adds what the spec does not say: lengths and ranges, the forms of versions, times and
 * names, IANA time zones, a target that is one or the other, a stage name used once, the defaults, and a single
 * value where a list is asked for. Every problem is named at once.
 */
import { InputError } from '@backstage/errors';
import {
  HEALTH_STATUSES,
  HealthStatus,
  ShipyardOpenApi,
  VERSION_SUPPORT_STATUSES,
  VersionSupportStatus,
  WEEKDAYS,
  Weekday,
} from '@shipyard/plugin-shipyard-common';
import { IANAZone } from 'luxon';
import semver from 'semver';
import { z } from 'zod';

/** The validators of an object of the spec: one for each of its model's fields, and none beyond. */
type FieldsOf<Model> = { [Field in keyof Required<Model>]: z.ZodTypeAny };

/** A validator whose output is (assignable to) the model's type. */
const reads =
  <Model>() =>
  <Schema extends z.ZodType<Model, z.ZodTypeDef, unknown>>(schema: Schema) =>
    schema;

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
export type BehindSelector = NonNullable<
  ShipyardOpenApi.RolloutSelector['behind']
>;
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
  } satisfies FieldsOf<BehindSelector>)
  .strict()
  .refine(
    b => b.profileVersion !== undefined || b.kubernetesVersion !== undefined,
    'must name a profileVersion or a kubernetesVersion',
  );

/**
 * A selection of clusters with the fleet page's filters (each an OR of values; filters AND, version support
 * included), plus `lifecycle`, explicit clusters, and clusters behind a version.
 */
export type ClusterSelector = ShipyardOpenApi.RolloutSelector;
export const clusterSelectorSchema = reads<ClusterSelector>()(
  z
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
              .regex(
                /^[^/\s]+\/[^/\s]+\/[^/\s]+$/,
                'must be mc/namespace/name',
              ),
          ),
        )
        .optional(),
      behind: behindSelectorSchema.optional(),
    } satisfies FieldsOf<ClusterSelector>)
    .strict(),
);

export type { Weekday };
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** A weekly maintenance window: on these days, from `start` for `durationMinutes`, in `timeZone`. */
export type MaintenanceWindow = ShipyardOpenApi.MaintenanceWindow;
export const maintenanceWindowSchema = reads<MaintenanceWindow>()(
  z
    .object({
      days: z
        .array(z.enum(WEEKDAYS as [Weekday, ...Weekday[]]))
        .min(1)
        .max(7),
      start: z.string().regex(TIME, 'must be HH:MM (24 h)'),
      durationMinutes: z
        .number()
        .int()
        .min(15)
        .max(7 * 24 * 60),
      timeZone: z
        .string()
        .max(64)
        .refine(
          zone => IANAZone.isValidZone(zone),
          'must be an IANA time zone',
        ),
      /** Only for clusters of these owners or profiles (a team's or a profile's window); all clusters without. */
      owner: list.optional(),
      profile: list.optional(),
    } satisfies FieldsOf<MaintenanceWindow>)
    .strict(),
);

/** A concurrency: a number of clusters, or a percentage of the stage (`25%`). */
const concurrencySchema = z.union([
  z.number().int().min(1).max(1000),
  z
    .string()
    .regex(/^(100|[1-9]\d?)%$/, 'must be a number or a percentage (1%-100%)'),
]);

/** A stage of a rollout as read: the spec's `RolloutStageSpec` with its defaults filled in. */
export type StageSpec = ShipyardOpenApi.RolloutStageSpec &
  Required<
    Pick<
      ShipyardOpenApi.RolloutStageSpec,
      'concurrency' | 'soakSeconds' | 'failureBudget' | 'stepTimeoutSeconds'
    >
  >;
export const stageSpecSchema = reads<StageSpec>()(
  z
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
        .object({
          groups: z.array(z.string().min(1).max(255)).min(1).max(20),
        } satisfies FieldsOf<NonNullable<ShipyardOpenApi.RolloutStageSpec['approval']>>)
        .strict()
        .optional(),
      /** No cluster starts an upgrade outside these windows. */
      maintenanceWindows: z.array(maintenanceWindowSchema).max(20).optional(),
    } satisfies FieldsOf<ShipyardOpenApi.RolloutStageSpec>)
    .strict(),
);
export type StageSpecInput = z.input<typeof stageSpecSchema>;

type TargetModel = ShipyardOpenApi.RolloutTarget;
/**
 * What a rollout moves its clusters to: the spec's `RolloutTarget`, either its Kubernetes version or its profile
 * and profile version (a rule its model does not say).
 */
export type RolloutTarget =
  | Required<Pick<TargetModel, 'kubernetesVersion'>>
  | Required<Pick<TargetModel, 'profile' | 'profileVersion'>>;
export const rolloutTargetSchema = z.union([
  z
    .object({
      kubernetesVersion: z
        .string()
        .regex(
          KUBERNETES_VERSION,
          'must be a Kubernetes version (v1.34 or v1.34.2)',
        ),
    } satisfies FieldsOf<Pick<TargetModel, 'kubernetesVersion'>>)
    .strict(),
  z
    .object({
      profile: z.string().min(1).max(253),
      profileVersion: z
        .string()
        .refine(v => semver.valid(v) !== null, 'must be a semantic version'),
    } satisfies FieldsOf<Pick<TargetModel, 'profile' | 'profileVersion'>>)
    .strict(),
]) satisfies z.ZodType<RolloutTarget, z.ZodTypeDef, unknown>;

/** A rollout request as read: the spec's `RolloutSpec` with its target decided and its defaults filled in. */
export type RolloutSpec = Omit<
  ShipyardOpenApi.RolloutSpec,
  'target' | 'selector' | 'stages'
> & { target: RolloutTarget; selector: ClusterSelector; stages: StageSpec[] };
export const rolloutSpecSchema = reads<RolloutSpec>()(
  z
    .object({
      name: z.string().min(1).max(100),
      description: z.string().max(2000).optional(),
      target: rolloutTargetSchema,
      selector: clusterSelectorSchema.default({}),
      stages: z.array(stageSpecSchema).min(1).max(20),
    } satisfies FieldsOf<ShipyardOpenApi.RolloutSpec>)
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
    }),
);
/** A rollout request as the reading takes it (a single value where the spec asks for a list). */
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

/** One move of a cluster in a rollout (one Kubernetes minor at most), and the profile version it moves to. */
export type RolloutStep = ShipyardOpenApi.RolloutCluster['steps'][number];

/** A pre-flight problem of a cluster: the check that found it, in words. */
export type PreflightProblem = NonNullable<
  ShipyardOpenApi.RolloutCluster['problems']
>[number];

/** The state of one cluster in a rollout. */
export type RolloutClusterState = ShipyardOpenApi.RolloutCluster['state'];

/**
 * One cluster of a rollout: its chain of steps, the step being applied or watched (`step`), the steps whose version
 * bump was applied (`bumped`: written before the bump, so a restart checks the live object instead of bumping
 * again), the last step whose bump was applied or found on the live object (`applied`), and why it was skipped or
 * failed, or what it waits for (`message`).
 */
export type RolloutCluster = ShipyardOpenApi.RolloutCluster;

export type RolloutStageState = ShipyardOpenApi.RolloutStage['state'];

/** A stage of a rollout, with the gate it waits on now (and until when, when that is known). */
export type RolloutStage = ShipyardOpenApi.RolloutStage;

export type RolloutState = ShipyardOpenApi.Rollout['state'];

/**
 * A stored rollout: the spec's `Rollout`, whose request is the one read (defaults filled in). `revision` is bumped
 * on every write (optimistic concurrency between replicas); `excluded` are the clusters of the selection that no
 * stage takes, or that pre-flight refused when planned.
 */
export type Rollout = Omit<ShipyardOpenApi.Rollout, 'spec'> & {
  spec: RolloutSpec;
};

/** Concurrency of a stage as a number of clusters. */
export function concurrencyOf(stage: StageSpec, size: number): number {
  if (typeof stage.concurrency === 'number') return stage.concurrency;
  const percent = Number(stage.concurrency.slice(0, -1));
  return Math.max(1, Math.floor((size * percent) / 100));
}
