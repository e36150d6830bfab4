import { MESSAGES } from '../config.constants';
import { configDoc, issuesOf, parseDoc } from '../../../../test/fixtures/config.fixtures';

describe('tokens and secrets sections', () => {
  it.each([
    ['refreshAt', 0.05, MESSAGES.numberBetween(0.1, 0.9)],
    ['refreshAt', 0.95, MESSAGES.numberBetween(0.1, 0.9)],
    ['refreshAt', '0.5', MESSAGES.numberBetween(0.1, 0.9)],
    ['refreshJitter', -0.1, MESSAGES.numberBetween(0, 0.25)],
    ['refreshJitter', 0.3, MESSAGES.numberBetween(0, 0.25)],
    ['minTtlDefault', 3601, MESSAGES.integerBetween(0, 3600)],
    ['minTtlDefault', 1.5, MESSAGES.integerBetween(0, 3600)],
    ['minTtlDefault', '5m', MESSAGES.integerBetween(0, 3600)],
    ['upstreamAttempts', 0, MESSAGES.integerBetween(1, 10)],
    ['upstreamAttempts', 11, MESSAGES.integerBetween(1, 10)],
    ['minRefreshInterval', '1 minute', MESSAGES.duration],
    ['failureCooldown', '0s', MESSAGES.duration],
    ['upstreamTimeout', 10, MESSAGES.durationNumber('10s')],
    ['upstreamTimeout', 1.5, MESSAGES.durationNumber('30s')],
    ['refreshEvery', 1, MESSAGES.unknownKey([
      'refreshAt',
      'refreshJitter',
      'minTtlDefault',
      'minRefreshInterval',
      'failureCooldown',
      'upstreamTimeout',
      'upstreamAttempts',
      'callerWait',
    ])],
  ])('reports tokens.%s = %j', (field, value, message) => {
    expect(issuesOf(configDoc({ tokens: { [field]: value } }))).toEqual([{ path: `tokens.${field}`, message }]);
  });

  it.each([
    ['cacheTtl', 300, MESSAGES.durationNumber('300s')],
    ['cacheTtl', '5 min', MESSAGES.duration],
    ['ttl', '5m', MESSAGES.unknownKey(['cacheTtl'])],
  ])('reports secrets.%s = %j', (field, value, message) => {
    expect(issuesOf(configDoc({ secrets: { [field]: value } }))).toEqual([{ path: `secrets.${field}`, message }]);
  });

  it('reads tokens.callerWait', () => {
    expect(parseDoc(configDoc({ tokens: { callerWait: '2s' } })).tokens.callerWaitMs).toBe(2_000);
    expect(issuesOf(configDoc({ tokens: { callerWait: 'soon' } }))).toHaveLength(1);
  });

  it('accepts the range bounds', () => {
    const config = parseDoc(
      configDoc({ tokens: { refreshAt: 0.9, refreshJitter: 0, minTtlDefault: 0, upstreamAttempts: 10 } }),
    );

    expect(config.tokens).toMatchObject({
      refreshAt: 0.9,
      refreshJitter: 0,
      minTtlDefaultSeconds: 0,
      upstreamAttempts: 10,
    });
  });

  it('takes defaults for the fields left out', () => {
    const config = parseDoc(configDoc({ tokens: { upstreamTimeout: '3s' } }));

    expect(config.tokens).toEqual({
      refreshAt: 0.5,
      refreshJitter: 0.1,
      minTtlDefaultSeconds: 300,
      minRefreshIntervalMs: 60_000,
      failureCooldownMs: 30_000,
      upstreamTimeoutMs: 3_000,
      upstreamAttempts: 3,
      callerWaitMs: 5_000,
    });
  });
});
