export { HealthTimeline } from './HealthTimeline';
