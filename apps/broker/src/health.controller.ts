import { Controller, Get, HttpStatus, Optional, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { ConfigService } from '@broker/config';
import { RedisHealthIndicator } from '@broker/redis';
import { SecretsHealthIndicator } from '@broker/secrets';
import { Lifecycle } from './lifecycle';
import { HealthDto } from './openapi/api.schemas';

/**
 * Liveness (the process answers) and readiness (what serving tokens needs: config, secret sources and, in
 * fleet mode, Redis). No caller key required.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly config: ConfigService,
    private readonly secrets: SecretsHealthIndicator,
    private readonly lifecycle: Lifecycle,
    /** Present in fleet mode only. */
    @Optional() private readonly redis?: RedisHealthIndicator,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers.' })
  @ApiOkResponse({ type: HealthDto })
  live(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    return this.run(reply, []);
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: config loaded, secret sources deliver, Redis answers (fleet mode), not draining.' })
  @ApiOkResponse({ type: HealthDto })
  @ApiResponse({ status: 503, description: 'Not ready; the body says which check is down.', type: HealthDto })
  ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    return this.run(reply, [
      // Draining (SIGTERM received) fails readiness first, so load balancers stop sending before we close.
      () => (this.lifecycle.draining ? this.indicators.check('lifecycle').down({ draining: true }) : this.indicators.check('lifecycle').up()),
      () => this.indicators.check('config').up({ source: this.config.current.source, credentials: this.config.current.credentials.length }),
      () => this.secrets.check('secrets'),
      ...(this.redis ? [() => (this.redis as RedisHealthIndicator).check('redis')] : []),
    ]);
  }

  /** Terminus reports "down" by throwing; answer its report with 503 instead of a generic error. */
  private async run(reply: FastifyReply, checks: Parameters<HealthCheckService['check']>[0]): Promise<HealthCheckResult> {
    void reply.header('cache-control', 'no-store');
    try {
      return await this.health.check(checks);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      void reply.status(HttpStatus.SERVICE_UNAVAILABLE);
      return error.getResponse() as HealthCheckResult;
    }
  }
}
