import { Readable } from 'node:stream';
import { Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sha256Hex, TokenService } from '@broker/tokens';
import type { CredentialConfig, ProxySettings } from '@broker/config';
import { callerHeaders } from '@broker/issuers';
import { AuditLog, BrokerMetrics } from '@broker/observability';
import { DomainError } from '@broker/problems';
import type { StoredToken } from '@broker/token-store';
import { PROXY_LIMITS } from './proxy.constants';
import { RequestTooLargeError, UnknownUpstreamError } from './proxy.errors';
import { callerResponseHeaders, upstreamRequestHeaders } from './proxy-headers';
import { type ProxyTarget, type UpstreamTarget, upstreamTargetOf } from './proxy-path';
import { type ProxyBody, prepareBody } from './request-body';
import { type UpstreamAnswer, UpstreamForwarder } from './upstream.forwarder';

/** An authorised proxy call: who, with which credential, to which upstream and where under it. */
export interface ProxyCall {
  readonly callerId: string;
  readonly credential: CredentialConfig;
  readonly settings: ProxySettings;
  readonly upstream: string;
  readonly target: UpstreamTarget;
}

/** The caller went away before the answer was complete. */
class CallerGoneError extends Error {
  constructor() {
    super('caller closed the connection');
    this.name = new.target.name;
  }
}

/**
 * Credential injection: forwards a caller's request to one of the credential's upstreams with the
 * credential's token and headers, streams both bodies, and on a 401 for the current token has it replaced
 * once for the fleet and replays the call when its body allows. Metrics and the audit event are written when
 * the answer to the caller is complete, whatever it was.
 */
@Injectable()
export class ProxyService {
  private readonly logger = new Logger(ProxyService.name);

  constructor(
    private readonly tokens: TokenService,
    private readonly forwarder: UpstreamForwarder,
    private readonly metrics: BrokerMetrics,
    private readonly audit: AuditLog,
  ) {}

  /** The call to make for `target` with `credential`; `UnknownUpstreamError` when it has no such upstream. */
  resolve(callerId: string, credential: CredentialConfig, target: ProxyTarget): ProxyCall {
    const settings = credential.proxy;
    const baseUrl = settings !== undefined && Object.hasOwn(settings.upstreams, target.upstream) ? settings.upstreams[target.upstream] : undefined;
    if (settings === undefined || baseUrl === undefined) throw new UnknownUpstreamError(credential.id);
    return { callerId, credential, settings, upstream: target.upstream, target: upstreamTargetOf(baseUrl, target) };
  }

  /** Forwards the request and sends the upstream's answer (or throws a `DomainError` for the route to answer). */
  async forward(request: FastifyRequest, reply: FastifyReply, call: ProxyCall): Promise<void> {
    const started = performance.now();
    const abort = new AbortController();
    const outcome: { upstreamStatus?: number; fingerprint?: string; code?: string; retried?: boolean } = {};
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) abort.abort(new CallerGoneError());
      this.record(request, reply, call, outcome, performance.now() - started);
    });
    try {
      const body = await prepareBody(request.raw, call.settings.maxRequestBodyBytes);
      let token = await this.tokens.getToken(call.credential.id, PROXY_LIMITS.minTokenTtlSeconds);
      outcome.fingerprint = sha256Hex(token.accessToken);
      let answer = await this.send(request, call, token, body, abort.signal);
      if (answer.status === 401) {
        const held = await holdBody(answer.body, PROXY_LIMITS.heldRejectionBodyBytes);
        const replacement = await this.replacementFor(call.credential.id, token, outcome.fingerprint);
        if (replacement && body.kind !== 'streamed') {
          token = replacement;
          outcome.fingerprint = sha256Hex(token.accessToken);
          outcome.retried = true;
          answer = await this.send(request, call, token, body, abort.signal);
        } else {
          answer = { ...answer, body: held };
        }
      }
      outcome.upstreamStatus = answer.status;
      void reply.status(answer.status).headers(callerResponseHeaders(answer.headers, answer.status, String(request.id)));
      await reply.send(answer.body);
    } catch (error) {
      outcome.code = error instanceof DomainError ? error.code : 'internal_error';
      if (error instanceof CallerGoneError) return;
      throw error;
    }
  }

  private send(request: FastifyRequest, call: ProxyCall, token: StoredToken, body: ProxyBody, signal: AbortSignal): Promise<UpstreamAnswer> {
    const injected = callerHeaders(call.credential, token.accessToken);
    const length = body.kind === 'buffered' ? body.data.length : body.kind === 'streamed' ? body.length : undefined;
    const sent = this.forwarder.send({
      target: call.target,
      method: request.method,
      headers: upstreamRequestHeaders(request.headers, injected, length),
      ...(body.kind === 'buffered' ? { body: body.data } : body.kind === 'streamed' ? { body: body.stream } : {}),
      timeoutMs: call.settings.timeoutMs,
      signal,
    });
    if (body.kind !== 'streamed') return sent;
    // A chunked body that went over the limit aborts the upstream call; answer 413, not the abort.
    return sent.catch((error: unknown) => {
      throw body.overLimit() ? new RequestTooLargeError(call.settings.maxRequestBodyBytes) : error;
    });
  }

  /** Reports the rejected token; a different token back means it was replaced (or already had been). */
  private async replacementFor(credentialId: string, token: StoredToken, fingerprint: string): Promise<StoredToken | undefined> {
    try {
      const { token: next } = await this.tokens.reportRejection(credentialId, fingerprint);
      return next.accessToken === token.accessToken ? undefined : next;
    } catch (error) {
      // No new token to be had (identity provider down): the caller gets the upstream's 401 as it was.
      this.logger.warn({ msg: 'token rejected upstream and could not be replaced', credential_id: credentialId, code: error instanceof DomainError ? error.code : 'internal_error' });
      return undefined;
    }
  }

  private record(request: FastifyRequest, reply: FastifyReply, call: ProxyCall, outcome: { upstreamStatus?: number; fingerprint?: string; code?: string; retried?: boolean }, elapsedMs: number): void {
    const labels = { credential: call.credential.id, upstream: call.upstream };
    this.metrics.proxyRequests.inc({ ...labels, status: String(reply.statusCode) });
    this.metrics.proxyDuration.observe(labels, elapsedMs / 1000);
    this.audit.record({
      action: 'proxy.request',
      outcome: outcome.upstreamStatus === undefined ? 'failure' : 'success',
      callerId: call.callerId,
      credentialId: call.credential.id,
      status: reply.statusCode,
      ...(outcome.fingerprint === undefined ? {} : { tokenFingerprint: outcome.fingerprint.slice(0, 12) }),
      ...(outcome.code === undefined ? {} : { reason: outcome.code }),
      details: {
        upstream: call.upstream,
        method: request.method,
        duration_ms: Math.round(elapsedMs * 10) / 10,
        ...(outcome.upstreamStatus === undefined ? {} : { upstream_status: outcome.upstreamStatus }),
        ...(outcome.retried ? { retried: true } : {}),
        ...(reply.raw.writableFinished ? {} : { completed: false }),
      },
    });
  }
}

/** Reads up to `limit` bytes of a body; the answer streams what was read, then whatever is left. */
async function holdBody(body: Readable, limit: number): Promise<Readable> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size > limit) {
      return Readable.from((async function* () {
        yield* chunks;
        yield* body as AsyncIterable<Buffer>;
      })());
    }
  }
  return Readable.from(chunks);
}
