import { MissingAnnotationEmptyState } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  ANNOTATION_CLUSTER_NAME,
  ANNOTATION_CLUSTER_NAMESPACE,
  ANNOTATION_MANAGEMENT_CLUSTER,
} from '@shipyard/plugin-shipyard-common';
import { clusterKeyFromEntity } from '../../lib/entity';
import { ClusterDetails } from '../ClusterDetails';

/** The Shipyard tab of a cluster entity (`Resource` of type `kubernetes-cluster`). */
export const ClusterEntityContent = () => {
  const { entity } = useEntity();
  const key = clusterKeyFromEntity(entity);
  if (!key) {
    return (
      <MissingAnnotationEmptyState
        annotation={[
          ANNOTATION_MANAGEMENT_CLUSTER,
          ANNOTATION_CLUSTER_NAMESPACE,
          ANNOTATION_CLUSTER_NAME,
        ]}
      />
    );
  }
  return (
    <ClusterDetails clusterKey={key} entityRef={stringifyEntityRef(entity)} />
  );
};
