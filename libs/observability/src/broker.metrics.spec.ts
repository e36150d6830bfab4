import { BrokerMetrics } from './broker.metrics';

const series = (text: string, name: string): string[] => text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));

describe('BrokerMetrics per-request counters', () => {
  it('shows every HTTP request and cache lookup at each scrape, counted once, under the same names and labels', async () => {
    const metrics = new BrokerMetrics();
    expect(series(await metrics.render(), 'broker_http_requests_total')).toEqual([]);
    for (let i = 0; i < 3; i++) metrics.recordHttpRequest('GET', '/v1/tokens/:credentialId', 200, 0.0004);
    metrics.recordHttpRequest('GET', '/v1/tokens/:credentialId', 403, 0.002);
    metrics.recordCacheLookup('l1', 'hit');
    metrics.recordCacheLookup('l1', 'hit');
    metrics.recordCacheLookup('l2', 'miss');

    const first = await metrics.render();
    expect(series(first, 'broker_http_requests_total')).toEqual([
      'broker_http_requests_total{method="GET",route="/v1/tokens/:credentialId",status="200"} 3',
      'broker_http_requests_total{method="GET",route="/v1/tokens/:credentialId",status="403"} 1',
    ]);
    expect(series(first, 'broker_token_cache_lookups_total')).toEqual([
      'broker_token_cache_lookups_total{layer="l1",result="hit"} 2',
      'broker_token_cache_lookups_total{layer="l2",result="miss"} 1',
    ]);
    expect(series(first, 'broker_http_request_duration_seconds_count')).toEqual(['broker_http_request_duration_seconds_count{route="/v1/tokens/:credentialId"} 4']);
    expect(series(first, 'broker_http_request_duration_seconds_bucket').find((line) => line.includes('le="0.0005"'))).toMatch(/ 3$/);

    // A second scrape adds only what happened since the first.
    metrics.recordHttpRequest('GET', '/v1/tokens/:credentialId', 200, 0.0004);
    const second = await metrics.render();
    expect(series(second, 'broker_http_requests_total')).toEqual([
      'broker_http_requests_total{method="GET",route="/v1/tokens/:credentialId",status="200"} 4',
      'broker_http_requests_total{method="GET",route="/v1/tokens/:credentialId",status="403"} 1',
    ]);
    expect(series(await metrics.render(), 'broker_token_cache_lookups_total')).toEqual(series(first, 'broker_token_cache_lookups_total'));
  });
});
