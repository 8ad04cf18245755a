import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import {
  FormFieldBlueprint,
  scaffolderTemplateOutputsBlueprint,
} from '@backstage/plugin-scaffolder-react/alpha';
import CloudQueueIcon from '@material-ui/icons/CloudQueue';
import {
  CLUSTER_PROFILE_KIND,
  CLUSTER_RESOURCE_TYPE,
} from '@shipyard/plugin-shipyard-common';
import { ShipyardClient, shipyardApiRef } from './api';
import { EmbeddedPage } from './components/PageHeader';
import { lazy, Suspense } from 'react';
import { readFleetTableAhead } from './lib/readAhead';
import { rootRouteRef } from './routes';
import type { ShipyardFormFieldName } from './formFields';

/** The Shipyard API client. */
export const shipyardApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: shipyardApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new ShipyardClient(deps),
    }),
});

/**
 * The fleet page at `/shipyard` (with a nav item). Its loader asks for the table's first rows while the page's code
 * loads (`readFleetTableAhead`).
 */
export const shipyardFleetPage = PageBlueprint.makeWithOverrides({
  factory(originalFactory, { apis, config }) {
    return originalFactory({
      path: '/shipyard',
      title: 'Fleet',
      icon: <CloudQueueIcon />,
      routeRef: convertLegacyRouteRef(rootRouteRef),
      loader: () => {
        readFleetTableAhead(
          apis.get(shipyardApiRef),
          config.path ?? '/shipyard',
        );
        return import('./components/FleetPage').then(m => (
          <EmbeddedPage>
            <m.FleetPage />
          </EmbeddedPage>
        ));
      },
    });
  },
});

/** The "Cluster" tab of `Resource` entities of type `kubernetes-cluster`. */
export const shipyardClusterEntityContent = EntityContentBlueprint.make({
  name: 'cluster',
  params: {
    path: '/shipyard',
    title: 'Cluster',
    filter: { kind: 'resource', 'spec.type': CLUSTER_RESOURCE_TYPE },
    loader: () =>
      import('./components/ClusterEntityContent').then(m => (
        <m.ClusterEntityContent />
      )),
  },
});

/** The "Profile" tab of `ClusterProfile` entities. */
export const shipyardProfileEntityContent = EntityContentBlueprint.make({
  name: 'profile',
  params: {
    path: '/profile',
    title: 'Profile',
    filter: { kind: CLUSTER_PROFILE_KIND },
    loader: () =>
      import('./components/ClusterProfileContent').then(m => (
        <m.ClusterProfileContent />
      )),
  },
});

/** The team's clusters on `Group` pages. */
export const shipyardTeamClustersEntityCard = EntityCardBlueprint.make({
  name: 'team-clusters',
  params: {
    filter: { kind: 'group' },
    loader: () =>
      import('./components/TeamClustersCard').then(m => <m.TeamClustersCard />),
  },
});

/** The extension of a scaffolder form field of `formFields.ts`, which it loads with the form. */
function formFieldExtension<TName extends string>(
  name: TName,
  field: ShipyardFormFieldName,
) {
  return FormFieldBlueprint.make({
    name,
    params: {
      field: () =>
        import('./formFields').then(m => m.shipyardFormFieldOf(field)),
    },
  });
}

/** Scaffolder field `ClusterProfilePicker`. */
export const clusterProfilePickerFormFieldExtension = formFieldExtension(
  'cluster-profile-picker',
  'ClusterProfilePicker',
);

/** Scaffolder field `KubernetesVersionPicker`. */
export const kubernetesVersionPickerFormFieldExtension = formFieldExtension(
  'kubernetes-version-picker',
  'KubernetesVersionPicker',
);

/** Scaffolder field `ClusterVariables`. */
export const clusterVariablesFormFieldExtension = formFieldExtension(
  'cluster-variables',
  'ClusterVariables',
);

/** Scaffolder field `ClusterSizePicker`. */
export const clusterSizePickerFormFieldExtension = formFieldExtension(
  'cluster-size-picker',
  'ClusterSizePicker',
);

/** Scaffolder field `ManagementClusterPicker`. */
export const managementClusterPickerFormFieldExtension = formFieldExtension(
  'management-cluster-picker',
  'ManagementClusterPicker',
);

/** Scaffolder field `UpgradeVersionPicker`. */
export const upgradeVersionPickerFormFieldExtension = formFieldExtension(
  'upgrade-version-picker',
  'UpgradeVersionPicker',
);

/** Scaffolder field `ClusterRequestCheck`. */
export const clusterRequestCheckFormFieldExtension = formFieldExtension(
  'cluster-request-check',
  'ClusterRequestCheck',
);

const LazyClusterTaskProgress = lazy(() =>
  import('./components/TaskProgress').then(m => ({
    default: m.ClusterTaskProgress,
  })),
);

/** The task page of the request and upgrade templates: the cluster's progress while the task runs. */
export const clusterTaskProgressOutputs =
  scaffolderTemplateOutputsBlueprint.make({
    name: 'cluster-progress',
    params: {
      // loaded with the task page, not with the app
      component: props => (
        <Suspense fallback={null}>
          <LazyClusterTaskProgress {...props} />
        </Suspense>
      ),
      templateRefs: [
        'template:default/request-cluster',
        'template:default/upgrade-cluster',
      ],
    },
  });

/** The Shipyard plugin for the new frontend system. */
export default createFrontendPlugin({
  pluginId: 'shipyard',
  title: 'Fleet',
  icon: <CloudQueueIcon />,
  routes: { root: convertLegacyRouteRef(rootRouteRef) },
  extensions: [
    shipyardApi,
    shipyardFleetPage,
    shipyardClusterEntityContent,
    shipyardProfileEntityContent,
    shipyardTeamClustersEntityCard,
    clusterProfilePickerFormFieldExtension,
    kubernetesVersionPickerFormFieldExtension,
    clusterVariablesFormFieldExtension,
    clusterSizePickerFormFieldExtension,
    managementClusterPickerFormFieldExtension,
    upgradeVersionPickerFormFieldExtension,
    clusterRequestCheckFormFieldExtension,
    clusterTaskProgressOutputs,
  ],
});
