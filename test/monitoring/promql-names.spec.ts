import { metricNamesIn } from './promql-names';

describe('metricNamesIn', () => {
  it('finds the metrics of an expression and nothing else', () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.99, sum by (le, provider) (rate(broker_upstream_request_duration_seconds_bucket{job="token-broker",route=~"/v1/.*"}[$__rate_interval])))',
      ),
    ).toEqual(['broker_upstream_request_duration_seconds_bucket']);
    expect(
      metricNamesIn('min by (namespace, credential) (a_seconds{job="x"}) < 600\nand on (namespace, credential)\nmax by (namespace, credential) (b_failures) > 0'),
    ).toEqual(['a_seconds', 'b_failures']);
    expect(metricNamesIn('sum by (pod) (increase(c_total[30m])) >= 4 or vector(0) unless up offset 5m')).toEqual(['c_total', 'up']);
  });
});
