import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { RedisKeyspace } from '@broker/redis';
import { CredentialLocks } from './credential-locks';
import { LockKeys } from './lock.keys';
import { LocalLockService } from './local.lock-service';
import { LockService } from './lock.port';
import { RedlockLockService } from './redlock.lock-service';

export interface LockingModuleOptions {
  /** `fleet`: Redlock on the shared Redis (needs the global RedisModule); `local`: in-process locks. */
  readonly mode: 'fleet' | 'local';
}

/**
 * Provides the LockService port with the adapter for the deployment mode, and the credentials' named locks.
 * Imported by each module that locks. One definition per mode (see FleetModule for why not
 * `ConfigurableModuleBuilder`): every importer must share the one LockService, or in-process locks would
 * not exclude each other.
 */
@Module({})
export class LockingModule {
  /** The LockService for `options.mode`. */
  static forRoot(options: LockingModuleOptions): DynamicModule {
    return DEFINITIONS[options.mode];
  }
}

const DEFINITIONS: Readonly<Record<LockingModuleOptions['mode'], DynamicModule>> = Object.freeze({ local: define('local'), fleet: define('fleet') });

function define(mode: LockingModuleOptions['mode']): DynamicModule {
  return {
    module: LockingModule,
    providers: [
      { provide: LockService, useClass: lockServiceFor(mode) },
      mode === 'fleet'
        ? { provide: LockKeys, inject: [RedisKeyspace], useFactory: (keyspace: RedisKeyspace) => LockKeys.fleet(keyspace) }
        : { provide: LockKeys, useValue: LockKeys.local() },
      CredentialLocks,
    ],
    exports: [LockService, CredentialLocks],
  };
}

function lockServiceFor(mode: LockingModuleOptions['mode']): Type<LockService> {
  switch (mode) {
    case 'fleet':
      return RedlockLockService;
    case 'local':
      return LocalLockService;
    default: {
      const unknown: never = mode;
      throw new Error(`unknown locking mode ${String(unknown)}`);
    }
  }
}
