import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { DestinationStream } from 'pino';
import { AccessPolicy, CallerAuthenticator, CallerGuard } from '@broker/access';
import { RateLimiter } from '@broker/rate-limit';
import { TokenService } from '@broker/tokens';
import { type BrokerConfig, type BrokerEnvironment, ConfigService } from '@broker/config';
import {
  AuditLog,
  BrokerMetrics,
  createAccessLog,
  createAccessRecorder,
  auditDestination,
  installHttpLogging,
  installReadinessMetrics,
  PinoNestLogger,
  requestIdFrom,
  type RootLogger,
} from '@broker/observability';
import { ProblemFilter } from '@broker/problems';
import { ProxyService } from '@broker/proxy';
import { AppModule } from './app.module';
import { answerClientError } from './client-error.handler';
import { httpServerOptions, refuseMissingHost } from './http-server.options';
import { DenialAuditFilter } from './denial-audit.filter';
import { installOpenApi } from './openapi/openapi';
import { httpsOptionsFor, installTlsServing, type TlsServingOptions } from './transport/tls-serving';
import { registerProxyRoute } from './proxy.route';
import { installHotPaths } from './hot-path';
import { installFastLane } from './fast-lane';
import { TokenServing } from './token-serving';

/** Request bodies are tiny (admin actions at most); headers and URLs are bounded too. */
const BODY_LIMIT_BYTES = 16 * 1024;
const MAX_PARAM_LENGTH = 256;

export interface BrokerAppOptions {
  readonly env: BrokerEnvironment;
  readonly config: BrokerConfig;
  readonly logger: RootLogger;
  /** Where the audit trail's lines go (AUDIT_LOG's file); defaults to the root logger's stream. */
  readonly auditDestination?: DestinationStream;
  /** TLS serving (when `env.tls` is set): pre-loaded material, handshake bound, reload timing. */
  readonly tls?: TlsServingOptions;
  /**
   * How the callers' GET routes are served: `fast` (default) puts the fast lane in front of Fastify and serves
   * the rest with the `@HotPath` handlers; `fastify` only the latter; `nest` through Nest's own pipeline. The
   * last two only where a test compares the answers, which must be the same.
   */
  readonly servingPath?: 'fast' | 'fastify' | 'nest';
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
  const auditStream = auditDestination(options.logger, options.auditDestination);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot({ ...options, auditDestination: auditStream, metrics }), adapter, {
    logger: new PinoNestLogger(options.logger),
    abortOnError: false,
  });
  const denials = new DenialAuditFilter(problems, app.get(AuditLog));
  app.useGlobalFilters(denials);
  const fastify = app.getHttpAdapter().getInstance();
  installHttpLogging(fastify, options.logger, accessLog);
  if (serving !== undefined) {
    installTlsServing(fastify, options.env, serving.material, { logger: options.logger, problems, audit: app.get(AuditLog) }, options.tls);
  }
  fastify.addHook('onRequest', refuseMissingHost);
  installReadinessMetrics(fastify, metrics.service);
  await registerProxyRoute(fastify, { guard: app.get(CallerGuard), access: app.get(AccessPolicy), config: app.get(ConfigService), proxy: app.get(ProxyService), errors: denials });
  const servingPath = options.servingPath ?? 'fast';
  const assertHotPathsInstalled = servingPath !== 'nest' ? installHotPaths(fastify, { guard: app.get(CallerGuard), serving: app.get(TokenServing), errors: denials }) : undefined;
  installOpenApi(app);
  await app.init();
  assertHotPathsInstalled?.();
  if (servingPath === 'fast') {
    let closing = false;
    fastify.addHook('preClose', (done) => {
      closing = true;
      done();
    });
    installFastLane(fastify.server, {
      authenticator: app.get(CallerAuthenticator),
      limiter: app.get(RateLimiter),
      access: app.get(AccessPolicy),
      tokens: app.get(TokenService),
      serving: app.get(TokenServing),
      config: app.get(ConfigService),
      recordAccess: createAccessRecorder(options.logger, metrics),
      closing: () => closing,
    });
  }
  return app;
}
