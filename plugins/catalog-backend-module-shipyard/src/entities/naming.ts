// Entity naming lives in `-node`, so that other modules (the scaffolder's) name clusters as the catalog does.
export {
  MAX_ENTITY_NAME_LENGTH,
  clusterEntityName,
  generatedProfileEntityName,
  joinedEntityName,
  managementClusterEntityName,
  toTag,
} from '@shipyard/plugin-shipyard-node';
