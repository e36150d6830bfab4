import { Injectable } from '@nestjs/common';
import { ACCESS_MESSAGES, AUTH_LIMITS } from './access.constants';
import { UnauthenticatedError } from './access.errors';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import type { Caller } from './caller';
import { JwtAuthenticator } from './jwt.authenticator';

const BEARER_PATTERN = /^Bearer +(\S+) *$/i;
/** Three base64url segments (the last empty for `alg: none`, which the JWT path then refuses). */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Reads `Authorization: Bearer <credential>` and hands the credential to the authenticator its shape calls
 * for: a JWT to the workload-JWT path, anything else to the API-key path. Both yield the same `Caller`.
 */
@Injectable()
export class CallerAuthenticator {
  constructor(
    private readonly apiKeys: ApiKeyAuthenticator,
    private readonly jwts: JwtAuthenticator,
  ) {}

  /** Synchronous for API keys (the common, hot case), a promise for JWTs; throws/rejects `UnauthenticatedError`. */
  authenticate(authorization: string | string[] | undefined): Caller | Promise<Caller> {
    if (authorization === undefined) throw new UnauthenticatedError(ACCESS_MESSAGES.headerRequired, false);
    if (typeof authorization !== 'string' || authorization.length > AUTH_LIMITS.maxAuthorizationLength) {
      throw new UnauthenticatedError(ACCESS_MESSAGES.malformedHeader, true);
    }
    const credential = BEARER_PATTERN.exec(authorization)?.[1];
    if (credential === undefined) throw new UnauthenticatedError(ACCESS_MESSAGES.malformedHeader, true);
    return JWT_SHAPE.test(credential) ? this.jwts.authenticate(credential) : this.apiKeys.authenticateKey(credential);
  }
}
