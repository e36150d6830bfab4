import { Registry } from 'prom-client';
import { ServiceHealthMetrics } from './service-health.metrics';

async function values(registry: Registry, name: string): Promise<{ labels: Record<string, unknown>; value: number }[]> {
  const metric = registry.getSingleMetric(name);
  return metric ? ((await metric.get()).values as { labels: Record<string, unknown>; value: number }[]) : [];
}

describe('ServiceHealthMetrics', () => {
  it('counts each change of the readiness answer, not each answer', async () => {
    const registry = new Registry();
    const metrics = new ServiceHealthMetrics(registry);
    for (const status of [200, 200, 503, 503, 200, 503, 200, 204]) metrics.recordReadiness(status);
    expect(await values(registry, 'broker_readiness_changes_total')).toEqual(
      expect.arrayContaining([
        { labels: { to: 'not_ready' }, value: 2 },
        { labels: { to: 'ready' }, value: 2 },
      ]),
    );
    expect((await values(registry, 'broker_ready'))[0]?.value).toBe(1);
    metrics.recordReadiness(503);
    expect((await values(registry, 'broker_ready'))[0]?.value).toBe(0);
  });

  it('exports broker_redis_up only where there is a Redis connection (fleet mode)', async () => {
    const registry = new Registry();
    const metrics = new ServiceHealthMetrics(registry);
    expect(await values(registry, 'broker_redis_up')).toEqual([]);
    let up = true;
    metrics.setRedisState(() => up);
    expect((await values(registry, 'broker_redis_up'))[0]?.value).toBe(1);
    up = false;
    expect((await values(registry, 'broker_redis_up'))[0]?.value).toBe(0);
  });
});
