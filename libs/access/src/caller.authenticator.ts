import { Injectable } from '@nestjs/common';
import { ACCESS_MESSAGES, AUTH_LIMITS } from './access.constants';
import { UnauthenticatedError } from './access.errors';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import type { Caller } from './caller';
import { CertificateAuthenticator } from './certificate.authenticator';
import { JwtAuthenticator } from './jwt.authenticator';
import type { PresentedCertificate } from './presented-certificate';

const BEARER_PATTERN = /^Bearer +(\S+) *$/i;
/** Three base64url segments (the last empty for `alg: none`, which the JWT path then refuses). */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** On a certificate connection, a header may only repeat who the certificate already says the caller is. */
function sameCaller(byCertificate: Caller, byHeader: Caller): Caller {
  if (byHeader.id !== byCertificate.id) throw new UnauthenticatedError(ACCESS_MESSAGES.identityMismatch, true);
  return byCertificate;
}

/**
 * Identifies the caller of a request. A client certificate, when the connection has one, decides: it must
 * verify and match one caller, and an `Authorization` header beside it must name that same caller. Without
 * one, `Authorization: Bearer <credential>` goes to the authenticator its shape calls for: a JWT to the
 * workload-JWT path, anything else to the API-key path. Every path yields the same `Caller`.
 */
@Injectable()
export class CallerAuthenticator {
  constructor(
    private readonly apiKeys: ApiKeyAuthenticator,
    private readonly jwts: JwtAuthenticator,
    private readonly certificates: CertificateAuthenticator,
  ) {}

  /** Synchronous for API keys and certificates (the hot cases), a promise for JWTs; throws/rejects `UnauthenticatedError`. */
  authenticate(authorization: string | string[] | undefined, certificate?: PresentedCertificate): Caller | Promise<Caller> {
    if (certificate === undefined) return this.byHeader(authorization);
    const caller = this.certificates.authenticate(certificate);
    if (authorization === undefined) return caller;
    const named = this.byHeader(authorization);
    return named instanceof Promise ? named.then((byHeader) => sameCaller(caller, byHeader)) : sameCaller(caller, named);
  }

  /**
   * `authenticate` for the fast lane: the caller when it is identified synchronously and without doubt (an
   * API key, a certificate); undefined when it is not, or would be only asynchronously (a workload JWT, not
   * verified here at all), leaving the request to the standard lane, which answers the refusal.
   */
  authenticateNow(authorization: string | string[] | undefined, certificate?: PresentedCertificate): Caller | undefined {
    if (typeof authorization === 'string' && JWT_SHAPE.test(BEARER_PATTERN.exec(authorization)?.[1] ?? '')) return undefined;
    try {
      const caller = this.authenticate(authorization, certificate);
      if (!(caller instanceof Promise)) return caller;
      caller.catch(() => undefined);
      return undefined;
    } catch {
      return undefined;
    }
  }

  private byHeader(authorization: string | string[] | undefined): Caller | Promise<Caller> {
    if (authorization === undefined) throw new UnauthenticatedError(ACCESS_MESSAGES.headerRequired, false);
    if (typeof authorization !== 'string' || authorization.length > AUTH_LIMITS.maxAuthorizationLength) {
      throw new UnauthenticatedError(ACCESS_MESSAGES.malformedHeader, true);
    }
    const credential = BEARER_PATTERN.exec(authorization)?.[1];
    if (credential === undefined) throw new UnauthenticatedError(ACCESS_MESSAGES.malformedHeader, true);
    return JWT_SHAPE.test(credential) ? this.jwts.authenticate(credential) : this.apiKeys.authenticateKey(credential);
  }
}
