import { MESSAGES } from '../config.constants';
import { validationErrorOf } from '../../../../test/fixtures/config.fixtures';
import { BROKER_ENV_VARIABLES, parseEnvironment } from './environment.parser';
import { TLS_MESSAGES } from '../tls.constants';

const issuesOf = (env: NodeJS.ProcessEnv) => validationErrorOf(() => parseEnvironment(env)).issues;
const FILES = { TLS_CERT_FILE: '/tls/tls.crt', TLS_KEY_FILE: '/tls/tls.key' };

describe('TLS environment', () => {
  it('serves plain HTTP without TLS_CERT_FILE', () => {
    const env = parseEnvironment({});
    expect(env.tls).toBeUndefined();
    expect(env.healthPort).toBeUndefined();
    expect(env.outboundProxy).toBeUndefined();
  });

  it('reads the files and the client-auth mode (default none)', () => {
    expect(parseEnvironment(FILES).tls).toStrictEqual({ certFile: '/tls/tls.crt', keyFile: '/tls/tls.key', clientAuth: 'none' });
    expect(parseEnvironment({ ...FILES, TLS_CLIENT_CA_FILE: '/tls/ca.crt', TLS_CLIENT_AUTH: 'Require' }).tls).toStrictEqual({
      certFile: '/tls/tls.crt',
      keyFile: '/tls/tls.key',
      clientCaFile: '/tls/ca.crt',
      clientAuth: 'require',
    });
  });

  it.each([
    [{ TLS_KEY_FILE: '/k' }, 'TLS_KEY_FILE', TLS_MESSAGES.keyWithoutCert],
    [{ TLS_CERT_FILE: '/c' }, 'TLS_CERT_FILE', TLS_MESSAGES.certWithoutKey],
    [{ TLS_CLIENT_CA_FILE: '/ca' }, 'TLS_CLIENT_CA_FILE', TLS_MESSAGES.caWithoutCert],
    [{ TLS_CLIENT_AUTH: 'optional' }, 'TLS_CLIENT_AUTH', TLS_MESSAGES.clientAuthWithoutCert],
    [{ ...FILES, TLS_CLIENT_AUTH: 'require' }, 'TLS_CLIENT_AUTH', TLS_MESSAGES.clientAuthWithoutCa],
    [{ ...FILES, TLS_CLIENT_AUTH: 'always' }, 'TLS_CLIENT_AUTH', TLS_MESSAGES.clientAuth],
    [{ HEALTH_PORT: '70000' }, 'HEALTH_PORT', MESSAGES.port],
    [{ HEALTH_PORT: '8080' }, 'HEALTH_PORT', TLS_MESSAGES.healthPortSameAsPort],
    [{ HTTPS_PROXY: 'proxy.internal:3128' }, 'HTTPS_PROXY', TLS_MESSAGES.proxyUrl],
    [{ http_proxy: 'socks5://proxy.internal:1080' }, 'http_proxy', TLS_MESSAGES.proxyUrl],
  ])('reports %j', (env, path, message) => {
    expect(issuesOf(env)).toEqual([{ path, message }]);
  });

  it('reads HEALTH_PORT', () => {
    expect(parseEnvironment({ HEALTH_PORT: '8081' }).healthPort).toBe(8081);
  });

  it('reads the proxy variables, folding the lower-case spellings and preferring the upper-case ones', () => {
    expect(parseEnvironment({ https_proxy: 'http://proxy:3128', no_proxy: 'localhost,.svc' }).outboundProxy).toStrictEqual({
      HTTPS_PROXY: 'http://proxy:3128',
      NO_PROXY: 'localhost,.svc',
    });
    expect(parseEnvironment({ HTTPS_PROXY: 'http://upper:3128', https_proxy: 'http://lower:3128', HTTP_PROXY: 'http://plain:3128' }).outboundProxy).toStrictEqual({
      HTTPS_PROXY: 'http://upper:3128',
      HTTP_PROXY: 'http://plain:3128',
    });
  });

  it('never quotes a proxy URL, which may carry credentials', () => {
    const error = validationErrorOf(() => parseEnvironment({ HTTPS_PROXY: 'ftp://user:s3cret@proxy' }));
    expect(error.message).not.toContain('s3cret');
  });

  it('lists its variables in BROKER_ENV_VARIABLES', () => {
    expect(BROKER_ENV_VARIABLES).toEqual(expect.arrayContaining(['TLS_CERT_FILE', 'TLS_KEY_FILE', 'TLS_CLIENT_CA_FILE', 'TLS_CLIENT_AUTH', 'HEALTH_PORT', 'HTTPS_PROXY', 'NO_PROXY']));
  });
});
