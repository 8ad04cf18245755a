/*
 * Kubernetes version lifecycle (see versionSupport/model.ts): the calendars' data model, day arithmetic, and the
 * calendars in force with their evaluation.
 */
export * from './versionSupport/model';
export * from './versionSupport/days';
export * from './versionSupport/VersionSupportCalendar';
