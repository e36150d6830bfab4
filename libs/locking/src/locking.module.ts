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

/** Provides the LockService port with the adapter for the deployment mode, and the credentials' named locks. */
@Module({})
export class LockingModule {
  /** The LockService for `options.mode`. */
  static forRoot(options: LockingModuleOptions): DynamicModule {
    return {
      module: LockingModule,
      // Global like the token store: the broker lib consumes the port without knowing the mode.
      global: true,
      providers: [
        { provide: LockService, useClass: lockServiceFor(options.mode) },
        options.mode === 'fleet'
          ? { provide: LockKeys, inject: [RedisKeyspace], useFactory: (keyspace: RedisKeyspace) => LockKeys.fleet(keyspace) }
          : { provide: LockKeys, useValue: LockKeys.local() },
        CredentialLocks,
      ],
      exports: [LockService, CredentialLocks],
    };
  }
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
