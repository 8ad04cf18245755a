/*
 * Kubernetes version lifecycle: the support calendar of every distribution per Kubernetes minor, and its evaluation
 * for a cluster on a given day.
 *
 * The calendars come from the versioned data file `data/version-support.json` (transcribed from the public calendar
 * named in each record). A deployment may replace a distribution's calendar with a refreshed copy (from a source that
 * speaks the endoflife.date product format) and override single minors in configuration; `VersionSupportCalendar`
 * layers the three. Nothing here stores a status: a status is computed from the dates for the day asked about, so an
 * answer cannot go stale.
 *
 * This file: the data model of the calendars (records, distributions, overrides) and the reading of the data file.
 */
import { z } from 'zod';
import bundledData from '../data/version-support.json';
import type {
  VersionSupportRecord as CalendarRecord,
  VersionSupportStatus,
} from '../schema/openapi/generated/models';
import { versionSupportStatusValues } from '../schema/openapi/generated/models/schema';
import { enumValues } from '../schema/enumValues';

export type {
  ClusterVersionSupport,
  VersionSupportOrigin,
  VersionSupportStatus,
} from '../schema/openapi/generated/models';

/**
 * Every version support status in the order of a minor's life, then `unknown`: before its release (`preview`), in
 * standard support, in its last weeks of critical fixes only (`maintenance`), in extended support (EKS extended
 * support, AKS LTS, the GKE Extended channel, OpenShift EUS), or past all support; `unknown` when the version or the
 * minor is not known.
 */
export const VERSION_SUPPORT_STATUSES = enumValues<VersionSupportStatus>(
  versionSupportStatusValues,
);

/** What a calendar adds to a record when it answers: the status on the day asked and the next boundary. */
type CalendarEvaluation = 'status' | 'nextBoundary' | 'daysToNextBoundary';

/**
 * One Kubernetes minor on one distribution, as the data file holds it: the spec's calendar record without where its
 * dates come from and what a calendar computes. Dates are days (`YYYY-MM-DD`, UTC); an end date is the last day of
 * its phase, `maintenanceFrom` the first day of maintenance.
 */
export type VersionSupportRecord = Omit<
  CalendarRecord,
  CalendarEvaluation | 'origin' | 'calendar'
>;

/** Extended support a distribution offers. */
export interface VersionSupportExtendedOffer {
  /** What the distribution calls it (`extended support`, `long-term support (LTS)`, …). */
  name: string;
  /** Whether it costs extra. */
  charged: boolean;
  /** Whether a cluster must be enrolled (AKS LTS, GKE Extended channel) rather than entering it by default (EKS). */
  optIn: boolean;
}

/** A distribution of the data file. */
export interface VersionSupportDistribution {
  title: string;
  /** The public calendar or policy. */
  source: string;
  /** A distribution without records of its own uses this distribution's calendar (`upstream` for k3s). */
  follows?: string;
  extendedSupport?: VersionSupportExtendedOffer;
  /** `openshift`: minors are also given as product versions (`4.16` is Kubernetes `1.29`). */
  versionScheme?: 'kubernetes' | 'openshift';
  /** The support policy in one sentence. */
  policy?: string;
}

/** The data file `data/version-support.json`. */
export interface VersionSupportData {
  schemaVersion: 1;
  /** Day the file was last updated. */
  updatedAt: string;
  description?: string;
  distributions: Record<string, VersionSupportDistribution>;
  releases: VersionSupportRecord[];
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const day = z
  .string()
  .regex(DAY, 'must be a date (YYYY-MM-DD)')
  .refine(v => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)), 'not a date');
const minorSchema = z
  .string()
  .regex(/^\d+\.\d+$/, 'must be a Kubernetes minor (1.33)');
const nameSchema = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
    'must be a distribution name (eks)',
  );

/** Schema of one record. */
export const versionSupportRecordSchema = z
  .object({
    distribution: nameSchema,
    minor: minorSchema,
    productVersion: z.string().min(1).max(32).optional(),
    releaseDate: day.optional(),
    maintenanceFrom: day.optional(),
    endOfStandardSupport: day.optional(),
    endOfExtendedSupport: day.optional(),
    extendedSupportCharged: z.boolean().optional(),
    lts: z.boolean().optional(),
    estimated: z.boolean().optional(),
    note: z.string().max(1000).optional(),
    source: z.string().min(1).max(2048),
    fetchedAt: z.string().min(10).max(40),
  })
  .strict()
  .superRefine((r, ctx) => {
    const order: Array<[keyof VersionSupportRecord, string | undefined]> = [
      ['releaseDate', r.releaseDate],
      ['maintenanceFrom', r.maintenanceFrom],
      ['endOfStandardSupport', r.endOfStandardSupport],
      ['endOfExtendedSupport', r.endOfExtendedSupport],
    ];
    let previous: [string, string] | undefined;
    for (const [field, value] of order) {
      if (value === undefined) continue;
      if (previous && value < previous[1]) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: [field],
          message: `must not be before ${previous[0]} (${previous[1]})`,
        });
      }
      previous = [field, value];
    }
  });

/** Schema of the data file. */
export const versionSupportDataSchema = z
  .object({
    schemaVersion: z.literal(1),
    updatedAt: day,
    description: z.string().optional(),
    distributions: z.record(
      nameSchema,
      z
        .object({
          title: z.string().min(1),
          source: z.string().min(1),
          follows: nameSchema.optional(),
          extendedSupport: z
            .object({
              name: z.string().min(1),
              charged: z.boolean(),
              optIn: z.boolean(),
            })
            .strict()
            .optional(),
          versionScheme: z.enum(['kubernetes', 'openshift']).optional(),
          policy: z.string().optional(),
        })
        .strict(),
    ),
    releases: z.array(versionSupportRecordSchema),
  })
  .strict()
  .superRefine((d, ctx) => {
    const seen = new Set<string>();
    d.releases.forEach((r, i) => {
      const key = `${r.distribution}/${r.minor}`;
      if (seen.has(key)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['releases', i],
          message: `duplicate record for ${key}`,
        });
      }
      seen.add(key);
      if (!d.distributions[r.distribution]) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['releases', i, 'distribution'],
          message: `unknown distribution "${r.distribution}"`,
        });
      }
    });
    for (const [name, dist] of Object.entries(d.distributions)) {
      if (dist.follows && !d.distributions[dist.follows]) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['distributions', name, 'follows'],
          message: `unknown distribution "${dist.follows}"`,
        });
      }
    }
  });

/** Validates a data file; throws an `Error` naming the first offending field. */
export function parseVersionSupportData(input: unknown): VersionSupportData {
  const result = versionSupportDataSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(
      `Invalid version support data at ${issue.path.join('.') || '(root)'}: ${
        issue.message
      }`,
    );
  }
  return result.data as VersionSupportData;
}

/** The calendars of the data file shipped with Shipyard. */
export const BUNDLED_VERSION_SUPPORT: VersionSupportData =
  parseVersionSupportData(bundledData);

/** The calendar of one distribution as read from a remote source. */
export interface RefreshedVersionSupport {
  distribution: string;
  /** The URL it was read from. */
  source: string;
  /** ISO-8601 time it was read. */
  fetchedAt: string;
  records: VersionSupportRecord[];
}

/**
 * Configured corrections of one minor of one distribution. `endOfLife` is the older form: the last day of any
 * support (it moves the end of extended support when the minor has one after it, else the end of standard support).
 */
export interface VersionSupportOverride {
  releaseDate?: string;
  maintenanceFrom?: string;
  endOfStandardSupport?: string;
  endOfExtendedSupport?: string;
  extendedSupportCharged?: boolean;
  endOfLife?: string;
  note?: string;
}

/** Overrides by distribution and minor (`{ eks: { '1.33': { endOfExtendedSupport: '2027-09-30' } } }`). */
export type VersionSupportOverrides = Record<
  string,
  Record<string, VersionSupportOverride>
>;

/** A record as a calendar answers it: with where its dates come from and which calendar it belongs to. */
export type EffectiveVersionSupportRecord = Omit<
  CalendarRecord,
  CalendarEvaluation
>;
