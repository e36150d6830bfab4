import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type * as Undici from 'undici';
import { PROXY_LIMITS } from './proxy.constants';
import { UpstreamTimeoutError, UpstreamUnreachableError } from './proxy.errors';
import type { UpstreamTarget } from './proxy-path';

/** One upstream call as the forwarder makes it. */
export interface UpstreamCall {
  readonly target: UpstreamTarget;
  readonly method: string;
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly body?: Buffer | Readable;
  /** Until the response headers, and the longest pause between response body chunks. */
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

/** The upstream's answer: status, headers, and the body as a stream not yet read. */
export interface UpstreamAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Readable;
}

/**
 * Sends calls upstream through one undici `Agent`: pooled keep-alive connections per origin, no redirects
 * followed (undici follows none unless told to), bodies streamed both ways. Connection failures become
 * `502 upstream_unreachable`, missing response headers in time `504 upstream_timeout`; an aborted call
 * (caller gone, request body over its limit) rethrows the abort reason for the caller of `send` to judge.
 */
@Injectable()
export class UpstreamForwarder implements OnModuleDestroy {
  /**
   * Created at the first proxied call: undici (110 modules, ~6 MiB of heap) is loaded only by a broker
   * that proxies. After that, `send` takes no extra step.
   */
  private client: { readonly agent: Undici.Agent; readonly errors: typeof Undici.errors } | undefined;
  private loading: Promise<{ readonly agent: Undici.Agent; readonly errors: typeof Undici.errors }> | undefined;

  async send(call: UpstreamCall): Promise<UpstreamAnswer> {
    const { agent, errors } = this.client ?? (await this.load());
    try {
      const response = await agent.request({
        origin: call.target.origin,
        path: call.target.path,
        method: call.method as 'GET',
        headers: call.headers as Record<string, string>,
        ...(call.body === undefined ? {} : { body: call.body }),
        headersTimeout: call.timeoutMs,
        bodyTimeout: call.timeoutMs,
        signal: call.signal,
      });
      return { status: response.statusCode, headers: response.headers, body: response.body };
    } catch (error) {
      throw translate(error, call.signal, errors);
    }
  }

  async onModuleDestroy(): Promise<void> {
    const client = this.client ?? (await this.loading?.catch(() => undefined));
    await client?.agent.close();
  }

  private load(): Promise<{ readonly agent: Undici.Agent; readonly errors: typeof Undici.errors }> {
    this.loading ??= import('undici').then(
      ({ Agent, errors }) => (this.client = { agent: new Agent({ keepAliveTimeout: PROXY_LIMITS.keepAliveMs, connect: { timeout: PROXY_LIMITS.connectTimeoutMs } }), errors }),
      (error: unknown) => {
        this.loading = undefined;
        throw error;
      },
    );
    return this.loading;
  }
}

function translate(error: unknown, signal: AbortSignal, errors: typeof Undici.errors): unknown {
  if (signal.aborted) return signal.reason ?? error;
  if (error instanceof errors.HeadersTimeoutError || error instanceof errors.ConnectTimeoutError) return new UpstreamTimeoutError({ cause: error });
  // The request body stream failed (it went over its limit): the body's own error says why.
  if (error instanceof errors.RequestAbortedError) return error;
  if (error instanceof Error && 'statusCode' in error) return error;
  return new UpstreamUnreachableError({ cause: error });
}
