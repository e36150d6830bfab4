import { type DynamicModule, Module } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import { TerminusModule } from '@nestjs/terminus';
import { AccessModule } from '@broker/access';
import { TokensModule } from '@broker/tokens';
import { type BrokerConfig, type BrokerEnvironment, ConfigModule } from '@broker/config';
import { FleetModule } from '@broker/fleet';
import { IssuersModule } from '@broker/issuers';
import { type BrokerMetrics, ObservabilityModule, type RootLogger } from '@broker/observability';
import { ProxyModule } from '@broker/proxy';
import { RedisModule } from '@broker/redis';
import { RotationModule } from '@broker/rotation';
import { SecretsModule } from '@broker/secrets';
import { AdminController } from './admin.controller';
import { CredentialStatusService } from './credential-status';
import { FleetEventsListener } from './fleet-events.listener';
import { HealthController } from './health.controller';
import { InstanceStatusService } from './instance-status';
import { Lifecycle } from './lifecycle';
import { ReadinessService } from './readiness/readiness.service';
import { MetricsController } from './metrics.controller';
import { RotationsController } from './rotations.controller';
import { TokenServing } from './token-serving';
import { TokensController } from './tokens.controller';

/**
 * Wires the bounded contexts into the broker service; holds no logic of its own. `REDIS_URL` (or Sentinel,
 * or Cluster nodes) selects fleet mode: tokens shared through Redis, refreshes coordinated by a lock.
 */
@Module({})
export class AppModule {
  static forRoot(options: {
    env: BrokerEnvironment;
    config: BrokerConfig;
    logger: RootLogger;
    auditDestination: DestinationStream;
    metrics: BrokerMetrics;
  }): DynamicModule {
    const mode = options.env.redis ? 'fleet' : 'local';
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ env: options.env, config: options.config }),
        ObservabilityModule.forRoot({ logger: options.logger, auditDestination: options.auditDestination, metrics: options.metrics }),
        TerminusModule.forRoot({ logger: false }),
        ...(options.env.redis ? [RedisModule.forRoot(options.env.redis)] : []),
        FleetModule.forRoot({ mode }),
        SecretsModule,
        TokensModule.forRoot({ mode }),
        IssuersModule,
        AccessModule.forRoot({ mode }),
        ProxyModule.forRoot({ mode }),
        RotationModule.forRoot({
          mode,
          ...(options.env.rotationCheckIntervalMs === undefined ? {} : { checkIntervalMs: options.env.rotationCheckIntervalMs }),
        }),
      ],
      controllers: [TokensController, HealthController, AdminController, MetricsController, RotationsController],
      providers: [Lifecycle, CredentialStatusService, FleetEventsListener, ReadinessService, InstanceStatusService, TokenServing],
    };
  }
}
