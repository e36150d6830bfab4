import { type DynamicModule, Module } from '@nestjs/common';
import { FleetBus } from './fleet-bus.port';
import { FleetIdentity } from './fleet-identity';
import { FleetRoster } from './fleet-roster.port';
import { LocalFleetRoster } from './local.fleet-roster';
import { RedisFleetRoster } from './redis.fleet-roster';
import { LocalFleetBus } from './local.fleet-bus';
import { RedisFleetBus } from './redis.fleet-bus';

/**
 * The fleet event bus and the roster of live instances (heartbeats): in-process by default; Redis in fleet
 * mode (needs the global RedisModule). Imported by each module that talks to the fleet.
 *
 * Not built with `ConfigurableModuleBuilder`: its `forRoot` stamps every call with a random module id, so
 * each importer would get its own bus, and in-process events would not reach the other importers. Here
 * `forRoot` returns one definition per mode, which Nest instantiates once however many modules import it.
 */
@Module({})
export class FleetModule {
  static forRoot(options: { mode: FleetMode }): DynamicModule {
    return DEFINITIONS[options.mode];
  }
}

type FleetMode = 'local' | 'fleet';

const DEFINITIONS: Readonly<Record<FleetMode, DynamicModule>> = Object.freeze({ local: define('local'), fleet: define('fleet') });

function define(mode: FleetMode): DynamicModule {
  return {
    module: FleetModule,
    providers: [
      FleetIdentity,
      { provide: FleetBus, useClass: mode === 'fleet' ? RedisFleetBus : LocalFleetBus },
      { provide: FleetRoster, useClass: mode === 'fleet' ? RedisFleetRoster : LocalFleetRoster },
    ],
    exports: [FleetBus, FleetIdentity, FleetRoster],
  };
}
