import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { BrokerConfig, BrokerEnvironment } from '@broker/config';
import {
  AuditLog,
  BrokerMetrics,
  createAccessLog,
  createAuditLogger,
  installHttpLogging,
  installReadinessMetrics,
  PinoNestLogger,
  requestIdFrom,
  type RootLogger,
} from '@broker/observability';
import { ProblemFilter } from '@broker/problems';
import { AppModule } from './app.module';
import { answerClientError } from './client-error.handler';
import { httpServerOptions, refuseMissingHost } from './http-server.options';
import { DenialAuditFilter } from './denial-audit.filter';
import { installOpenApi } from './openapi/openapi';
import { httpsOptionsFor, installTlsServing, type TlsServingOptions } from './transport/tls-serving';

/** Request bodies are tiny (admin actions at most); headers and URLs are bounded too. */
const BODY_LIMIT_BYTES = 16 * 1024;
const MAX_PARAM_LENGTH = 256;

export interface BrokerAppOptions {
  readonly env: BrokerEnvironment;
  readonly config: BrokerConfig;
  readonly logger: RootLogger;
  /** The audit trail's logger; defaults to the root logger's stream, tagged `log_type: "audit"`. */
  readonly auditLogger?: RootLogger;
  /** TLS serving (when `env.tls` is set): pre-loaded material, handshake bound, reload timing. */
  readonly tls?: TlsServingOptions;
}

/** Builds the broker application (not yet listening); used by `main.ts` and by the e2e tests. */
export async function createBrokerApp(options: BrokerAppOptions): Promise<NestFastifyApplication> {
  const problems = new ProblemFilter();
  const metrics = new BrokerMetrics();
  const accessLog = createAccessLog(options.logger, metrics);
  const serving = httpsOptionsFor(options.env, options.logger, options.tls);
  const adapter = new FastifyAdapter({
    ...(serving === undefined ? {} : { https: serving.https }),
    genReqId: (request: IncomingMessage) => requestIdFrom(request.headers['x-request-id']),
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    return503OnClosing: true,
    ...httpServerOptions(options.env.http),
    // Errors Fastify raises before routing skip Nest's filters and the request-id hook; answer them alike.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      void reply.header('x-request-id', request.id);
      problems.send(error, request, reply);
      accessLog(request, reply);
    },
    // And requests the HTTP parser itself refuses (oversized headers, malformed bytes): problems too.
    clientErrorHandler: answerClientError,
  });
  const auditLogger = options.auditLogger ?? createAuditLogger(options.logger);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot({ ...options, auditLogger, metrics }), adapter, {
    logger: new PinoNestLogger(options.logger),
    abortOnError: false,
  });
  app.useGlobalFilters(new DenialAuditFilter(problems, app.get(AuditLog)));
  installHttpLogging(app.getHttpAdapter().getInstance(), options.logger, accessLog);
  if (serving !== undefined) {
    installTlsServing(app.getHttpAdapter().getInstance(), options.env, serving.material, { logger: options.logger, problems, audit: app.get(AuditLog) }, options.tls);
  }
  app.getHttpAdapter().getInstance().addHook('onRequest', refuseMissingHost);
  installReadinessMetrics(app.getHttpAdapter().getInstance(), metrics.service);
  installOpenApi(app);
  await app.init();
  return app;
}
