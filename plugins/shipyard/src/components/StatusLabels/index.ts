export {
  HealthStatusLabel,
  VersionSupportChip,
  StaleChip,
} from './StatusLabels';
