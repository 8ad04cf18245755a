export {
  ClusterVariablesField,
  clusterVariablesValidation,
  withoutEmpty,
} from './ClusterVariablesField';
export type { ClusterVariablesUiOptions } from './ClusterVariablesField';
