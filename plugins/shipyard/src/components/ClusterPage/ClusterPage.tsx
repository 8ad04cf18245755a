import { Content, ContentHeader, Link, Page } from '@backstage/core-components';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { useApiHolder, useRouteRef } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import Box from '@material-ui/core/Box';
import {
  ANNOTATION_CLUSTER_NAME,
  ANNOTATION_CLUSTER_NAMESPACE,
  ANNOTATION_MANAGEMENT_CLUSTER,
  ClusterKey,
} from '@shipyard/plugin-shipyard-common';
import { useParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { useFleetRoutes } from '../../hooks';
import { ClusterDetails } from '../ClusterDetails';
import { ShipyardHeader, useStandalonePageHeader } from '../PageHeader';
import { ClusterRolloutStep } from '../Rollouts';

const CatalogLink = (props: { clusterKey: ClusterKey }) => {
  const catalogApi = useApiHolder().get(catalogApiRef);
  let entityRoute:
    | ((params: { kind: string; namespace: string; name: string }) => string)
    | undefined;
  try {
    // eslint-disable-next-line react-hooks/rules-of-hooks
    entityRoute = useRouteRef(entityRouteRef);
  } catch {
    entityRoute = undefined;
  }
  const { managementCluster, namespace, name } = props.clusterKey;
  const { value } = useAsync(async () => {
    if (!catalogApi) return undefined;
    const res = await catalogApi.getEntities({
      filter: {
        kind: 'Resource',
        [`metadata.annotations.${ANNOTATION_MANAGEMENT_CLUSTER}`]:
          managementCluster,
        [`metadata.annotations.${ANNOTATION_CLUSTER_NAMESPACE}`]: namespace,
        [`metadata.annotations.${ANNOTATION_CLUSTER_NAME}`]: name,
      },
      fields: ['kind', 'metadata.name', 'metadata.namespace'],
    });
    return res.items[0];
  }, [catalogApi, managementCluster, namespace, name]);
  if (!value || !entityRoute) return null;
  return (
    <Link
      to={entityRoute({
        kind: value.kind.toLocaleLowerCase('en-US'),
        namespace: value.metadata.namespace ?? 'default',
        name: value.metadata.name,
      })}
      data-testid="catalog-link"
    >
      Open in catalog ({stringifyEntityRef(value)})
    </Link>
  );
};

/** A cluster under the fleet page (`/shipyard/clusters/:managementCluster/:namespace/:name`). */
export const ClusterPage = () => {
  const params = useParams();
  const routes = useFleetRoutes();
  const key: ClusterKey = {
    managementCluster: params.managementCluster ?? '',
    namespace: params.namespace ?? '',
    name: params.name ?? '',
  };
  const standaloneHeader = useStandalonePageHeader();
  const subtitle = `${key.managementCluster} / ${key.namespace}`;
  return (
    <Page themeId="tool">
      <ShipyardHeader
        title={key.name}
        subtitle={subtitle}
        type="Cluster"
        typeLink={routes.fleet()}
      />
      <Content>
        {!standaloneHeader && (
          <ContentHeader title={key.name} description={subtitle} />
        )}
        <Box mb={2} display="flex" style={{ gap: 16 }}>
          <Link to={routes.fleet()}>← Fleet</Link>
          <CatalogLink clusterKey={key} />
        </Box>
        <ClusterRolloutStep
          clusterKey={`${key.managementCluster}/${key.namespace}/${key.name}`}
        />
        <ClusterDetails clusterKey={key} />
      </Content>
    </Page>
  );
};
