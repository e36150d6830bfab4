import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@broker/config';
import { SecretsService } from '@broker/secrets';
import { FleetBus } from '@broker/fleet';
import { RotationService } from './rotation.service';

/**
 * Every instance's half of a promotion: on `secret-changed` (published by the instance that promoted, heard
 * by all, itself included) the credential's secret is re-read from its source at once instead of when the
 * cache expires. `reload` rather than a bare `invalidate`: if Secrets Manager is briefly unreachable the
 * previous secret stays cached, and it is still valid at Adobe until the rotation retires it.
 */
@Injectable()
export class SecretChangeListener implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(this.constructor.name);
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly events: FleetBus,
    private readonly secrets: SecretsService,
    private readonly config: ConfigService,
    private readonly rotations: RotationService,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.events.subscribe((event) => {
      if (event.type === 'secret-changed') void this.onSecretChanged(event.credentialId);
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  private async onSecretChanged(credentialId: string): Promise<void> {
    this.rotations.markStale(credentialId);
    const credential = this.config.credential(credentialId);
    if (!credential) return;
    try {
      const material = await this.secrets.reload(credential);
      this.logger.log({ msg: 'secret re-read after a rotation', credential_id: credentialId, version: material.version ?? 'unversioned' });
    } catch {
      this.logger.warn({ msg: 'secret changed but could not be re-read; keeping the cached one until the next read', credential_id: credentialId });
    }
  }
}
