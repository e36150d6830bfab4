import { type DynamicModule, Module } from '@nestjs/common';
import { FleetModule } from '@broker/fleet';
import { IssuersModule } from '@broker/issuers';
import { LockingModule } from '@broker/locking';
import { SecretsModule } from '@broker/secrets';
import { AdobeConsoleClient } from './console/adobe-console.client';
import { ManagementTokens } from './console/management-tokens';
import { MemoryRotationStateStore } from './state/memory.rotation-state';
import { RedisRotationStateStore } from './state/redis.rotation-state';
import { ROTATION_OPTIONS, ROTATION_TIMINGS } from './rotation.constants';
import type { RotationModuleOptions } from './rotation.options';
import { RotationRecovery } from './steps/rotation-recovery';
import { RotationRunner } from './steps/rotation.runner';
import { RotationScheduler } from './schedule/rotation.scheduler';
import { RotationService } from './rotation.service';
import { RotationStateStore } from './state/rotation-state.port';
import { RotationSteps } from './steps/rotation.steps';
import { SecretChangeListener } from './secret-change.listener';

/**
 * Client-secret rotation for adobe-ims credentials with `rotation:` settings. Imports the locks and the
 * fleet bus of its mode; in fleet mode needs the global RedisModule.
 */
@Module({})
export class RotationModule {
  static forRoot(options: { mode: RotationModuleOptions['mode']; checkIntervalMs?: number }): DynamicModule {
    const resolved: RotationModuleOptions = { mode: options.mode, checkIntervalMs: options.checkIntervalMs ?? ROTATION_TIMINGS.defaultCheckIntervalMs };
    return {
      module: RotationModule,
      imports: [SecretsModule, IssuersModule, LockingModule.forRoot({ mode: options.mode }), FleetModule.forRoot({ mode: options.mode })],
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
