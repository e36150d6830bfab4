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
 * mode (needs the global RedisModule).
 */
@Module({})
export class FleetModule {
  static forRoot(options: { mode: 'local' | 'fleet' }): DynamicModule {
    return {
      module: FleetModule,
      global: true,
      providers: [
        FleetIdentity,
        { provide: FleetBus, useClass: options.mode === 'fleet' ? RedisFleetBus : LocalFleetBus },
        { provide: FleetRoster, useClass: options.mode === 'fleet' ? RedisFleetRoster : LocalFleetRoster },
      ],
      exports: [FleetBus, FleetIdentity, FleetRoster],
    };
  }
}
