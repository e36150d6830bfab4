import { Controller, Get, Header, Param, Query, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AccessPolicy, type Caller, callerAuditOf, CallerGuard } from '@broker/access';
import { TokenService } from '@broker/tokens';
import { ConfigService } from '@broker/config';
import { AuditLog, fingerprintOf } from '@broker/observability';
import { callerHeaders } from '@broker/issuers';
import type { StoredToken } from '@broker/token-store';
import { CallerHeadersDto, TokenResponseDto } from './openapi/api.schemas';
import { ApiProblems } from './openapi/problem-responses';
import { parseCredentialId, parseMinTtl } from './token-request';

interface TokenResponse {
  credential_id: string;
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  expires_at: string;
}

/** The callers' API: tokens and ready-made headers for API calls (per-credential templates). */
@ApiTags('tokens')
@ApiBearerAuth('caller')
@ApiProblems(400, 401, 403, 404, 429, 502, 503)
@ApiQuery({ name: 'min_ttl', required: false, description: 'Seconds the token must stay valid (0-86400, default 300).', schema: { type: 'integer', minimum: 0, maximum: 86400 } })
@Controller('v1/tokens')
@UseGuards(CallerGuard)
export class TokensController {
  private readonly fingerprints = new WeakMap<StoredToken, string>();

  constructor(
    private readonly tokens: TokenService,
    private readonly access: AccessPolicy,
    private readonly config: ConfigService,
    private readonly audit: AuditLog,
  ) {}

  @Get(':credentialId')
  @ApiOperation({ summary: 'A token of the credential, valid for at least min_ttl seconds when possible.' })
  @ApiOkResponse({ type: TokenResponseDto })
  @Header('cache-control', 'no-store')
  @Header('pragma', 'no-cache')
  async token(@Req() request: FastifyRequest, @Param('credentialId') rawId: string, @Query() query: Record<string, unknown>): Promise<TokenResponse> {
    const { credentialId, token } = await this.fetch(request, rawId, query);
    const now = Date.now();
    return {
      credential_id: credentialId,
      access_token: token.accessToken,
      token_type: 'bearer',
      // Seconds left now, not the provider's original figure: callers cache by it.
      expires_in: Math.max(0, Math.floor((token.expiresAt - now) / 1000)),
      expires_at: new Date(token.expiresAt).toISOString(),
    };
  }

  @Get(':credentialId/headers')
  @ApiOperation({ summary: 'The headers an API call with this credential needs.' })
  @ApiOkResponse({ type: CallerHeadersDto })
  @Header('cache-control', 'no-store')
  @Header('pragma', 'no-cache')
  async headers(@Req() request: FastifyRequest, @Param('credentialId') rawId: string, @Query() query: Record<string, unknown>): Promise<Record<string, string>> {
    const { credentialId, token } = await this.fetch(request, rawId, query);
    return callerHeaders(this.config.credential(credentialId), token.accessToken);
  }

  /** One SHA-256 per token, not per request: the same token is served many times. */
  private fingerprint(token: StoredToken): string {
    let fingerprint = this.fingerprints.get(token);
    if (fingerprint === undefined) {
      fingerprint = fingerprintOf(token.accessToken);
      this.fingerprints.set(token, fingerprint);
    }
    return fingerprint;
  }

  private async fetch(request: FastifyRequest, rawId: string, query: Record<string, unknown>): Promise<{ credentialId: string; token: StoredToken }> {
    const credentialId = parseCredentialId(rawId);
    const minTtl = parseMinTtl(query, this.config.current.tokens.minTtlDefaultSeconds);
    const caller = request.caller as Caller;
    this.access.assertMayFetch(caller, credentialId);
    const token = await this.tokens.getToken(credentialId, minTtl);
    this.audit.record({
      action: 'token.issue',
      outcome: 'success',
      ...callerAuditOf(request),
      credentialId,
      tokenFingerprint: this.fingerprint(token),
    });
    return { credentialId, token };
  }
}
