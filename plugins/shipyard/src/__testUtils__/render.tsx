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
import { cleanup } from '@testing-library/react';
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

/**
 * How many style elements the document gained while `show` rendered a page and waited for what it shows; every
 * rendered tree is unmounted after. A style element inserted while rendering is CSS the browser parses and applies
 * again: a page whose count grows with its rows (Material UI's `Box` makes a sheet per instance) paints slowly.
 */
export async function styleElementsAddedBy(
  show: () => Promise<unknown>,
): Promise<number> {
  const before = document.querySelectorAll('style').length;
  await show();
  const added = document.querySelectorAll('style').length - before;
  cleanup();
  return added;
}
