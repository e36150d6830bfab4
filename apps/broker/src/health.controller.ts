import { Controller, Get, HttpStatus, Optional, Res, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { ConfigService } from '@broker/config';
import { RedisHealthIndicator } from '@broker/redis';
import { SecretsHealthIndicator } from '@broker/secrets';

/**
 * Liveness (the process answers) and readiness (what serving tokens needs: config, secret sources and, in
 * fleet mode, Redis). No caller key required.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly config: ConfigService,
    private readonly secrets: SecretsHealthIndicator,
    /** Present in fleet mode only. */
    @Optional() private readonly redis?: RedisHealthIndicator,
  ) {}

  @Get('live')
  live(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    return this.run(reply, []);
  }

  @Get('ready')
  ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    return this.run(reply, [
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
