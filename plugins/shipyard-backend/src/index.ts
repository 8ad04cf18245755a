/**
 * The Shipyard backend plugin.
 *
 * @packageDocumentation
 */
export { shipyardPlugin as default } from './plugin';
