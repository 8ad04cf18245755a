import type {
  Error as ErrorBody,
  FleetChangeEvent,
} from '../schema/openapi/generated/models';

/*
 * REST API types of the Shipyard backend (`/api/shipyard`): a cluster's object tree, change events, health history
 * and error bodies. The shapes are the models generated from `plugins/shipyard-backend/src/schema/openapi.yaml`; this
 * file names their parts.
 */

export type {
  ClusterDetails,
  ClusterHistoryResponse,
  ClusterTreeNode,
  FleetChangeEvent,
  HealthTransition,
} from '../schema/openapi/generated/models';

/** One changed cluster in a change event. */
export type ClusterChange = FleetChangeEvent['changes'][number];

/** What happened to one cluster in a change event. */
export type ClusterChangeType = ClusterChange['type'];

/** Events service topic of fleet changes. */
export const SHIPYARD_FLEET_EVENTS_TOPIC = 'shipyard.fleet';

/** Error body of the REST API (Backstage's standard error shape). */
export type ShipyardErrorResponse = ErrorBody;
