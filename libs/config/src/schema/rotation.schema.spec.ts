import { MESSAGES } from '../config.constants';
import { configDoc, credentialDoc, credentialOf, issuesOf, parseDoc, type Doc } from '../../../../test/fixtures/config.fixtures';

/** The rotation block of the README; an override of `undefined` removes the key. */
function rotationDoc(overrides: Doc = {}): Doc {
  return {
    consoleCredentialId: '436084',
    consoleOrgId: '23294',
    schedule: '0 3 * * 1',
    window: '2h',
    retireAfter: '1h',
    maxRetireWait: '7d',
    ...overrides,
  };
}

const withRotation = (rotation: unknown, credential: Doc = {}): Doc =>
  configDoc({ credentials: [credentialDoc({ rotation, ...credential })], callers: [] });
const ROTATION_KEYS = ['consoleCredentialId', 'consoleOrgId', 'schedule', 'every', 'window', 'retireAfter', 'maxRetireWait', 'consoleUrl'];

describe('credentials[].rotation (adobe-ims)', () => {
  it('reads the documented example, with the console URL defaulted', () => {
    expect(credentialOf(parseDoc(withRotation(rotationDoc())), 'adobe-ims').rotation).toStrictEqual({
      consoleCredentialId: '436084',
      consoleOrgId: '23294',
      schedule: { kind: 'cron', expression: '0 3 * * 1' },
      windowMs: 2 * 3_600_000,
      retireAfterMs: 3_600_000,
      maxRetireWaitMs: 7 * 86_400_000,
      consoleUrl: 'https://api.adobe.io',
    });
  });

  it('is absent unless configured', () => {
    expect(credentialOf(parseDoc(configDoc()), 'adobe-ims').rotation).toBeUndefined();
  });

  it('takes defaults for window, retireAfter and maxRetireWait, and no schedule means on demand only', () => {
    const rotation = credentialOf(
      parseDoc(withRotation(rotationDoc({ schedule: undefined, window: undefined, retireAfter: undefined, maxRetireWait: undefined }))),
      'adobe-ims',
    ).rotation;
    expect(rotation).toStrictEqual({
      consoleCredentialId: '436084',
      consoleOrgId: '23294',
      windowMs: 3_600_000,
      retireAfterMs: 3_600_000,
      maxRetireWaitMs: 7 * 86_400_000,
      consoleUrl: 'https://api.adobe.io',
    });
  });

  it('reads every: as a maximum age', () => {
    const rotation = credentialOf(parseDoc(withRotation(rotationDoc({ schedule: undefined, every: '30d' }))), 'adobe-ims').rotation;
    expect(rotation?.schedule).toStrictEqual({ kind: 'every', intervalMs: 30 * 86_400_000 });
  });

  it.each(['*/5 * * * *', '0 3 * * MON', '0 0 1 */3 *', '30 0 3 * * 1', '  0 3 * * 1  '])('accepts the cron expression %p', (schedule) => {
    const rotation = credentialOf(parseDoc(withRotation(rotationDoc({ schedule }))), 'adobe-ims').rotation;
    expect(rotation?.schedule).toStrictEqual({ kind: 'cron', expression: schedule.trim() });
  });

  it('accepts a loopback http console URL (tests) and normalises it to its origin', () => {
    const rotation = credentialOf(parseDoc(withRotation(rotationDoc({ consoleUrl: 'http://127.0.0.1:4010/' }))), 'adobe-ims').rotation;
    expect(rotation?.consoleUrl).toBe('http://127.0.0.1:4010');
  });

  it.each([
    ['consoleCredentialId', { consoleCredentialId: undefined }, MESSAGES.required],
    ['consoleCredentialId', { consoleCredentialId: '43 6084' }, MESSAGES.consoleId],
    ['consoleCredentialId', { consoleCredentialId: 436084 }, MESSAGES.consoleId],
    ['consoleOrgId', { consoleOrgId: undefined }, MESSAGES.required],
    ['consoleOrgId', { consoleOrgId: '53A1B2C3@AdobeOrg' }, MESSAGES.consoleId],
    ['consoleOrgId', { consoleOrgId: '../x' }, MESSAGES.consoleId],
    ['schedule', { schedule: '61 * * * *' }, expect.stringContaining('must be a cron expression')],
    ['schedule', { schedule: '0 3 * *' }, MESSAGES.cron('found 4 fields')],
    ['schedule', { schedule: '0 0 3 * * 1 2' }, MESSAGES.cron('found 7 fields')],
    ['schedule', { schedule: '' }, MESSAGES.cron('a string of 1-128 characters')],
    ['schedule', { schedule: 5 }, MESSAGES.cron('a string of 1-128 characters')],
    ['schedule', { schedule: 'every monday' }, expect.stringContaining('must be a cron expression')],
    ['every', { every: '30d' }, MESSAGES.scheduleExclusive],
    ['every', { schedule: undefined, every: 30 }, MESSAGES.durationNumber('30s')],
    ['every', { schedule: undefined, every: 'monthly' }, MESSAGES.duration],
    ['window', { window: '0s' }, MESSAGES.duration],
    ['retireAfter', { retireAfter: 3600 }, MESSAGES.durationNumber('3600s')],
    ['maxRetireWait', { maxRetireWait: '30m' }, MESSAGES.maxRetireWait],
    ['consoleUrl', { consoleUrl: 'http://api.adobe.io' }, MESSAGES.imsUrlHttps],
    ['consoleUrl', { consoleUrl: 'https://api.adobe.io/console' }, MESSAGES.imsUrlPath],
    ['consoleUrl', { consoleUrl: 'api.adobe.io' }, MESSAGES.consoleUrlNotString],
    ['clientSecret', { clientSecret: 'p8e-xyz' }, MESSAGES.clearTextSecret],
    ['orgId', { orgId: '1' }, MESSAGES.unknownKey(ROTATION_KEYS)],
  ])('reports rotation.%s', (key, override, message) => {
    expect(issuesOf(withRotation(rotationDoc(override as Doc)))).toEqual([{ path: `credentials[0].rotation.${key}`, message }]);
  });

  it('must be a mapping', () => {
    expect(issuesOf(withRotation('weekly'))).toEqual([{ path: 'credentials[0].rotation', message: MESSAGES.notMapping('a string') }]);
  });

  it.each([
    [{ source: 'env', name: 'AEP_SECRET' }, MESSAGES.rotationNeedsAws],
    [{ source: 'file', path: '/run/secrets/aep' }, MESSAGES.rotationNeedsAws],
    [{ source: 'aws', secretId: 'prod/adobe/aep', versionStage: 'AWSPREVIOUS' }, MESSAGES.rotationNeedsCurrent],
  ])('needs an aws secret read at AWSCURRENT: %p', (secret, message) => {
    expect(issuesOf(withRotation(rotationDoc(), { secret }))).toEqual([{ path: 'credentials[0].rotation', message }]);
  });

  it('reports every problem of the block at once', () => {
    const issues = issuesOf(withRotation(rotationDoc({ consoleOrgId: undefined, schedule: '99 * * * *', retireAfter: 'soon' })));
    expect(issues.map((issue) => issue.path)).toEqual([
      'credentials[0].rotation.consoleOrgId',
      'credentials[0].rotation.schedule',
      'credentials[0].rotation.retireAfter',
    ]);
  });

  it('is not a key of the other providers', () => {
    const doc = configDoc({
      credentials: [
        {
          id: 'graph',
          provider: 'oauth2',
          tokenUrl: 'https://login.example.com/token',
          clientId: 'c',
          secret: { source: 'aws', secretId: 'x' },
          rotation: rotationDoc(),
        },
      ],
      callers: [],
    });
    expect(issuesOf(doc)).toEqual([{ path: 'credentials[0].rotation', message: expect.stringContaining('unknown key') }]);
  });
});
