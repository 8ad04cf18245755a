export { BarChart } from './BarChart';
export type { BarChartDatum } from './BarChart';
