import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { BrokerEnvironment } from '../environment/broker-environment.interface';
import { BROKER_ENV } from '../config.constants';
import { configDoc, parseDoc } from '../../../../test/fixtures/config.fixtures';
import { ConfigModule } from './config.module';
import { createConfigProviders } from './config.providers';
import { ConfigReloader } from './config.reloader';
import { ConfigService } from './config.service';
import { parseEnvironment } from '../environment/environment.parser';
import { ProcessEnvironment } from '../environment/process-environment.service';

const env = parseEnvironment({ PORT: '9000' });
const config = parseDoc(configDoc());
const processEnvironment = new ProcessEnvironment({ AEP_CLIENT_SECRET: 's' });

// A consumer in another module, to prove the providers are global.
@Injectable()
class Consumer {
  constructor(
    readonly config: ConfigService,
    readonly environment: ProcessEnvironment,
  ) {}
}

@Module({ providers: [Consumer], exports: [Consumer] })
class ConsumerModule {}

describe('ConfigModule', () => {
  it('provides the environment, the config service and the process environment globally', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot({ env, config, processEnvironment }), ConsumerModule],
    }).compile();

    const consumer = moduleRef.get(Consumer);
    expect(moduleRef.get<BrokerEnvironment>(BROKER_ENV)).toBe(env);
    expect(consumer.config.current).toBe(config);
    expect(consumer.config).toBe(moduleRef.get(ConfigService));
    expect(consumer.environment.get('AEP_CLIENT_SECRET')).toBe('s');
    await moduleRef.close();
  });

  it('captures process.env when no process environment is given', () => {
    const providers = createConfigProviders({ env, config });

    expect(providers.map((p) => p.provide)).toEqual([BROKER_ENV, ConfigService, ConfigReloader, ProcessEnvironment]);
    expect(providers[3]?.useValue).toBeInstanceOf(ProcessEnvironment);
  });
});
