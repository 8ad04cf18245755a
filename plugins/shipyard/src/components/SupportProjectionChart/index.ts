export { SupportProjectionChart } from './SupportProjectionChart';
