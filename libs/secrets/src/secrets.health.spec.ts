import { HealthIndicatorService } from '@nestjs/terminus';
import { ConfigService, parseBrokerConfig } from '@broker/config';
import { SecretsHealthIndicator } from './secrets.health';
import type { SecretsService } from './secrets.service';

const credential = (id: string, secret: string): string =>
  [`  - id: ${id}`, '    provider: adobe-ims', `    clientId: client-${id}`, '    orgId: ORG@AdobeOrg', '    scopes: [openid]', `    secret: ${secret}`].join('\n');

const CONFIG = [
  'credentials:',
  credential('zeta', '{ source: env, name: SECRET_Z }'),
  credential('Beta', '{ source: file, path: /run/secrets/b }'),
  credential('alpha', '{ source: env, name: SECRET_A }'),
  credential('gamma', '{ source: aws, secretId: broker/gamma }'),
  credential('delta', '{ source: file, path: /run/secrets/d }'),
  'callers:',
  '  - id: svc',
  `    apiKeySha256: ${'a'.repeat(64)}`,
  "    credentials: ['*']",
  '',
].join('\n');

/** A secrets service that knows what the test says: which ids have a cached secret, and which sources fail. */
function secretsKnowing(cached: readonly string[], errors: Record<string, string>): SecretsService {
  return {
    isCached: (id: string) => cached.includes(id),
    lastErrorOf: (id: string) => errors[id],
    status: (id: string) => ({ cached: cached.includes(id), ...(errors[id] === undefined ? {} : { lastError: errors[id] }) }),
  } as unknown as SecretsService;
}

describe('SecretsHealthIndicator.passiveSummary / checkSummary', () => {
  const config = new ConfigService(parseBrokerConfig(CONFIG, 'broker.yaml'));
  const cases: [string, string[], Record<string, string>][] = [
    ['every secret at hand', ['zeta', 'Beta', 'alpha', 'gamma', 'delta'], {}],
    ['none read yet', [], {}],
    ['a failing source with a cached secret, and unreadable ones', ['zeta', 'alpha', 'delta'], { alpha: 'env SECRET_A is not set', gamma: 'AccessDeniedException: no' }],
  ];

  it.each(cases)('gives what check(availability({ passive: true })) gives: %s', async (_name, cached, errors) => {
    const indicator = new SecretsHealthIndicator(new HealthIndicatorService(), config, secretsKnowing(cached, errors));
    const expected = await indicator.check('secrets', await indicator.availability({ passive: true }));
    const summarised = indicator.checkSummary('secrets', indicator.passiveSummary());
    expect(summarised).toEqual(expected);
    // Same key order too (what /health/ready and brokerctl print).
    expect(JSON.stringify(summarised)).toBe(JSON.stringify(expected));
  });

  it('lists only the credentials with something to report', () => {
    const indicator = new SecretsHealthIndicator(new HealthIndicatorService(), config, secretsKnowing(['zeta', 'alpha', 'delta'], { alpha: 'env SECRET_A is not set' }));
    expect([...indicator.passiveSummary().exceptions.keys()]).toEqual(['Beta', 'alpha', 'gamma']);
  });
});
