import { type DynamicModule, Module } from '@nestjs/common';
import { FleetBus } from './fleet-bus.port';
import { FleetIdentity } from './fleet-identity';
import { LocalFleetBus } from './local.fleet-bus';
import { RedisFleetBus } from './redis.fleet-bus';

/** The fleet event bus: in-process by default; Redis pub/sub in fleet mode (needs the global RedisModule). */
@Module({})
export class FleetModule {
  static forRoot(options: { mode: 'local' | 'fleet' }): DynamicModule {
    return {
      module: FleetModule,
      global: true,
      providers: [FleetIdentity, { provide: FleetBus, useClass: options.mode === 'fleet' ? RedisFleetBus : LocalFleetBus }],
      exports: [FleetBus, FleetIdentity],
    };
  }
}
