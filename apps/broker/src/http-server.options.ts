import type { ServerOptions } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HttpTimeouts } from '@broker/config';
import { PROBLEM_CONTENT_TYPE, problemOf } from '@broker/problems';

/**
 * Node checks the head and request timeouts of open connections only this often (30 s by default), so a
 * 10 s bound would really be up to 40 s: check every second.
 */
const CONNECTIONS_CHECK_INTERVAL_MS = 1_000;

/** The Fastify server options that bound slow and idle clients (see HttpTimeouts). */
export function httpServerOptions(timeouts: HttpTimeouts): {
  http: ServerOptions;
  requestTimeout: number;
  keepAliveTimeout: number;
} {
  return {
    http: {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      connectionsCheckingInterval: CONNECTIONS_CHECK_INTERVAL_MS,
      // Node answers an HTTP/1.1 request without Host with a bare 400 and no body; let it through to the
      // hook below, which answers the same problem body as every other malformed request.
      requireHostHeader: false,
    },
    requestTimeout: timeouts.requestTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
  };
}

/** An `onRequest` hook: HTTP/1.1 requires a Host header (RFC 9112 §3.2); refuse its absence as a problem. */
export function refuseMissingHost(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  const { raw } = request;
  if (raw.httpVersionMajor === 1 && raw.httpVersionMinor >= 1 && raw.headers.host === undefined) {
    const body = { ...problemOf(400, 'invalid_request', 'Invalid request', 'An HTTP/1.1 request must carry a Host header.'), request_id: request.id };
    void reply.code(400).header('connection', 'close').header('x-request-id', request.id).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
    return;
  }
  done();
}
