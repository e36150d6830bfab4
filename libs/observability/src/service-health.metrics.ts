import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';

/** The readiness route whose answers are counted (the orchestrator's view of this instance). */
const READINESS_ROUTE = '/health/ready';

/**
 * Instance-level health for alerts: whether the Redis connection is up, and readiness as the orchestrator
 * saw it (the status of the answers to its probes), with a counter of changes so flapping shows even when
 * it happens between two scrapes.
 */
export class ServiceHealthMetrics {
  private redisUp: Gauge | undefined;
  private redisSource: (() => boolean) | undefined;
  private ready: Gauge | undefined;
  private lastReady: boolean | undefined;
  private readonly readinessChanges: Counter<'to'>;

  constructor(private readonly registry: Registry) {
    this.readinessChanges = new Counter({
      name: 'broker_readiness_changes_total',
      help: 'Changes of the readiness answer (to ready or not_ready) since start.',
      labelNames: ['to'] as const,
      registers: [registry],
    });
  }

  /**
   * Registers where `broker_redis_up` reads the connection state. Only then does the gauge exist: a gauge
   * without labels would report 0 in local mode, where there is no Redis to be down.
   */
  setRedisState(source: () => boolean): void {
    this.redisSource = source;
    const current = (): boolean => this.redisSource?.() ?? false;
    this.redisUp ??= new Gauge({
      name: 'broker_redis_up',
      help: '1 while the connection to Redis is ready, 0 while it is not (fleet mode only).',
      registers: [this.registry],
      collect() {
        this.set(current() ? 1 : 0);
      },
    });
  }

  /** Records one answer to the readiness probe (`broker_ready` appears with the first one). */
  recordReadiness(statusCode: number): void {
    const ready = statusCode >= 200 && statusCode < 300;
    this.ready ??= new Gauge({ name: 'broker_ready', help: '1 when the last readiness probe was answered 2xx, 0 when it was not.', registers: [this.registry] });
    this.ready.set(ready ? 1 : 0);
    if (this.lastReady !== undefined && this.lastReady !== ready) this.readinessChanges.inc({ to: ready ? 'ready' : 'not_ready' });
    this.lastReady = ready;
  }
}

/** Feeds every answer of the readiness route into `metrics`. */
export function installReadinessMetrics(fastify: FastifyInstance, metrics: ServiceHealthMetrics): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    if (request.routeOptions.url === READINESS_ROUTE) metrics.recordReadiness(reply.statusCode);
    done();
  });
}
