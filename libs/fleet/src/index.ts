export { FleetBus } from './fleet-bus.port';
export { FLEET_EVENT_TYPES, type FleetEvent, type FleetEventListener, type FleetEventType, isFleetEventType } from './fleet-event';
export { FleetIdentity } from './fleet-identity';
export { FleetModule } from './fleet.module';
export { FleetRoster, HEARTBEAT_INTERVAL_MS, HEARTBEAT_TTL_MS, type InstanceHeartbeat } from './fleet-roster.port';
export { LocalFleetBus } from './local.fleet-bus';
export { RedisFleetBus } from './redis.fleet-bus';
export { fleetChannel, heartbeatKey, rosterIndexKey } from './fleet.keys';
