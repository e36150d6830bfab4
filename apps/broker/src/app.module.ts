import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AccessModule } from '@broker/access';
import { BrokerModule } from '@broker/broker';
import { type BrokerConfig, type BrokerEnvironment, ConfigModule } from '@broker/config';
import { LockingModule } from '@broker/locking';
import { RedisModule } from '@broker/redis';
import { SecretsModule } from '@broker/secrets';
import { TokenStoreModule } from '@broker/token-store';
import { HealthController } from './health.controller';
import { TokensController } from './tokens.controller';

/**
 * Wires the bounded contexts into the broker service; holds no logic of its own. `REDIS_URL` (or Sentinel,
 * or Cluster nodes) selects fleet mode: tokens shared through Redis, refreshes coordinated by a lock.
 */
@Module({})
export class AppModule {
  static forRoot(options: { env: BrokerEnvironment; config: BrokerConfig }): DynamicModule {
    const mode = options.env.redis ? 'fleet' : 'local';
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(options),
        TerminusModule.forRoot({ logger: false }),
        ...(options.env.redis ? [RedisModule.forRoot(options.env.redis)] : []),
        TokenStoreModule.forRoot({ mode }),
        LockingModule.forRoot({ mode }),
        SecretsModule,
        BrokerModule,
        AccessModule,
      ],
      controllers: [TokensController, HealthController],
    };
  }
}
