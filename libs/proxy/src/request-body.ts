import type { IncomingMessage } from 'node:http';
import { type Readable, Transform } from 'node:stream';
import { InvalidRequestError } from '@broker/problems';
import { PROXY_LIMITS } from './proxy.constants';
import { RequestTooLargeError } from './proxy.errors';

/** A caller's request body as the proxy sends it: none, buffered (so replayable), or streamed once. */
export type ProxyBody =
  | { readonly kind: 'none' }
  | { readonly kind: 'buffered'; readonly data: Buffer }
  | { readonly kind: 'streamed'; readonly length?: number; readonly stream: Readable; readonly overLimit: () => boolean };

/**
 * Decides how to send the caller's body. A `Content-Length` over `limit` is refused before anything is
 * sent; a body of at most 64 KiB is read into memory (so the call can be replayed after a token refresh);
 * anything larger, or chunked, is streamed, and a chunked body that passes `limit` fails its stream.
 */
export async function prepareBody(raw: IncomingMessage, limit: number): Promise<ProxyBody> {
  const declared = raw.headers['content-length'];
  const chunked = raw.headers['transfer-encoding'] !== undefined;
  if (declared === undefined && !chunked) return { kind: 'none' };
  if (declared !== undefined && !chunked) {
    const length = Number(declared);
    if (!/^\d{1,16}$/.test(declared) || !Number.isSafeInteger(length)) throw new InvalidRequestError('Content-Length must be a whole number of bytes.');
    if (length > limit) throw new RequestTooLargeError(limit);
    if (length === 0) return { kind: 'none' };
    if (length <= PROXY_LIMITS.replayableBodyBytes) return { kind: 'buffered', data: await readAll(raw, length) };
    return { kind: 'streamed', length, ...limited(raw, limit) };
  }
  return { kind: 'streamed', ...limited(raw, limit) };
}

function limited(raw: IncomingMessage, limit: number): { stream: Readable; overLimit: () => boolean } {
  let seen = 0;
  let over = false;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > limit) {
        over = true;
        done(new RequestTooLargeError(limit));
        return;
      }
      done(null, chunk);
    },
  });
  raw.on('error', (error) => counter.destroy(error));
  raw.pipe(counter);
  return { stream: counter, overLimit: () => over };
}

async function readAll(raw: IncomingMessage, length: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of raw as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > length) break;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, Math.min(size, length));
}
