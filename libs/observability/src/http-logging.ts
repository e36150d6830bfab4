import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { BrokerMetrics } from './broker.metrics';
import { runWithRequestId } from './request-context';

/** Writes the one access line of a finished response; `route` is the matched route pattern, if any. */
export type AccessLog = (request: FastifyRequest, reply: FastifyReply, route?: string) => void;

/**
 * The access-line writer: successful requests at debug (the hot path), everything else at info. Only method,
 * route pattern, status and duration are logged (and counted, with `metrics`), never headers, path
 * parameters or query strings.
 */
export function createAccessLog(logger: Logger, metrics?: BrokerMetrics): AccessLog {
  const access = logger.child({ component: 'http' });
  return (request, reply, route) => {
    if (metrics) {
      metrics.recordHttpRequest(request.method, route ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    }
    const level = reply.statusCode < 400 ? 'debug' : 'info';
    if (!access.isLevelEnabled(level)) return;
    access[level](
      {
        request_id: request.id,
        method: request.method,
        route: route ?? 'unmatched',
        status: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request completed',
    );
  };
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
