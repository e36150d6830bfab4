import { Global, Module, type DynamicModule } from '@nestjs/common';
import { createConfigProviders, type ConfigModuleOptions } from './config.providers';

/** Makes the validated environment and config available everywhere; load both before creating the app. */
@Global()
@Module({})
export class ConfigModule {
  /** Provides `BROKER_ENV`, `ConfigService` and `ProcessEnvironment` from values validated at boot. */
  static forRoot(options: ConfigModuleOptions): DynamicModule {
    const providers = createConfigProviders(options);
    return { module: ConfigModule, global: true, providers, exports: providers.map((p) => p.provide) };
  }
}
