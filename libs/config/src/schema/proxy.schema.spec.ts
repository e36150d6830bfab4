import { MESSAGES } from '../config.constants';
import { callerDoc, configDoc, credentialDoc, DEMO_KEY_SHA256, issuesOf, parseDoc } from '../../../../test/fixtures/config.fixtures';
import { PROXY_MESSAGES, tryParseByteSize } from './proxy.schema';

const PROXY = { upstreams: { platform: 'https://platform.adobe.io', ajo: 'https://cjm.adobe.io/imp/' } };

describe('proxy configuration (credentials[].proxy, callers[].proxy, tokens.rejectionCooldown)', () => {
  it('reads upstreams, with the defaults for timeout and maxRequestBody', () => {
    const config = parseDoc(configDoc({ credentials: [credentialDoc({ proxy: PROXY })] }));
    expect(config.credentials[0]?.proxy).toEqual({
      upstreams: { platform: 'https://platform.adobe.io', ajo: 'https://cjm.adobe.io/imp' },
      timeoutMs: 30_000,
      maxRequestBodyBytes: 10 * 1024 * 1024,
    });
    expect(config.tokens.rejectionCooldownMs).toBe(30_000);
    expect(config.callers[0]?.proxy).toEqual([]);
  });

  it('reads timeout, maxRequestBody, proxy grants and the rejection cooldown', () => {
    const config = parseDoc(
      configDoc({
        credentials: [credentialDoc({ proxy: { ...PROXY, timeout: '5s', maxRequestBody: '64KiB' } })],
        callers: [callerDoc({ credentials: undefined, proxy: ['aep-*'] })],
        tokens: { rejectionCooldown: '1m' },
      }),
    );
    expect(config.credentials[0]?.proxy).toMatchObject({ timeoutMs: 5_000, maxRequestBodyBytes: 65_536 });
    expect(config.callers[0]).toMatchObject({ credentials: [], proxy: ['aep-*'] });
    expect(config.tokens.rejectionCooldownMs).toBe(60_000);
  });

  it('accepts proxy on every provider', () => {
    const oauth2 = { id: 'partner', provider: 'oauth2', tokenUrl: 'https://login.example.com/token', clientId: 'c', secret: { source: 'env', name: 'S' }, proxy: PROXY };
    const config = parseDoc(configDoc({ credentials: [credentialDoc(), oauth2] }));
    expect(config.credentials[1]?.proxy?.upstreams['platform']).toBe('https://platform.adobe.io');
  });

  it('lists every invalid proxy value with its path', () => {
    const issues = issuesOf(
      configDoc({
        credentials: [
          credentialDoc({
            proxy: {
              upstreams: { Platform: 'https://platform.adobe.io', plain: 'http://platform.adobe.io', query: 'https://a.example.com/x?y=1', creds: 'https://u:p@a.example.com' },
              timeout: '2h',
              maxRequestBody: '10MB',
              retries: 1,
            },
          }),
        ],
        callers: [callerDoc({ proxy: ['nope', 'bad id!'] })],
        tokens: { rejectionCooldown: '500ms' },
      }),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'credentials[0].proxy.retries', message: MESSAGES.unknownKey(['upstreams', 'timeout', 'maxRequestBody']) },
        { path: 'credentials[0].proxy.upstreams.Platform', message: PROXY_MESSAGES.upstreamName },
        { path: 'credentials[0].proxy.upstreams.plain', message: MESSAGES.imsUrlHttps },
        { path: 'credentials[0].proxy.upstreams.query', message: PROXY_MESSAGES.upstreamUrlQuery },
        { path: 'credentials[0].proxy.upstreams.creds', message: MESSAGES.imsUrlUserinfo },
        { path: 'credentials[0].proxy.timeout', message: PROXY_MESSAGES.timeout },
        { path: 'credentials[0].proxy.maxRequestBody', message: PROXY_MESSAGES.byteSize },
        { path: 'callers[0].proxy[0]', message: MESSAGES.unknownCredential('nope') },
        { path: 'callers[0].proxy[1]', message: MESSAGES.credentialGrant },
        { path: 'tokens.rejectionCooldown', message: PROXY_MESSAGES.rejectionCooldown },
      ]),
    );
    expect(issues).toHaveLength(10);
  });

  it('refuses an empty upstream list and a proxy section without one', () => {
    expect(issuesOf(configDoc({ credentials: [credentialDoc({ proxy: { upstreams: {} } })] }))).toEqual([
      { path: 'credentials[0].proxy.upstreams', message: PROXY_MESSAGES.noUpstreams },
    ]);
    expect(issuesOf(configDoc({ credentials: [credentialDoc({ proxy: { timeout: '5s' } })] }))).toEqual([
      { path: 'credentials[0].proxy.upstreams', message: MESSAGES.required },
    ]);
  });

  it('still requires some grant from a caller that is neither admin nor proxy-only', () => {
    expect(issuesOf(configDoc({ callers: [{ id: 'x', apiKeySha256: DEMO_KEY_SHA256, proxy: [] }] }))).toEqual([
      { path: 'callers[0].credentials', message: MESSAGES.required },
    ]);
  });

  it.each([
    ['65536', 65_536],
    [1024, 1024],
    ['64KiB', 65_536],
    ['10MiB', 10_485_760],
    ['1GiB', 1_073_741_824],
    ['10MB', undefined],
    ['-1', undefined],
    [1.5, undefined],
  ])('reads the size %j', (value, bytes) => {
    expect(tryParseByteSize(value)).toBe(bytes);
  });
});
