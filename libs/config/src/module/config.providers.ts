import type { ValueProvider } from '@nestjs/common';
import type { BrokerConfig } from '../schema/broker-config.types';
import type { BrokerEnvironment } from '../environment/broker-environment.interface';
import { BROKER_ENV } from '../config.constants';
import { ConfigReloader } from './config.reloader';
import { ConfigService } from './config.service';
import { ProcessEnvironment } from '../environment/process-environment.service';

export interface ConfigModuleOptions {
  readonly env: BrokerEnvironment;
  readonly config: BrokerConfig;
  /** Defaults to a copy of `process.env` taken now; tests pass their own. */
  readonly processEnvironment?: ProcessEnvironment;
}

/** The providers of `ConfigModule.forRoot`, as a plain function so they can be tested without Nest. */
export function createConfigProviders(options: ConfigModuleOptions): ValueProvider[] {
  const config = new ConfigService(options.config);
  return [
    { provide: BROKER_ENV, useValue: options.env },
    { provide: ConfigService, useValue: config },
    { provide: ConfigReloader, useValue: new ConfigReloader(options.env, config) },
    { provide: ProcessEnvironment, useValue: options.processEnvironment ?? ProcessEnvironment.capture() },
  ];
}
