export {
  FleetSummaryCards,
  SourceStateLabel,
  versionRows,
} from './FleetSummaryCards';
