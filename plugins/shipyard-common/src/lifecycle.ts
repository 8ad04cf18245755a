/*
 * REST API shapes of the version lifecycle (`GET /version-support`, `GET /clusters/…/lifecycle`,
 * `GET /version-support/debt`): the spec's models.
 */
export type {
  ClusterLifecycleResponse,
  VersionDebtResponse,
  VersionSupportCalendarEntry,
  VersionSupportCounts,
  VersionSupportRefreshSource,
  VersionSupportResponse,
  /** A record of a calendar with its status on the day asked (the spec's `VersionSupportRecord`). */
  VersionSupportRecord as VersionSupportCalendarRecord,
} from './schema/openapi/generated/models';
