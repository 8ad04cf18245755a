import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { createScaffolderFieldExtension } from '@backstage/plugin-scaffolder-react';
import { ShipyardClient, shipyardApiRef } from './api';
import { shipyardFormField } from './formFields';
import { rootRouteRef } from './routes';

/** The Shipyard plugin for apps on the legacy frontend system. */
export const shipyardPlugin = createPlugin({
  id: 'shipyard',
  apis: [
    createApiFactory({
      api: shipyardApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new ShipyardClient(deps),
    }),
  ],
  routes: { root: rootRouteRef },
});

/** The fleet page (mount it at `/shipyard`), for apps on the legacy frontend system. */
export const ShipyardFleetPage = shipyardPlugin.provide(
  createRoutableExtension({
    name: 'ShipyardFleetPage',
    component: () => import('./components/FleetPage').then(m => m.FleetPage),
    mountPoint: rootRouteRef,
  }),
);

/** Entity content for clusters (`Resource` of type `kubernetes-cluster`); use with `isShipyardClusterEntity`. */
export const EntityShipyardClusterContent = shipyardPlugin.provide(
  createComponentExtension({
    name: 'EntityShipyardClusterContent',
    component: {
      lazy: () =>
        import('./components/ClusterEntityContent').then(
          m => m.ClusterEntityContent,
        ),
    },
  }),
);

/** Entity content for `ClusterProfile` entities; use with `isClusterProfileEntity`. */
export const EntityShipyardProfileContent = shipyardPlugin.provide(
  createComponentExtension({
    name: 'EntityShipyardProfileContent',
    component: {
      lazy: () =>
        import('./components/ClusterProfileContent').then(
          m => m.ClusterProfileContent,
        ),
    },
  }),
);

/** Card for `Group` pages: the team's clusters. */
export const EntityShipyardTeamClustersCard = shipyardPlugin.provide(
  createComponentExtension({
    name: 'EntityShipyardTeamClustersCard',
    component: {
      lazy: () =>
        import('./components/TeamClustersCard').then(m => m.TeamClustersCard),
    },
  }),
);

/** Scaffolder field `ClusterProfilePicker`, for `<ScaffolderFieldExtensions>` in legacy apps. */
export const ClusterProfilePickerFieldExtension = shipyardPlugin.provide(
  createScaffolderFieldExtension(shipyardFormField('ClusterProfilePicker')),
);

/** Scaffolder field `KubernetesVersionPicker`, for `<ScaffolderFieldExtensions>` in legacy apps. */
export const KubernetesVersionPickerFieldExtension = shipyardPlugin.provide(
  createScaffolderFieldExtension(shipyardFormField('KubernetesVersionPicker')),
);

/** Scaffolder field `ClusterVariables`, for `<ScaffolderFieldExtensions>` in legacy apps. */
export const ClusterVariablesFieldExtension = shipyardPlugin.provide(
  createScaffolderFieldExtension(shipyardFormField('ClusterVariables')),
);

/** Scaffolder field `ClusterSizePicker`, for `<ScaffolderFieldExtensions>` in legacy apps. */
export const ClusterSizePickerFieldExtension = shipyardPlugin.provide(
  createScaffolderFieldExtension(shipyardFormField('ClusterSizePicker')),
);

/** Scaffolder field `ManagementClusterPicker`, for `<ScaffolderFieldExtensions>` in legacy apps. */
export const ManagementClusterPickerFieldExtension = shipyardPlugin.provide(
  createScaffolderFieldExtension(shipyardFormField('ManagementClusterPicker')),
);

/** Scaffolder field `UpgradeVersionPicker`, for `<ScaffolderFieldExtensions>` in legacy apps. */
export const UpgradeVersionPickerFieldExtension = shipyardPlugin.provide(
  createScaffolderFieldExtension(shipyardFormField('UpgradeVersionPicker')),
);

/** Scaffolder field `ClusterRequestCheck`, for `<ScaffolderFieldExtensions>` in legacy apps. */
export const ClusterRequestCheckFieldExtension = shipyardPlugin.provide(
  createScaffolderFieldExtension(shipyardFormField('ClusterRequestCheck')),
);
