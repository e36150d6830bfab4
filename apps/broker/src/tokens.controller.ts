import { Controller, Get, Header, Param, Query, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AccessPolicy, type Caller, CallerGuard } from '@broker/access';
import { TokenService } from '@broker/broker';
import { ConfigService } from '@broker/config';
import type { StoredToken } from '@broker/token-store';
import { parseCredentialId, parseMinTtl } from './token-request';

interface TokenResponse {
  credential_id: string;
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  expires_at: string;
}

/** The callers' API: tokens and ready-made headers for Adobe API calls. */
@Controller('v1/tokens')
@UseGuards(CallerGuard)
export class TokensController {
  constructor(
    private readonly tokens: TokenService,
    private readonly access: AccessPolicy,
    private readonly config: ConfigService,
  ) {}

  @Get(':credentialId')
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
  @Header('cache-control', 'no-store')
  @Header('pragma', 'no-cache')
  async headers(@Req() request: FastifyRequest, @Param('credentialId') rawId: string, @Query() query: Record<string, unknown>): Promise<Record<string, string>> {
    const { credentialId, token } = await this.fetch(request, rawId, query);
    const credential = this.config.credential(credentialId);
    return {
      authorization: `Bearer ${token.accessToken}`,
      ...(credential ? { 'x-api-key': credential.clientId, 'x-gw-ims-org-id': credential.orgId } : {}),
    };
  }

  private async fetch(request: FastifyRequest, rawId: string, query: Record<string, unknown>): Promise<{ credentialId: string; token: StoredToken }> {
    const credentialId = parseCredentialId(rawId);
    const minTtl = parseMinTtl(query, this.config.current.tokens.minTtlDefaultSeconds);
    this.access.assertMayFetch(request.caller as Caller, credentialId);
    return { credentialId, token: await this.tokens.getToken(credentialId, minTtl) };
  }
}
