import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { BrokerMetrics } from './broker.metrics';
import { runWithRequestId } from './request-context';

/** Writes the one access line of a finished response; `route` is the matched route pattern, if any. */
export type AccessLog = (request: FastifyRequest, reply: FastifyReply, route?: string) => void;

/** What an access line says of one answered request. */
export interface AccessRecord {
  readonly requestId: string;
  readonly method: string;
  /** The matched route pattern; undefined when no route matched. */
  readonly route: string | undefined;
  readonly status: number;
  readonly durationMs: number;
}

/**
 * The access-line writer: successful requests at debug (the hot path), everything else at info. Only method,
 * route pattern, status and duration are logged (and counted, with `metrics`), never headers, path
 * parameters or query strings.
 */
export function createAccessRecorder(logger: Logger, metrics?: BrokerMetrics): (record: AccessRecord) => void {
  const access = logger.child({ component: 'http' });
  return ({ requestId, method, route, status, durationMs }) => {
    metrics?.recordHttpRequest(method, route ?? 'unmatched', status, durationMs / 1000);
    const level = status < 400 ? 'debug' : 'info';
    if (!access.isLevelEnabled(level)) return;
    access[level]({ request_id: requestId, method, route: route ?? 'unmatched', status, duration_ms: Math.round(durationMs * 10) / 10 }, 'request completed');
  };
}

/** The access-line writer for Fastify's requests (see `createAccessRecorder`). */
export function createAccessLog(logger: Logger, metrics?: BrokerMetrics): AccessLog {
  const record = createAccessRecorder(logger, metrics);
  return (request, reply, route) => record({ requestId: String(request.id), method: request.method, route, status: reply.statusCode, durationMs: reply.elapsedTime });
}

/**
 * Attaches the request id to the async context of each request (so every log line written while serving it
 * carries the id), echoes it as `x-request-id`, and writes one access line per response. Requests Fastify
 * rejects before routing (its `frameworkErrors`) run no hooks: give their handler the same `accessLog`.
 */
export function installHttpLogging(fastify: FastifyInstance, logger: Logger, accessLog: AccessLog = createAccessLog(logger)): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    runWithRequestId(String(request.id), done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    accessLog(request, reply, request.routeOptions.url);
    done();
  });
}
