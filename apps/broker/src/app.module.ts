import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AccessModule } from '@broker/access';
import { BrokerModule } from '@broker/broker';
import { type BrokerConfig, type BrokerEnvironment, ConfigModule } from '@broker/config';
import { SecretsModule } from '@broker/secrets';
import { HealthController } from './health.controller';
import { TokensController } from './tokens.controller';

/** Wires the bounded contexts into the broker service; holds no logic of its own. */
@Module({})
export class AppModule {
  static forRoot(options: { env: BrokerEnvironment; config: BrokerConfig }): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(options),
        TerminusModule.forRoot({ logger: false }),
        SecretsModule,
        BrokerModule,
        AccessModule,
      ],
      controllers: [TokensController, HealthController],
    };
  }
}
