import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AccessPolicy, type Caller, CallerGuard } from '@broker/access';
import { CallerHeadersDto, RejectionReportDto, TokenResponseDto } from './openapi/api.schemas';
import { ApiProblems } from './openapi/problem-responses';
import { HotPath } from './hot-path';
import { TokenServing } from './token-serving';
import { parseCredentialId, parseMinTtl, parseRejectionReport } from './token-request';

/**
 * The callers' API: tokens and ready-made headers for API calls (per-credential templates). The two GET
 * routes are `@HotPath`s: in the running broker Fastify serves them directly with the same guard, the same
 * `TokenServing` and the same error filter (`hot-path.ts`); the methods here declare them and answer the same.
 */
@ApiTags('tokens')
@ApiBearerAuth('caller')
@ApiProblems(400, 401, 403, 404, 429, 502, 503)
@ApiQuery({ name: 'min_ttl', required: false, description: 'Seconds the token must stay valid (0-86400, default 300).', schema: { type: 'integer', minimum: 0, maximum: 86400 } })
@Controller('v1/tokens')
@UseGuards(CallerGuard)
export class TokensController {
  constructor(
    private readonly serving: TokenServing,
    private readonly access: AccessPolicy,
  ) {}

  @Get(':credentialId')
  @HotPath('token')
  @ApiOperation({ summary: 'A token of the credential, valid for at least min_ttl seconds when possible.' })
  @ApiOkResponse({ type: TokenResponseDto })
  @Header('cache-control', 'no-store')
  @Header('pragma', 'no-cache')
  @Header('content-type', 'application/json; charset=utf-8')
  async token(@Req() request: FastifyRequest, @Param('credentialId') rawId: string, @Query() query: Record<string, unknown>): Promise<string> {
    const { credentialId, token } = await this.serving.issue(request, rawId, query);
    return this.serving.tokenBody(credentialId, token);
  }

  @Post(':credentialId/rejections')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Report that an API rejected a token; answers the token to use now.',
    description:
      'A fresh token when the reported one is the current token (one refresh for the whole fleet, at most one per tokens.rejectionCooldown); the current token otherwise. An unknown fingerprint never causes a call to the identity provider.',
  })
  @ApiBody({ type: RejectionReportDto })
  @ApiOkResponse({ type: TokenResponseDto })
  @Header('cache-control', 'no-store')
  @Header('pragma', 'no-cache')
  @Header('content-type', 'application/json; charset=utf-8')
  async rejection(@Req() request: FastifyRequest, @Param('credentialId') rawId: string, @Query() query: Record<string, unknown>, @Body() body: unknown): Promise<string> {
    const credentialId = parseCredentialId(rawId);
    parseMinTtl(query, 0);
    this.access.assertMayFetch(request.caller as Caller, credentialId);
    const token = await this.serving.rejection(request, credentialId, parseRejectionReport(body));
    return this.serving.tokenBody(credentialId, token);
  }

  @Get(':credentialId/headers')
  @HotPath('headers')
  @ApiOperation({ summary: 'The headers an API call with this credential needs.' })
  @ApiOkResponse({ type: CallerHeadersDto })
  @Header('cache-control', 'no-store')
  @Header('pragma', 'no-cache')
  async headers(@Req() request: FastifyRequest, @Param('credentialId') rawId: string, @Query() query: Record<string, unknown>): Promise<Record<string, string>> {
    return this.serving.headers(request, rawId, query);
  }
}
