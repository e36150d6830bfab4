import { type DynamicModule, Module } from '@nestjs/common';
import type { DestinationStream, Logger } from 'pino';
import { AuditLog } from './audit.log';
import { BrokerMetrics } from './broker.metrics';

/** DI token of the process's root pino logger. */
export const ROOT_LOGGER = 'BROKER:ROOT_LOGGER';

/** Makes the root logger, the audit log and the metrics injectable everywhere. */
@Module({})
export class ObservabilityModule {
  static forRoot(options: { logger: Logger; auditDestination: DestinationStream; metrics: BrokerMetrics }): DynamicModule {
    return {
      module: ObservabilityModule,
      global: true,
      providers: [
        { provide: ROOT_LOGGER, useValue: options.logger },
        { provide: AuditLog, useValue: new AuditLog(options.auditDestination) },
        { provide: BrokerMetrics, useValue: options.metrics },
      ],
      exports: [ROOT_LOGGER, AuditLog, BrokerMetrics],
    };
  }
}
