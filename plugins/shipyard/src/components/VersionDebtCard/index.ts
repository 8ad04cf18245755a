export { VersionDebtCard, VersionDebtDetails } from './VersionDebtCard';
