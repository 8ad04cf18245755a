export * from './model';
export * from './days';
export * from './VersionSupportCalendar';
