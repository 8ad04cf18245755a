export { SmallTable } from './SmallTable';
export type { SmallTableColumn } from './SmallTable';
