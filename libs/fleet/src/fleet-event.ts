/**
 * Every event the fleet carries, in one place. To add one: add a member to the union and its key to
 * FLEET_EVENT_TYPES (the compiler insists), then subscribe where it is handled. On the wire an event is
 * `{type, credentialId, origin}` as JSON; the Redis adapter drops any type not listed here.
 */
export type FleetEvent =
  /** A new token of the credential was stored: catch up from the store. */
  | FleetEventOf<'updated'>
  /** The credential's token was evicted: drop it from memory. */
  | FleetEventOf<'evicted'>
  /** A rotation promoted a new client secret: re-read it (handled by the rotation lib only). */
  | FleetEventOf<'secret-changed'>
  /** The config file was reloaded somewhere: re-read it (credentialId `*`). */
  | FleetEventOf<'config-reload'>;

interface FleetEventOf<T extends string> {
  readonly type: T;
  readonly credentialId: string;
  /** The instance that published it (instances may ignore their own events). */
  readonly origin: string;
}

export type FleetEventType = FleetEvent['type'];

/** The known event types; a `Record` so that a type added to the union must be added here too. */
export const FLEET_EVENT_TYPES: Readonly<Record<FleetEventType, true>> = Object.freeze({
  updated: true,
  evicted: true,
  'secret-changed': true,
  'config-reload': true,
});

/** True when `type` is one of the fleet's event types. */
export function isFleetEventType(type: unknown): type is FleetEventType {
  return typeof type === 'string' && Object.hasOwn(FLEET_EVENT_TYPES, type);
}

export type FleetEventListener = (event: FleetEvent) => void;
