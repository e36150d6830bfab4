import { Controller, Delete, Get, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AdminGuard, callerAuditOf, CallerGuard } from '@broker/access';
import { TokenService, UnknownCredentialError } from '@broker/tokens';
import { ConfigReloader, ConfigService, ConfigValidationError, type CredentialConfig, type ReloadResult } from '@broker/config';
import { AuditLog } from '@broker/observability';
import { DomainError } from '@broker/problems';
import { SecretsService } from '@broker/secrets';
import { FleetBus } from '@broker/fleet';
import { type CredentialStatus, CredentialStatusService } from './credential-status';
import { type InstanceStatus, InstanceStatusService } from './instance-status';
import type { InstanceHeartbeat } from '@broker/fleet';
import { ConfigRejectedProblemDto, CredentialListDto, CredentialStatusDto, RefreshResultDto, ReloadResultDto } from './openapi/api.schemas';
import { ApiProblems } from './openapi/problem-responses';
import { parseCredentialId } from './token-request';

/** A reload whose file is invalid: 422 with every issue, the running configuration untouched. */
class ConfigRejectedError extends DomainError {
  constructor(error: ConfigValidationError) {
    super('config_invalid', 422, 'Configuration rejected', 'The config file is invalid; the running configuration was kept.', {}, {
      extensions: { issues: error.issues.map((issue) => ({ path: issue.path, message: issue.message })) },
    });
  }
}

/** Operators' API: inspect and act on credentials, reload the configuration. Admin role; every action audited. */
@ApiTags('admin')
@ApiExtraModels(ConfigRejectedProblemDto)
@ApiBearerAuth('caller')
@ApiProblems(401, 403, 429)
@Controller('admin')
@UseGuards(CallerGuard, AdminGuard)
export class AdminController {
  constructor(
    private readonly config: ConfigService,
    private readonly status: CredentialStatusService,
    private readonly tokens: TokenService,
    private readonly secrets: SecretsService,
    private readonly reloader: ConfigReloader,
    private readonly events: FleetBus,
    private readonly audit: AuditLog,
    private readonly instance: InstanceStatusService,
  ) {}

  @Get('credentials')
  @ApiOperation({ summary: 'Every credential with its state (token held, expiry, refreshes, secret), the config hash and the instance that answered.' })
  @ApiOkResponse({ type: CredentialListDto })
  async list(
    @Req() request: FastifyRequest,
  ): Promise<{ config_hash: string; instance: InstanceStatus; fleet: InstanceHeartbeat[] | null; credentials: CredentialStatus[] }> {
    const [credentials, instance, fleet] = await Promise.all([this.status.all(), this.instance.self(), this.instance.fleet()]);
    this.record(request, 'admin.list_credentials', undefined);
    return { config_hash: instance.config_hash, instance, fleet, credentials };
  }

  @Get('credentials/:credentialId')
  @ApiOperation({ summary: 'One credential with its state.' })
  @ApiOkResponse({ type: CredentialStatusDto })
  @ApiProblems(400, 404)
  async one(@Req() request: FastifyRequest, @Param('credentialId') rawId: string): Promise<CredentialStatus> {
    const credential = this.credential(rawId);
    const status = await this.status.status(credential);
    this.record(request, 'admin.get_credential', credential.id);
    return status;
  }

  /** Mints a new token now (once for the fleet), re-reading the secret first; returns its expiry, never the token. */
  @Post('credentials/:credentialId/refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mint a new token now, once for the fleet; returns its expiry, never the token.' })
  @ApiOkResponse({ type: RefreshResultDto })
  @ApiProblems(400, 404, 502, 503)
  async refresh(@Req() request: FastifyRequest, @Param('credentialId') rawId: string): Promise<{ credential_id: string; expires_at: string; expires_in: number }> {
    const credential = this.credential(rawId);
    this.secrets.invalidate(credential.id);
    try {
      const token = await this.tokens.refreshNow(credential.id);
      this.record(request, 'admin.refresh', credential.id);
      return {
        credential_id: credential.id,
        expires_at: new Date(token.expiresAt).toISOString(),
        expires_in: Math.floor((token.expiresAt - Date.now()) / 1000),
      };
    } catch (error) {
      this.record(request, 'admin.refresh', credential.id, error);
      throw error;
    }
  }

  /** Evicts the credential's token from Redis and from every instance's memory. */
  @Delete('credentials/:credentialId/token')
  @HttpCode(204)
  @ApiOperation({ summary: "Evict the credential's token from Redis and every instance's memory." })
  @ApiNoContentResponse({ description: 'Evicted.' })
  @ApiProblems(400, 404)
  async evict(@Req() request: FastifyRequest, @Param('credentialId') rawId: string): Promise<void> {
    const credential = this.credential(rawId);
    await this.tokens.evict(credential.id);
    this.record(request, 'admin.evict', credential.id);
  }

  /** Re-reads the config file here and asks every other instance to re-read theirs. */
  @Post('config/reload')
  @HttpCode(200)
  @ApiOperation({ summary: 'Re-read and apply the config file here and on every instance (also: SIGHUP).' })
  @ApiOkResponse({ type: ReloadResultDto })
  @ApiResponse({ status: 422, description: 'Invalid file; nothing changed.', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ConfigRejectedProblemDto' } } } })
  async reload(@Req() request: FastifyRequest): Promise<ReloadResult> {
    let result: ReloadResult;
    try {
      result = this.reloader.reload();
    } catch (error) {
      if (!(error instanceof ConfigValidationError)) throw error;
      const rejected = new ConfigRejectedError(error);
      this.record(request, 'admin.config_reload', undefined, rejected);
      throw rejected;
    }
    await this.events.publish('config-reload', '*');
    this.record(request, 'admin.config_reload', undefined);
    return result;
  }

  private credential(rawId: string): CredentialConfig {
    const id = parseCredentialId(rawId);
    const credential = this.config.credential(id);
    if (!credential) throw new UnknownCredentialError(id);
    return credential;
  }

  private record(request: FastifyRequest, action: string, credentialId: string | undefined, error?: unknown): void {
    this.audit.record({
      action,
      outcome: error === undefined ? 'success' : 'failure',
      ...callerAuditOf(request),
      ...(credentialId === undefined ? {} : { credentialId }),
      ...(error instanceof DomainError ? { status: error.status, reason: error.code } : {}),
    });
  }
}
