import { callerResponseHeaders, upstreamRequestHeaders } from './proxy-headers';

describe('proxy header rules', () => {
  const injected = { authorization: 'Bearer TOKEN', 'x-api-key': 'client', 'x-gw-ims-org-id': 'ORG@AdobeOrg' };

  it('strips the caller credentials, proxy and hop-by-hop headers, and injects the credential headers', () => {
    const headers = upstreamRequestHeaders(
      {
        authorization: 'Bearer caller-api-key',
        cookie: 'a=b',
        'proxy-authorization': 'Basic x',
        'proxy-connection': 'keep-alive',
        connection: 'keep-alive, x-secret-hop',
        'x-secret-hop': '1',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        te: 'trailers',
        upgrade: 'h2c',
        host: 'broker:8080',
        expect: '100-continue',
        'content-length': '999',
        'x-api-key': 'forged',
        'x-sandbox-name': 'prod',
        accept: 'application/json',
        'content-type': 'application/json',
      },
      injected,
      12,
    );
    expect(headers).toEqual({ 'x-sandbox-name': 'prod', accept: 'application/json', 'content-type': 'application/json', ...injected, 'content-length': '12' });
  });

  it('drops Set-Cookie and hop-by-hop headers from the answer, adds the upstream status, keeps Location', () => {
    const headers = callerResponseHeaders(
      { 'set-cookie': ['a=b'], connection: 'close, x-hop', 'x-hop': '1', 'transfer-encoding': 'chunked', location: '/elsewhere', 'content-type': 'text/plain', 'x-request-id': 'upstream-id' },
      302,
      'broker-id',
    );
    expect(headers).toEqual({ location: '/elsewhere', 'content-type': 'text/plain', 'x-upstream-request-id': 'upstream-id', 'x-broker-upstream-status': '302' });
    expect(callerResponseHeaders({ 'x-request-id': 'same' }, 200, 'same')).toEqual({ 'x-broker-upstream-status': '200' });
  });
});
