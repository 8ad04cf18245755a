export {
  ClusterProfileContent,
  requestTemplateLink,
  driftOf,
} from './ClusterProfileContent';
