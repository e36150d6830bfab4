import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { runWithRequestId } from './request-context';

/**
 * Attaches the request id to the async context of each request (so every log line written while serving it
 * carries the id), echoes it as `x-request-id`, and writes one access line per response: successful requests
 * at debug (the hot path), everything else at info. Only method, route pattern, status and duration are logged,
 * never headers or query strings.
 */
export function installHttpLogging(fastify: FastifyInstance, logger: Logger): void {
  const access = logger.child({ component: 'http' });
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    runWithRequestId(String(request.id), done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const level = reply.statusCode < 400 ? 'debug' : 'info';
    if (access.isLevelEnabled(level)) {
      access[level](
        {
          request_id: request.id,
          method: request.method,
          route: request.routeOptions.url ?? 'unmatched',
          status: reply.statusCode,
          duration_ms: Math.round(reply.elapsedTime * 10) / 10,
        },
        'request completed',
      );
    }
    done();
  });
}
