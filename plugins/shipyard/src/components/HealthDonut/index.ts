export { HealthDonut } from './HealthDonut';
