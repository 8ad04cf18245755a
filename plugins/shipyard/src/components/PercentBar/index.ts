export { PercentBar } from './PercentBar';
