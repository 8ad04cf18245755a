import { createRouteRef } from '@backstage/core-plugin-api';

/** The fleet page (`/shipyard`). */
export const rootRouteRef = createRouteRef({ id: 'shipyard' });
