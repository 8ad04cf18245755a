export * from './types';
export { CapiHealthEvaluator } from './capiHealth';
