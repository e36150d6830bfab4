import { Controller, Get, HttpStatus, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { HealthDto } from './openapi/api.schemas';
import type { ReadinessBody } from './readiness/readiness.report';
import { ReadinessService } from './readiness/readiness.service';

/**
 * Liveness (the process answers) and readiness ("this instance can serve tokens now"; see ReadinessService
 * and docs/operations.md for the states). No caller key required.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly readiness: ReadinessService,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers.' })
  @ApiOkResponse({ type: HealthDto })
  async live(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    void reply.header('cache-control', 'no-store');
    try {
      return await this.health.check([]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      void reply.status(HttpStatus.SERVICE_UNAVAILABLE);
      return error.getResponse() as HealthCheckResult;
    }
  }

  @Get('ready')
  @ApiOperation({
    summary:
      'Readiness: 200 "ok" (ready) or "degraded" (serving, something to fix: Redis, a secret source, an identity provider); 503 "error" only when draining or no credential can be served.',
  })
  @ApiOkResponse({ type: HealthDto })
  @ApiResponse({ status: 503, description: 'Not ready; the body says which component is down and why.', type: HealthDto })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessBody> {
    void reply.header('cache-control', 'no-store');
    const report = await this.readiness.evaluate();
    void reply.status(report.httpStatus);
    return report.body;
  }
}
