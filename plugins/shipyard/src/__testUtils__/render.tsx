import { Entity } from '@backstage/catalog-model';
import { ApiRef } from '@backstage/core-plugin-api';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import {
  TestApiProvider,
  TestAppOptions,
  renderInTestApp,
} from '@backstage/test-utils';
import { ReactElement } from 'react';
import { ShipyardApi, shipyardApiRef } from '../api';

/** The catalog's entity pages mounted, for what links to entities. */
export const CATALOG_ROUTES: TestAppOptions = {
  mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
};

/** `element` on the catalog page of `entity`, the Shipyard API answering as `api` (and further APIs from `apis`). */
export function renderOnEntityPage(
  element: ReactElement,
  options: {
    entity: Entity;
    api: ShipyardApi;
    apis?: Array<readonly [ApiRef<any>, any]>;
    app?: TestAppOptions;
  },
) {
  return renderInTestApp(
    <TestApiProvider
      apis={[[shipyardApiRef, options.api], ...(options.apis ?? [])]}
    >
      <EntityProvider entity={options.entity}>{element}</EntityProvider>
    </TestApiProvider>,
    options.app,
  );
}
