import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { BrokerMetrics } from '@broker/observability';
import { RateLimitedError, RateLimiter } from '@broker/rate-limit';
import type { Caller } from './caller';
import { CallerAuthenticator } from './caller.authenticator';
import { presentedCertificateOf } from './presented-certificate';

/**
 * Rejects unauthenticated requests (401; by client certificate or `Authorization`), attaches the `Caller` to the request, then takes one request from
 * the caller's token bucket (429 with `Retry-After` when it is empty). With an API key and in-memory buckets
 * this all happens synchronously: it runs on every request.
 */
@Injectable()
export class CallerGuard implements CanActivate {
  constructor(
    private readonly authenticator: CallerAuthenticator,
    private readonly limiter: RateLimiter,
    private readonly metrics: BrokerMetrics,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const certificate = presentedCertificateOf(request.raw.socket);
    if (certificate !== undefined) request.certificateFingerprint = certificate.fingerprint;
    const caller = this.authenticator.authenticate(request.headers.authorization, certificate);
    return caller instanceof Promise ? caller.then((known) => this.admit(request, known)) : this.admit(request, caller);
  }

  private admit(request: FastifyRequest, caller: Caller): boolean | Promise<boolean> {
    request.caller = caller;
    if (caller.rateLimit === undefined) return true;
    const wait = this.limiter.take(caller.id, caller.rateLimit);
    return typeof wait === 'number' ? this.admitted(caller, wait) : wait.then((ms) => this.admitted(caller, ms));
  }

  private admitted(caller: Caller, waitMs: number): true {
    if (waitMs === 0) return true;
    this.metrics.rateLimited.inc({ caller: caller.id });
    throw new RateLimitedError(waitMs);
  }
}
