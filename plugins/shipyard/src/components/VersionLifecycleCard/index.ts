export {
  VersionLifecycleCard,
  VersionLifecycleView,
  provenanceOf,
} from './VersionLifecycleCard';
