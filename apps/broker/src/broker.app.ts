import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { BrokerConfig, BrokerEnvironment } from '@broker/config';
import { installHttpLogging, PinoNestLogger, requestIdFrom, type RootLogger } from '@broker/observability';
import { ProblemFilter } from '@broker/problems';
import { AppModule } from './app.module';

/** Request bodies are tiny (admin actions at most); headers and URLs are bounded too. */
const BODY_LIMIT_BYTES = 16 * 1024;
const MAX_PARAM_LENGTH = 256;

export interface BrokerAppOptions {
  readonly env: BrokerEnvironment;
  readonly config: BrokerConfig;
  readonly logger: RootLogger;
}

/** Builds the broker application (not yet listening); used by `main.ts` and by the e2e tests. */
export async function createBrokerApp(options: BrokerAppOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    genReqId: (request: IncomingMessage) => requestIdFrom(request.headers['x-request-id']),
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    return503OnClosing: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(options), adapter, {
    logger: new PinoNestLogger(options.logger),
    abortOnError: false,
  });
  app.useGlobalFilters(new ProblemFilter());
  installHttpLogging(app.getHttpAdapter().getInstance(), options.logger);
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.init();
  return app;
}
