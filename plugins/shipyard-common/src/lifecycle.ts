/*
 * REST API shapes of the version lifecycle (`GET /version-support`, `GET /clusters/…/lifecycle`); the OpenAPI document
 * describes the same.
 */
import { ClusterUpgradePlan } from './upgradePath';
import {
  ClusterVersionSupport,
  EffectiveVersionSupportRecord,
  VersionSupportCalendarInfo,
  VersionSupportStatus,
} from './versionSupport';

/** A record of a calendar with its status on the day asked. */
export interface VersionSupportCalendarRecord
  extends EffectiveVersionSupportRecord {
  /** The classification on the day asked (for a cluster of the distribution without an enrollment label). */
  status: VersionSupportStatus;
  nextBoundary?: { date: string; status: VersionSupportStatus };
  /** Whole days until the next boundary. */
  daysToNextBoundary?: number;
}

/** One distribution's calendar as `GET /version-support` answers it. */
export interface VersionSupportCalendarEntry
  extends VersionSupportCalendarInfo {
  /** Seconds since the refreshed calendar in force was read, when one is. */
  ageSeconds?: number;
  records: VersionSupportCalendarRecord[];
}

/** The state of one refresh source. */
export interface VersionSupportRefreshSource {
  distribution: string;
  url: string;
  /** When the calendar in use was read from it. */
  fetchedAt?: string;
  /** When it last answered (a new calendar, or "not modified"). */
  checkedAt?: string;
  /** When it was last asked. */
  attemptedAt?: string;
  /** Why the last attempt failed, when it did (the last calendar read, or the data file, stays in force). */
  lastError?: string;
  records?: number;
}

/** Response of `GET /version-support`. */
export interface VersionSupportResponse {
  /** When the statuses were computed. */
  evaluatedAt: string;
  /** The data file shipped with Shipyard. */
  dataFile: { schemaVersion: number; updatedAt: string; ageDays: number };
  nearingEndOfLifeDays: number;
  refresh: { enabled: boolean; sources: VersionSupportRefreshSource[] };
  distributions: VersionSupportCalendarEntry[];
}

/** Response of `GET /clusters/:managementCluster/:namespace/:name/lifecycle`. */
export interface ClusterLifecycleResponse {
  cluster: {
    managementCluster: string;
    namespace: string;
    name: string;
    distribution?: string;
    kubernetesVersion?: string;
    profile?: string;
    profileVersion?: string;
  };
  /** When it was evaluated. */
  evaluatedAt: string;
  /** The cluster's version support now, with the days until its next boundary. */
  support: ClusterVersionSupport & { daysToNextBoundary?: number };
  /** The calendar that applies, with every minor's status, where it comes from and how old it is. */
  calendar: VersionSupportCalendarEntry;
  /** Available upgrades and the path back into support. */
  upgrades: ClusterUpgradePlan;
  /** False when the profile catalog could not be read (the plan then follows the calendar alone). */
  profilesAvailable: boolean;
}

/** Clusters by version support status. */
export type VersionSupportCounts = Partial<
  Record<VersionSupportStatus, number>
>;

/** Response of `GET /version-support/debt`: where the fleet stands with its Kubernetes versions, and where it goes. */
export interface VersionDebtResponse {
  evaluatedAt: string;
  /** Clusters counted (those the filters select and the caller may read). */
  totalCount: number;
  byStatus: VersionSupportCounts;
  /** Clusters in extended support that is charged. */
  chargedExtendedCount: number;
  /** Per owning team, most debt first (end of life, then extended, then maintenance). */
  byOwner: Array<{
    owner: string;
    total: number;
    counts: VersionSupportCounts;
  }>;
  /** Per detected distribution, with the calendar that applies. */
  byDistribution: Array<{
    distribution: string;
    calendar: string;
    total: number;
    counts: VersionSupportCounts;
  }>;
  /** The statuses on coming days (today, then the first day of each following month) if nothing is upgraded. */
  projection: Array<{ date: string; counts: VersionSupportCounts }>;
}
