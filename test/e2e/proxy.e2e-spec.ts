import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { type BrokerUnderTest, type CredentialInput, startBroker, TEST_ORG_ID } from '../support/broker-app';
import { type BrokerResponse, call } from '../support/broker-http';
import { AdobeApiEmulator, type AdobeApiEcho } from '../support/adobe-api-emulator';
import { freePort } from '../support/free-port';
import { ImsEmulator } from '../support/ims-emulator';
import { LogCapture } from '../support/log-capture';
import { expectProblem } from './e2e.assertions';

const CLIENT_ID = 'e2e-proxy-client';
const SECRET_ENV = 'E2E_PROXY_SECRET';
const PROXY_KEY = `proxy-key-${randomBytes(16).toString('hex')}`;
const FETCH_ONLY_KEY = `fetch-key-${randomBytes(16).toString('hex')}`;
const ALL_KEY = `all-key-${randomBytes(16).toString('hex')}`;
const MAX_BODY = 256 * 1024;

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** A raw HTTP/1.1 request, for what fetch will not send (chunked bodies of our choosing, odd paths). */
function rawRequest(url: string, path: string, options: { method?: string; headers?: Record<string, string>; chunks?: Buffer[] }): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = httpRequest({ host: target.hostname, port: target.port, path, method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(parts).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    const write = async (): Promise<void> => {
      for (const chunk of options.chunks ?? []) {
        if (req.destroyed) return;
        if (!req.write(chunk)) await new Promise((resolve) => req.once('drain', resolve));
      }
      req.end();
    };
    void write().catch(() => undefined);
  });
}

describe('ANY /v1/proxy/{credentialId}/{upstream}/{path}', () => {
  let ims: ImsEmulator;
  let api: AdobeApiEmulator;
  let broker: BrokerUnderTest;
  let deadUrl: string;
  const logs = new LogCapture();
  const audit = new LogCapture();

  const proxy = (path: string, init: { method?: string; headers?: Record<string, string>; body?: string; apiKey?: string } = {}): Promise<BrokerResponse> =>
    call(broker.url, `/v1/proxy/${path}`, { apiKey: init.apiKey ?? PROXY_KEY, ...(init.method ? { method: init.method } : {}), ...(init.headers ? { headers: init.headers } : {}), ...(init.body === undefined ? {} : { body: init.body }) });

  const credential = (id: string, proxySettings?: Record<string, unknown>): CredentialInput => ({
    id,
    imsUrl: ims.url,
    clientId: CLIENT_ID,
    secret: { source: 'env', name: SECRET_ENV },
    ...(proxySettings ? { proxy: proxySettings } : {}),
  });

  beforeAll(async () => {
    const secret = `s3cret-${randomBytes(16).toString('hex')}`;
    process.env[SECRET_ENV] = secret;
    ims = await ImsEmulator.start();
    ims.addClient({ clientId: CLIENT_ID, secrets: [secret] });
    api = await AdobeApiEmulator.start(ims);
    api.addClient(CLIENT_ID, TEST_ORG_ID);
    deadUrl = `http://127.0.0.1:${await freePort()}`;
    const upstreams = { platform: api.url, prefixed: `${api.url}/imp`, dead: deadUrl };
    broker = await startBroker({
      logs,
      auditLogs: audit,
      file: {
        credentials: [
          credential('aep', { upstreams, timeout: '1s', maxRequestBody: `${MAX_BODY / 1024}KiB` }),
          credential('burst', { upstreams }),
          credential('retry', { upstreams, maxRequestBody: '1MiB' }),
          credential('bulk', { upstreams, maxRequestBody: '64MiB' }),
          credential('strict', { upstreams }),
          credential('plain'),
        ],
        callers: [
          { id: 'proxy-only', apiKey: PROXY_KEY, credentials: [], proxy: ['aep', 'burst', 'retry', 'bulk', 'strict', 'plain'] },
          { id: 'fetch-only', apiKey: FETCH_ONLY_KEY, credentials: ['aep'] },
          { id: 'everything', apiKey: ALL_KEY, credentials: ['*'], proxy: ['*'] },
        ],
      },
    });
  });
  afterAll(async () => {
    await broker?.close();
    await api?.close();
    await ims?.close();
    delete process.env[SECRET_ENV];
  });
  beforeEach(() => api.reset());

  describe('forwarding', () => {
    it('injects the credential headers, strips the caller credentials and passes every other header through', async () => {
      const response = await proxy('aep/platform/data/foundation/catalog/dataSets?limit=2&properties=name', {
        headers: { cookie: 'session=caller', 'proxy-authorization': 'Basic eA==', 'x-sandbox-name': 'prod', accept: 'application/json', 'x-api-key': 'forged' },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-broker-upstream-status')).toBe('200');
      const echo = response.body as AdobeApiEcho;
      const token = ims.issued.at(-1)?.token as string;
      expect(echo).toMatchObject({ method: 'GET', path: '/data/foundation/catalog/dataSets', query: '?limit=2&properties=name' });
      expect(echo.headers).toMatchObject({ authorization: `Bearer ${token}`, 'x-api-key': CLIENT_ID, 'x-gw-ims-org-id': TEST_ORG_ID, 'x-sandbox-name': 'prod', accept: 'application/json' });
      expect(echo.headers).not.toHaveProperty('cookie');
      expect(echo.headers).not.toHaveProperty('proxy-authorization');
      expect(echo.headers['host']).toBe(new URL(api.url).host);
    });

    it('appends the path to the base URL path of the upstream, and keeps an @ in it', async () => {
      const response = await proxy('aep/prefixed/orgs/53A1B2C3@AdobeOrg/journeys');
      expect((response.body as AdobeApiEcho).path).toBe('/imp/orgs/53A1B2C3@AdobeOrg/journeys');
    });

    it('sends a small body and a large streamed one intact', async () => {
      const small = JSON.stringify({ name: 'dataset', schema: { id: 'x' } });
      const posted = await proxy('aep/platform/data/x', { method: 'POST', headers: { 'content-type': 'application/json' }, body: small });
      expect(posted.body).toMatchObject({ method: 'POST', bodyBytes: Buffer.byteLength(small), bodySha256: sha256(small) });
      expect((posted.body as AdobeApiEcho).headers['content-type']).toBe('application/json');

      const chunks = Array.from({ length: 320 }, (_, i) => Buffer.alloc(64 * 1024, i % 251));
      const big = await rawRequest(broker.url, '/v1/proxy/bulk/platform/upload', {
        method: 'PUT',
        headers: { authorization: `Bearer ${PROXY_KEY}`, 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
        chunks,
      });
      expect(big.status).toBe(200);
      expect(JSON.parse(big.text)).toMatchObject({ method: 'PUT', bodyBytes: 320 * 64 * 1024, bodySha256: sha256(Buffer.concat(chunks)) });
    });

    it('passes upstream answers through untouched: errors, redirects (not followed); drops Set-Cookie', async () => {
      const failed = await proxy('aep/platform/a/status/503');
      expect(failed.status).toBe(503);
      expect(failed.headers.get('content-type')).toBe('application/json');
      expect(failed.body).toEqual({ status: 503, message: 'as asked' });
      expect(failed.headers.get('x-broker-upstream-status')).toBe('503');

      const redirect = await rawRequest(broker.url, '/v1/proxy/aep/platform/redirect', { headers: { authorization: `Bearer ${PROXY_KEY}` } });
      expect(redirect.status).toBe(302);
      expect(redirect.headers['location']).toBe('/elsewhere?from=emulator');
      expect(api.requests.map((r) => r.url)).toEqual(['/a/status/503', '/redirect']);

      const cookie = await proxy('aep/platform/cookie');
      expect(cookie.status).toBe(200);
      expect(cookie.headers.get('set-cookie')).toBeNull();
    });

    it('answers 1,000 concurrent calls with one token mint', async () => {
      ims.delayMs = 200;
      const before = ims.calls;
      const responses = await Promise.all(Array.from({ length: 1000 }, (_, i) => proxy(`burst/platform/items/${i}`)));
      ims.delayMs = 0;
      expect(responses.filter((r) => r.status !== 200).map((r) => r.status)).toEqual([]);
      expect(ims.calls - before).toBe(1);
      expect(new Set(api.acceptedTokens)).toEqual(new Set([ims.issued.at(-1)?.token]));
    }, 120_000);
  });

  describe('refusals', () => {
    it.each([
      'aep/platform/../admin',
      'aep/platform/a/%2e%2e/admin',
      'aep/platform/a/.%2E/admin',
      'aep/platform/a/./b',
      'aep/platform/a%2Fb',
      'aep/platform/a%5cb',
      'aep/platform/%252e%252e/b',
    ])('answers 400 invalid_path for %s and calls nothing', async (path) => {
      const response = await rawRequest(broker.url, `/v1/proxy/${path}`, { headers: { authorization: `Bearer ${PROXY_KEY}` } });
      expect(response.status).toBe(400);
      expect(JSON.parse(response.text)).toMatchObject({ code: 'invalid_path' });
      expect(api.requests).toHaveLength(0);
    });

    it('answers 401 without a key, 403 without a proxy grant (even with a token grant), and for unknown ids', async () => {
      expectProblem(await call(broker.url, '/v1/proxy/aep/platform/x'), 401, 'unauthenticated');
      expectProblem(await proxy('aep/platform/x', { apiKey: FETCH_ONLY_KEY }), 403, 'forbidden');
      expectProblem(await proxy('nope/platform/x'), 403, 'forbidden');
      expectProblem(await proxy('nope/platform/x', { apiKey: ALL_KEY }), 404, 'credential_not_found');
      expect(api.requests).toHaveLength(0);
    });

    it('answers 404 unknown_upstream for an upstream the credential does not name', async () => {
      expectProblem(await proxy('aep/elsewhere/x'), 404, 'unknown_upstream');
      expectProblem(await proxy('plain/platform/x'), 404, 'unknown_upstream');
      expect(api.requests).toHaveLength(0);
    });

    it('answers 413 for a Content-Length over maxRequestBody before sending anything', async () => {
      const response = await rawRequest(broker.url, '/v1/proxy/aep/platform/x', {
        method: 'POST',
        headers: { authorization: `Bearer ${PROXY_KEY}`, 'content-type': 'application/octet-stream', 'content-length': String(MAX_BODY + 1) },
        chunks: [Buffer.alloc(MAX_BODY + 1)],
      });
      expect(response.status).toBe(413);
      expect(JSON.parse(response.text)).toMatchObject({ code: 'request_too_large' });
      expect(api.requests).toHaveLength(0);
    });

    it('answers 413 for a chunked body that passes maxRequestBody, and the upstream never gets it whole', async () => {
      const response = await rawRequest(broker.url, '/v1/proxy/aep/platform/x', {
        method: 'POST',
        headers: { authorization: `Bearer ${PROXY_KEY}`, 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
        chunks: Array.from({ length: 8 }, () => Buffer.alloc(64 * 1024)),
      });
      expect(response.status).toBe(413);
      expect(JSON.parse(response.text)).toMatchObject({ code: 'request_too_large' });
      expect(api.requests.filter((r) => r.status === 200)).toHaveLength(0);
    });

    it('answers 502 upstream_unreachable and 504 upstream_timeout', async () => {
      expectProblem(await proxy('aep/dead/x'), 502, 'upstream_unreachable');
      const started = Date.now();
      expectProblem(await proxy('aep/platform/hang'), 504, 'upstream_timeout');
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    });

    it('answers 503 from the token service when no token can be had', async () => {
      ims.failNext(1, '503');
      expectProblem(await proxy('plain/platform/x', { apiKey: ALL_KEY }), 404, 'unknown_upstream');
      const fresh = await startBroker({
        logs,
        file: { credentials: [credential('down', { upstreams: { platform: api.url } })], callers: [{ id: 'p', apiKey: PROXY_KEY, credentials: [], proxy: ['down'] }], tokens: { upstreamAttempts: 1 } },
      });
      try {
        expectProblem(await call(fresh.url, '/v1/proxy/down/platform/x', { apiKey: PROXY_KEY }), 503, 'upstream_unavailable');
      } finally {
        await fresh.close();
      }
      expect(api.requests).toHaveLength(0);
    });
  });

  describe('a 401 from the upstream', () => {
    it('replaces the rejected token once and replays a replayable call with the new one', async () => {
      const first = await proxy('retry/platform/warm');
      expect(first.status).toBe(200);
      const rejected = api.acceptedTokens.at(-1) as string;
      api.distrust(rejected);
      const before = ims.calls;
      const body = JSON.stringify({ replay: true });
      const answers = await Promise.all(Array.from({ length: 20 }, () => proxy('retry/platform/again', { method: 'POST', headers: { 'content-type': 'application/json' }, body })));
      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
      expect(ims.calls - before).toBe(1);
      const fresh = ims.issued.at(-1)?.token as string;
      expect(fresh).not.toBe(rejected);
      for (const answer of answers) expect(answer.body).toMatchObject({ bodySha256: sha256(body) });
      const line = audit.entries.find((entry) => entry['request_id'] === answers[0]?.headers.get('x-request-id'));
      expect(line).toMatchObject({ action: 'proxy.request', outcome: 'success', caller_id: 'proxy-only', credential_id: 'retry', status: 200, token_fingerprint: sha256(fresh).slice(0, 12) });
      expect(line?.['details']).toMatchObject({ upstream: 'platform', method: 'POST', retried: true, upstream_status: 200 });
    });

    it('passes the 401 back when the call cannot be replayed, with the token replaced for the next call', async () => {
      expect((await proxy('bulk/platform/warm')).status).toBe(200);
      const rejected = api.acceptedTokens.at(-1) as string;
      api.distrust(rejected);
      const response = await rawRequest(broker.url, '/v1/proxy/bulk/platform/upload', {
        method: 'PUT',
        headers: { authorization: `Bearer ${PROXY_KEY}`, 'transfer-encoding': 'chunked' },
        chunks: [Buffer.alloc(100 * 1024)],
      });
      expect(response.status).toBe(401);
      expect(JSON.parse(response.text)).toEqual({ error_code: '401013', message: 'Oauth token is not valid' });
      expect(response.headers['x-broker-upstream-status']).toBe('401');
      expect((await proxy('bulk/platform/next')).status).toBe(200);
    });

    it('passes the 401 back when the new token is refused too, without minting again within the cooldown', async () => {
      expect((await proxy('strict/platform/warm')).status).toBe(200);
      api.distrustAll = true;
      const before = ims.calls;
      const first = await proxy('strict/platform/x');
      const second = await proxy('strict/platform/y');
      expect([first.status, second.status]).toEqual([401, 401]);
      expect(ims.calls - before).toBe(1);
    });
  });

  describe('observability', () => {
    it('exposes proxy metrics by credential, upstream and status', async () => {
      await proxy('aep/platform/metrics-probe');
      const text = (await call(broker.url, '/metrics')).text;
      expect(text).toMatch(/broker_proxy_requests_total\{credential="aep",upstream="platform",status="200"\} \d+/);
      expect(text).toMatch(/broker_proxy_request_duration_seconds_bucket\{le="[^"]+",credential="aep",upstream="platform"\} \d+/);
      expect(text).toMatch(/broker_proxy_requests_total\{credential="aep",upstream="dead",status="502"\} \d+/);
    });

    it('never shows a token to the caller or writes one to the logs', async () => {
      const secrets = new Map(ims.issued.map((issued, i) => [`token ${i}`, issued.token]));
      expect(secrets.size).toBeGreaterThan(2);
      expect(logs.leaksOf(secrets)).toEqual([]);
      expect(audit.leaksOf(secrets)).toEqual([]);
      const response = await proxy('aep/platform/echo');
      // The emulator echoes what it got: the only place a token may appear is that echo, which is the upstream's.
      const shown = response.text.replace(/"authorization":"Bearer [^"]+"/, '');
      for (const token of secrets.values()) expect(shown).not.toContain(token);
      const failure = await proxy('aep/dead/x');
      for (const token of secrets.values()) expect(failure.text).not.toContain(token);
    });
  });
});
