import { FleetChangeEvent } from '@shipyard/plugin-shipyard-common';

/** State of the live connection to the fleet event stream. */
export type FleetStreamState =
  | 'connecting'
  | 'open'
  | 'reconnecting'
  | 'closed';

/** Receives fleet change events. */
export interface FleetEventsListener {
  onChange(event: FleetChangeEvent): void;
  /** Called on (re)connect with the fleet revision at that moment. */
  onHello?(revision: number): void;
  onState?(state: FleetStreamState): void;
}

/** A subscription to fleet events. */
export interface FleetSubscription {
  unsubscribe(): void;
}
