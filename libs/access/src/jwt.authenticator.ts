import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { createRemoteJWKSet, customFetch, decodeJwt, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { ConfigService, type JwtIssuerConfig } from '@broker/config';
import { ACCESS_MESSAGES, JWT_VERIFICATION } from './access.constants';
import { UnauthenticatedError } from './access.errors';
import type { Caller } from './caller';
import { callerFrom } from './caller.factory';
import { createJwksFetch, JwksUnavailableError } from './jwks.fetch';
import { workloadClaims } from './workload-claims';

interface TrustedIssuer {
  readonly config: JwtIssuerConfig;
  /** jose's cached, rate-bounded view of the issuer's key set. */
  readonly keys: JWTVerifyGetKey;
}

const subjectKey = (issuer: string, subject: string): string => `${issuer}\n${subject}`;

/**
 * Authenticates callers by workload JWT (e.g. a Kubernetes projected service-account token): signature
 * against the issuer's JWKS, `iss`, `aud`, `exp` (required) and `nbf` with a small leeway, the issuer's
 * algorithm allow-list whatever the token's header says; then `sub` must be a configured `jwtSubject` of
 * that issuer. Keys come only from the configured `jwksUri`, never from `jku`, `x5u` or an embedded `jwk`.
 */
@Injectable()
export class JwtAuthenticator implements OnModuleDestroy {
  private readonly logger = new Logger(JwtAuthenticator.name);
  private issuers = new Map<string, TrustedIssuer>();
  private bySubject = new Map<string, Caller>();
  private readonly unsubscribe: () => void;

  constructor(private readonly config: ConfigService) {
    this.rebuild();
    this.unsubscribe = config.onChange(() => this.rebuild());
  }

  /** The caller behind a presented workload JWT; rejects with `UnauthenticatedError` otherwise. */
  async authenticate(token: string): Promise<Caller> {
    const trusted = this.issuerOf(token);
    let subject: string;
    try {
      const { payload } = await jwtVerify(token, trusted.keys, {
        issuer: trusted.config.issuer,
        audience: trusted.config.audience,
        algorithms: [...trusted.config.algorithms],
        clockTolerance: JWT_VERIFICATION.clockToleranceSeconds,
        requiredClaims: ['exp', 'sub'],
      });
      // Every claim used for identity or policy must have its RFC 7519 type: never coerce an array or a number.
      subject = workloadClaims(payload).subject;
    } catch (error) {
      throw this.rejection(error, trusted.config.issuer);
    }
    const caller = this.bySubject.get(subjectKey(trusted.config.issuer, subject));
    if (!caller) throw new UnauthenticatedError(ACCESS_MESSAGES.unknownWorkload, true);
    return caller;
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  /** The trusted issuer the (still unverified) `iss` claim names; verification then pins it. */
  private issuerOf(token: string): TrustedIssuer {
    let issuer: unknown;
    try {
      issuer = decodeJwt(token).iss;
    } catch {
      throw new UnauthenticatedError(ACCESS_MESSAGES.malformedJwt, true);
    }
    const trusted = typeof issuer === 'string' ? this.issuers.get(issuer) : undefined;
    if (!trusted) throw new UnauthenticatedError(ACCESS_MESSAGES.untrustedIssuer, true);
    return trusted;
  }

  private rejection(error: unknown, issuer: string): UnauthenticatedError {
    // A key-set outage was logged (at warn) by the fetch itself, once per attempt rather than per request.
    if (error instanceof JwksUnavailableError) return new UnauthenticatedError(ACCESS_MESSAGES.keysUnavailable, true);
    const code = error instanceof errors.JOSEError ? error.code : error instanceof Error ? error.name : typeof error;
    this.logger.debug({ msg: ACCESS_MESSAGES.jwtRejected, issuer, reason: code });
    if (error instanceof errors.JWTExpired) return new UnauthenticatedError(ACCESS_MESSAGES.expiredJwt, true);
    return new UnauthenticatedError(ACCESS_MESSAGES.invalidJwt, true);
  }

  /** Keeps an issuer's key cache across config changes as long as its issuer and JWKS URL stay the same. */
  private rebuild(): void {
    const { issuers, callers, rateLimits } = this.config.current;
    const next = new Map<string, TrustedIssuer>();
    for (const config of issuers) {
      const previous = this.issuers.get(config.issuer);
      const keys =
        previous?.config.jwksUri === config.jwksUri
          ? previous.keys
          : createRemoteJWKSet(new URL(config.jwksUri), {
              cooldownDuration: JWT_VERIFICATION.cooldownMs,
              cacheMaxAge: JWT_VERIFICATION.cacheMaxAgeMs,
              timeoutDuration: JWT_VERIFICATION.fetchTimeoutMs,
              [customFetch]: createJwksFetch(config.issuer, this.logger),
            });
      next.set(config.issuer, { config, keys });
    }
    this.issuers = next;
    this.bySubject = new Map(
      callers.flatMap((caller) => (caller.jwt === undefined ? [] : [[subjectKey(caller.jwt.issuer, caller.jwt.subject), callerFrom(caller, rateLimits, 'jwt')]])),
    );
  }
}
