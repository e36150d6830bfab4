import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ConfigReloader, ConfigValidationError } from '@broker/config';
import { type FleetEvent, FleetBus } from '@broker/fleet';

/**
 * Acts on the fleet event that belongs to the app: another instance reloaded its configuration (re-read
 * ours: every replica reads the same mounted file). `secret-changed` is not handled here: the rotation lib's
 * SecretChangeListener re-reads the secret and keeps the cached one when the source is unreachable.
 */
@Injectable()
export class FleetEventsListener implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(FleetEventsListener.name);
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly events: FleetBus,
    private readonly reloader: ConfigReloader,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.events.subscribe((event) => this.handle(event));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /** Reloads the config file, logging the outcome; used for SIGHUP and for reloads announced by the fleet. */
  reloadAndLog(trigger: string): void {
    try {
      const result = this.reloader.reload();
      this.logger.log({ msg: 'configuration reloaded', trigger, credentials: result.credentials, callers: result.callers });
    } catch (error) {
      if (!(error instanceof ConfigValidationError)) throw error;
      this.logger.error({ msg: 'configuration reload rejected; keeping the running configuration', trigger, issues: error.issues });
    }
  }

  private handle(event: FleetEvent): void {
    if (event.origin === this.events.instanceId) return;
    if (event.type === 'config-reload') this.reloadAndLog('fleet');
  }
}
