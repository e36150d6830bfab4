import { type DynamicModule, Module } from '@nestjs/common';
import { IssuersModule } from '@broker/issuers';
import { SecretsModule } from '@broker/secrets';
import { AdobeConsoleClient } from './adobe-console.client';
import { ManagementTokens } from './management-tokens';
import { MemoryRotationStateStore } from './memory.rotation-state';
import { RedisRotationStateStore } from './redis.rotation-state';
import { ROTATION_OPTIONS, ROTATION_TIMINGS } from './rotation.constants';
import type { RotationModuleOptions } from './rotation.options';
import { RotationRecovery } from './rotation-recovery';
import { RotationRunner } from './rotation.runner';
import { RotationScheduler } from './rotation.scheduler';
import { RotationService } from './rotation.service';
import { RotationStateStore } from './rotation-state.port';
import { RotationSteps } from './rotation.steps';
import { SecretChangeListener } from './secret-change.listener';

/**
 * Client-secret rotation for adobe-ims credentials with `rotation:` settings. Needs the global
 * LockingModule and FleetModule (events) of the same mode, and in fleet mode the global RedisModule.
 */
@Module({})
export class RotationModule {
  static forRoot(options: { mode: RotationModuleOptions['mode']; checkIntervalMs?: number }): DynamicModule {
    const resolved: RotationModuleOptions = { mode: options.mode, checkIntervalMs: options.checkIntervalMs ?? ROTATION_TIMINGS.defaultCheckIntervalMs };
    return {
      module: RotationModule,
      imports: [SecretsModule, IssuersModule],
      providers: [
        { provide: ROTATION_OPTIONS, useValue: resolved },
        { provide: RotationStateStore, useClass: options.mode === 'fleet' ? RedisRotationStateStore : MemoryRotationStateStore },
        AdobeConsoleClient,
        ManagementTokens,
        RotationSteps,
        RotationRecovery,
        RotationRunner,
        RotationService,
        RotationScheduler,
        SecretChangeListener,
      ],
      exports: [RotationService],
    };
  }
}
