import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DomainError } from '@broker/problems';
import { ROTATION_OPTIONS, ROTATION_TIMINGS } from '../rotation.constants';
import type { RotationModuleOptions } from '../rotation.options';
import { RotationService } from '../rotation.service';

/**
 * The loop every instance runs: each check interval (first soon after boot), `RotationService.check` for
 * every credential with rotation settings. Which instance acts is decided by the lock and the persisted
 * record, so a schedule fires once per fleet and an interrupted rotation is resumed by whoever is alive.
 */
@Injectable()
export class RotationScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(this.constructor.name);
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private stopped = false;

  constructor(
    private readonly rotations: RotationService,
    @Inject(ROTATION_OPTIONS) private readonly options: RotationModuleOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.arm(Math.min(ROTATION_TIMINGS.firstCheckDelayMs, this.options.checkIntervalMs));
  }

  onModuleDestroy(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** One pass over the rotatable credentials; a failing credential does not hold up the others. */
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      await Promise.all(
        this.rotations.rotatableCredentials().map((credential) =>
          this.rotations.check(credential.id).catch((error: unknown) => {
            this.logger.warn({ msg: 'rotation check failed', credential_id: credential.id, code: error instanceof DomainError ? error.code : errorName(error) });
          }),
        ),
      );
    } finally {
      this.ticking = false;
    }
  }

  private arm(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.tick().finally(() => this.arm(this.options.checkIntervalMs));
    }, delayMs);
    this.timer.unref();
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown';
}
