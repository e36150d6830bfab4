import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AccessPolicy, type Caller, callerAuditOf } from '@broker/access';
import { ConfigService } from '@broker/config';
import { callerHeaders } from '@broker/issuers';
import { AuditLog, type AuditEvent, fingerprintOf } from '@broker/observability';
import type { StoredToken } from '@broker/token-store';
import { TokenService } from '@broker/tokens';
import { parseCredentialId, parseMinTtl } from './token-request';

/** What a token answer says of a token that does not change while it is served: computed once per token. */
interface TokenFacts {
  /** `fingerprintOf(token)`, for the audit line. */
  readonly fingerprint: string;
  /** `expires_at` of the answer. */
  readonly expiresAt: string;
}

/**
 * The work of the callers' token routes once the caller is admitted (authenticated, rate-limited): the
 * grant check, the token, its audit line, and the answer's body. Shared by `TokensController` and the
 * hot-path handlers that serve its GET routes on Fastify directly (`hot-path.ts`), so both do the same.
 */
@Injectable()
export class TokenServing {
  private readonly facts = new WeakMap<StoredToken, TokenFacts>();

  constructor(
    private readonly tokens: TokenService,
    private readonly access: AccessPolicy,
    private readonly config: ConfigService,
    private readonly audit: AuditLog,
  ) {}

  /** `GET /v1/tokens/{id}`: checks the grant, gets a token valid for `min_ttl`, records its issue. */
  async issue(request: FastifyRequest, rawId: string, query: Record<string, unknown>): Promise<{ credentialId: string; token: StoredToken }> {
    const credentialId = parseCredentialId(rawId);
    const minTtl = parseMinTtl(query, this.config.current.tokens.minTtlDefaultSeconds);
    this.access.assertMayFetch(request.caller as Caller, credentialId);
    const token = await this.tokens.getToken(credentialId, minTtl);
    this.recordIssue(credentialId, token, callerAuditOf(request));
    return { credentialId, token };
  }

  /** `GET /v1/tokens/{id}/headers`: the same, answered as the headers an API call needs. */
  async headers(request: FastifyRequest, rawId: string, query: Record<string, unknown>): Promise<Record<string, string>> {
    const { credentialId, token } = await this.issue(request, rawId, query);
    return this.headersOf(credentialId, token);
  }

  /**
   * The fast lane's issue of a held token (`fast-lane.ts`): its audit line, with the caller and request id
   * given since there is no Fastify request, and the body of the answer, a token or the headers.
   */
  issueHeld(answer: 'token' | 'headers', credentialId: string, token: StoredToken, who: Pick<AuditEvent, 'callerId' | 'auth' | 'certificateFingerprint'>, requestId: string): string {
    this.recordIssue(credentialId, token, who, requestId);
    return answer === 'token' ? this.tokenBody(credentialId, token) : JSON.stringify(this.headersOf(credentialId, token));
  }

  /** The one `token.issue` audit line of an answered token request; `requestId` when outside its context. */
  private recordIssue(credentialId: string, token: StoredToken, who: Pick<AuditEvent, 'callerId' | 'auth' | 'certificateFingerprint'>, requestId?: string): void {
    this.audit.record({ action: 'token.issue', outcome: 'success', ...who, credentialId, tokenFingerprint: this.factsOf(token).fingerprint, ...(requestId === undefined ? {} : { requestId }) });
  }

  /** The headers an API call with `credentialId` needs (the credential's template), with `token`. */
  private headersOf(credentialId: string, token: StoredToken): Record<string, string> {
    return callerHeaders(this.config.credential(credentialId), token.accessToken);
  }

  /** `POST /v1/tokens/{id}/rejections`, once the report is parsed and the grant checked. */
  async rejection(request: FastifyRequest, credentialId: string, tokenSha256: string): Promise<StoredToken> {
    const { token, outcome } = await this.tokens.reportRejection(credentialId, tokenSha256);
    this.audit.record({
      action: 'token.rejection',
      outcome: 'success',
      callerId: (request.caller as Caller).id,
      credentialId,
      tokenFingerprint: this.factsOf(token).fingerprint,
      details: { result: outcome },
    });
    return token;
  }

  /**
   * The JSON body of a token answer (`TokenResponseDto`), written directly: the credential id is one of
   * `[A-Za-z0-9._-]` (checked by `parseCredentialId`), the token is quoted by `JSON.stringify`, the rest are
   * numbers and an ISO date. `expires_in` counts from now, not from the provider's figure: callers cache by it.
   */
  tokenBody(credentialId: string, token: StoredToken, now = Date.now()): string {
    const expiresIn = Math.max(0, Math.floor((token.expiresAt - now) / 1000));
    return `{"credential_id":"${credentialId}","access_token":${JSON.stringify(token.accessToken)},"token_type":"bearer","expires_in":${expiresIn},"expires_at":"${this.factsOf(token).expiresAt}"}`;
  }

  /** One SHA-256 and one date per token, not per request: the same token is served many times. */
  private factsOf(token: StoredToken): TokenFacts {
    let facts = this.facts.get(token);
    if (facts === undefined) {
      facts = { fingerprint: fingerprintOf(token.accessToken), expiresAt: new Date(token.expiresAt).toISOString() };
      this.facts.set(token, facts);
    }
    return facts;
  }
}
