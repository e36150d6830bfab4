import { Controller, Get, Header, Inject, Optional, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ConfigService, configHash } from '@broker/config';
import { BrokerMetrics } from '@broker/observability';
import { REDIS_CLIENT, type RedisClient } from '@broker/redis';
import { CredentialStatusService } from './credential-status';

/**
 * Prometheus exposition at `GET /metrics`. Unauthenticated like the health endpoints: it carries no token,
 * secret or key (restrict it to the scraper with a NetworkPolicy).
 */
@ApiTags('metrics')
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: BrokerMetrics,
    status: CredentialStatusService,
    config: ConfigService,
    /** Present in fleet mode only. */
    @Optional() @Inject(REDIS_CLIENT) redis?: RedisClient,
  ) {
    metrics.setCredentialSnapshots(() => status.snapshots());
    metrics.setConfigHashSource(() => configHash(config.current));
    if (redis) metrics.service.setRedisState(() => redis.status === 'ready');
  }

  @Get()
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format).' })
  @ApiOkResponse({ content: { 'text/plain': { schema: { type: 'string' } } } })
  @Header('cache-control', 'no-store')
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    void reply.header('content-type', this.metrics.contentType);
    return this.metrics.render();
  }
}
