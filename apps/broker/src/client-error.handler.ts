import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { ConnectionError } from 'fastify';
import { PROBLEM_CONTENT_TYPE, problemOf } from '@broker/problems';

/** What the HTTP parser refused, as a problem: oversized headers, a timeout, or anything that is not HTTP/1.1. */
function problemFor(code: string): { status: number; reason: string; body: ReturnType<typeof problemOf> } {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, reason: 'Request Header Fields Too Large', body: problemOf(431, 'headers_too_large', 'Request header fields too large', 'The request headers exceed 16 KiB.') };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, reason: 'Request Timeout', body: problemOf(408, 'request_timeout', 'Request timeout', 'The request was not received in time.') };
    default:
      return { status: 400, reason: 'Bad Request', body: problemOf(400, 'invalid_request', 'Invalid request', 'The request is not valid HTTP/1.1.') };
  }
}

/**
 * Fastify's `clientErrorHandler`: requests the HTTP parser rejects never reach Fastify or Nest, so they are
 * answered here, as the same problem bodies as every other error (Fastify's default is ad-hoc JSON), then the
 * connection is closed. A HEAD gets the headers only: a body there would be read by the client as the start
 * of the next response. Nothing from the request is quoted or logged.
 */
export function answerClientError(error: ConnectionError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, reason, body } = problemFor(error.code);
  const raw: unknown = error.rawPacket;
  const head = Buffer.isBuffer(raw) && raw.subarray(0, 5).toString('latin1') === 'HEAD ';
  const text = JSON.stringify({ ...body, request_id: randomUUID() });
  const headers = `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n`;
  if (socket.writable) socket.write(head ? headers : headers + text);
  socket.destroy();
}
