import { Inject, Injectable } from '@nestjs/common';
import type { BrokerEnvironment } from '../environment/broker-environment.interface';
import { BROKER_ENV } from '../config.constants';
import { loadBrokerConfig } from '../loading/config.loader';
import { ConfigService } from './config.service';

/** What a successful reload applied. */
export interface ReloadResult {
  readonly status: 'applied';
  readonly source: string;
  readonly credentials: number;
  readonly callers: number;
}

/**
 * Re-reads and validates the config file (BROKER_CONFIG) and applies it without a restart. An invalid file
 * throws `ConfigValidationError` with every problem and leaves the running configuration untouched.
 */
@Injectable()
export class ConfigReloader {
  constructor(
    @Inject(BROKER_ENV) private readonly env: BrokerEnvironment,
    private readonly config: ConfigService,
  ) {}

  /** Reloads the file; throws `ConfigValidationError` (nothing changed) when it is invalid. */
  reload(): ReloadResult {
    const next = loadBrokerConfig(this.env.configPath);
    this.config.replace(next);
    return { status: 'applied', source: next.source, credentials: next.credentials.length, callers: next.callers.length };
  }
}
