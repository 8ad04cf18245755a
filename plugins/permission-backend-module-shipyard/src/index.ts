/**
 * The permission policy of a Shipyard portal, as a module of the permission backend.
 *
 * @packageDocumentation
 */
export {
  ShipyardPortalPolicy,
  type ShipyardPortalPolicyOptions,
} from './ShipyardPortalPolicy';
export { permissionModuleShipyardPolicy as default } from './ShipyardPortalPolicy';
