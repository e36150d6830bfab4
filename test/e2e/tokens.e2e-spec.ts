import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrokerUnderTest, type CredentialInput, startBroker, TEST_ORG_ID, TEST_SCOPES } from '../support/broker-app';
import { call, elapse, type TokenBody, waitUntil } from '../support/broker-http';
import { ImsEmulator } from '../support/ims-emulator';
import { expectProblem, expectToken, expectTruthfulExpiresIn } from './e2e.assertions';

const CLIENT_ID = 'e2e-tokens-client';
const CLIENT_SECRET = `s3cret-${randomBytes(16).toString('hex')}`;
const API_KEY = `tokens-key-${randomBytes(16).toString('hex')}`;

describe('GET /v1/tokens/{credentialId}', () => {
  let ims: ImsEmulator;
  let secretDir: string;

  /** A credential of the emulator's one client; the secret comes from a file. */
  function credential(id: string): CredentialInput {
    return { id, imsUrl: ims.url, clientId: CLIENT_ID, secret: { source: 'file', path: join(secretDir, 'client-secret') } };
  }

  beforeAll(async () => {
    ims = await ImsEmulator.start();
    ims.addClient({ clientId: CLIENT_ID, secrets: [CLIENT_SECRET] });
    secretDir = mkdtempSync(join(tmpdir(), 'broker-e2e-tokens-'));
    writeFileSync(join(secretDir, 'client-secret'), `${CLIENT_SECRET}\n`, { mode: 0o600 });
  });

  afterAll(async () => {
    await ims.close();
    rmSync(secretDir, { recursive: true, force: true });
  });

  describe('serving', () => {
    let broker: BrokerUnderTest;
    const get = (path: string) => call(broker.url, path, { apiKey: API_KEY });

    beforeAll(async () => {
      broker = await startBroker({
        file: {
          credentials: ['burst', 'shape', 'countdown', 'headers'].map(credential),
          callers: [{ id: 'svc', apiKey: API_KEY, credentials: ['*'] }],
        },
      });
    });
    afterAll(() => broker.close());
    afterEach(() => {
      ims.delayMs = 0;
    });

    it('answers 500 concurrent cold requests with one upstream call and one token', async () => {
      // A slow IMS keeps the first mint in flight while the other requests arrive.
      ims.delayMs = 250;
      const before = ims.calls;
      const responses = await Promise.all(Array.from({ length: 500 }, () => get('/v1/tokens/burst')));

      expect(responses.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
      const tokens = new Set(responses.map((r) => (r.body as TokenBody).access_token));
      expect(ims.calls - before).toBe(1);
      expect([...tokens]).toEqual([ims.issued.at(-1)?.token]);
    });

    it('answers with the token, its lifetime and no-store cache headers', async () => {
      const response = await get('/v1/tokens/shape');

      const body = expectToken(response, 'shape');
      expect(body.access_token).toBe(ims.issued.at(-1)?.token);
      expectTruthfulExpiresIn(response, body);
      // The broker dates the token from when it sent the mint request, inside this request's window.
      const lifetimeMs = ims.tokenLifetimeSeconds * 1000;
      expect(Date.parse(body.expires_at)).toBeGreaterThanOrEqual(response.sentAt + lifetimeMs);
      expect(Date.parse(body.expires_at)).toBeLessThanOrEqual(response.receivedAt + lifetimeMs);
      expect(response.headers.get('x-request-id')).toMatch(/\S/);
    });

    it('counts expires_in down between requests while expires_at stays', async () => {
      const first = await get('/v1/tokens/countdown');
      const firstBody = expectToken(first, 'countdown');
      const calls = ims.calls;
      await elapse(2_100);
      const second = await get('/v1/tokens/countdown');
      const secondBody = expectToken(second, 'countdown');

      expect(ims.calls).toBe(calls);
      expect(secondBody.access_token).toBe(firstBody.access_token);
      expect(secondBody.expires_at).toBe(firstBody.expires_at);
      expectTruthfulExpiresIn(first, firstBody);
      expectTruthfulExpiresIn(second, secondBody);
      // It dropped by the whole seconds that passed between the two answers (at least the 2.1 s waited).
      const drop = firstBody.expires_in - secondBody.expires_in;
      expect(drop).toBeGreaterThanOrEqual(Math.max(2, Math.floor((second.sentAt - first.receivedAt) / 1000)));
      expect(drop).toBeLessThanOrEqual(Math.ceil((second.receivedAt - first.sentAt) / 1000));
    });

    it('serves ready-made Adobe API headers from the same cached token', async () => {
      const response = await get('/v1/tokens/headers/headers?min_ttl=60');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json\b/);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('pragma')).toBe('no-cache');
      const token = ims.issued.at(-1)?.token;
      expect(response.body).toEqual({ authorization: `Bearer ${token}`, 'x-api-key': CLIENT_ID, 'x-gw-ims-org-id': TEST_ORG_ID });

      const calls = ims.calls;
      const plain = expectToken(await get('/v1/tokens/headers'), 'headers');
      expect(plain.access_token).toBe(token);
      expect(ims.calls).toBe(calls);
    });

    it('validates the query of the headers endpoint like the token endpoint', async () => {
      expectProblem(await get('/v1/tokens/headers/headers?foo=1'), 400, 'invalid_parameter');
      expectProblem(await get('/v1/tokens/headers/headers?min_ttl=-1'), 400, 'invalid_parameter');
    });
  });

  describe('min_ttl', () => {
    let broker: BrokerUnderTest;
    const get = (path: string) => call(broker.url, path, { apiKey: API_KEY });
    const LIFETIME_S = 120;

    beforeAll(async () => {
      ims.tokenLifetimeSeconds = LIFETIME_S;
      broker = await startBroker({
        file: {
          credentials: ['young', 'long', 'fits', 'crowd'].map(credential),
          callers: [{ id: 'svc', apiKey: API_KEY, credentials: ['*'] }],
          tokens: { minRefreshInterval: '1s' },
        },
      });
    });
    afterAll(async () => {
      await broker.close();
      ims.tokenLifetimeSeconds = 86_399;
    });

    it('re-mints a token with less left than min_ttl, but not before minRefreshInterval', async () => {
      const first = expectToken(await get('/v1/tokens/young?min_ttl=0'), 'young');
      const calls = ims.calls;

      // Younger than minRefreshInterval: served as is, even though it cannot meet min_ttl.
      const young = expectToken(await get(`/v1/tokens/young?min_ttl=${LIFETIME_S}`), 'young');
      expect(young.access_token).toBe(first.access_token);
      expect(young.expires_in).toBeLessThan(LIFETIME_S);
      expect(ims.calls).toBe(calls);

      await elapse(1_100);
      const renewed = expectToken(await get(`/v1/tokens/young?min_ttl=${LIFETIME_S}`), 'young');
      expect(ims.calls).toBe(calls + 1);
      expect(renewed.access_token).not.toBe(first.access_token);
      expect(renewed.access_token).toBe(ims.issued.at(-1)?.token);
      expect(renewed.expires_in).toBeGreaterThanOrEqual(LIFETIME_S - 2);

      // The new token meets a smaller min_ttl: no further mint.
      const again = expectToken(await get('/v1/tokens/young?min_ttl=60'), 'young');
      expect(again.access_token).toBe(renewed.access_token);
      expect(ims.calls).toBe(calls + 1);
    });

    it('lets concurrent callers that need a fresher token share one re-mint', async () => {
      const first = expectToken(await get('/v1/tokens/crowd?min_ttl=0'), 'crowd');
      const calls = ims.calls;
      await elapse(1_100);
      const responses = await Promise.all(Array.from({ length: 100 }, () => get(`/v1/tokens/crowd?min_ttl=${LIFETIME_S}`)));
      const tokens = new Set(responses.map((r) => expectToken(r, 'crowd').access_token));
      expect(ims.calls).toBe(calls + 1);
      expect([...tokens]).toEqual([ims.issued.at(-1)?.token]);
      expect(tokens.has(first.access_token)).toBe(false);
    });

    it('serves the held token when min_ttl exceeds what the provider grants (no mint)', async () => {
      const first = expectToken(await get('/v1/tokens/long?min_ttl=0'), 'long');
      const calls = ims.calls;
      await elapse(1_100);

      for (const query of ['?min_ttl=3600', '', '?min_ttl=86400']) {
        // The default min_ttl (300 s) is also more than these 120 s tokens ever have.
        const body = expectToken(await get(`/v1/tokens/long${query}`), 'long');
        expect(body.access_token).toBe(first.access_token);
      }
      expect(ims.calls).toBe(calls);
    });

    it('serves the held token while it meets min_ttl', async () => {
      const first = expectToken(await get('/v1/tokens/fits?min_ttl=0'), 'fits');
      const calls = ims.calls;
      await elapse(1_100);
      const body = expectToken(await get('/v1/tokens/fits?min_ttl=100'), 'fits');
      expect(body.access_token).toBe(first.access_token);
      expect(ims.calls).toBe(calls);
    });
  });

  describe('refresh ahead', () => {
    let broker: BrokerUnderTest;
    const LIFETIME_S = 40;
    const FIRST_REQUEST_ID = 'e2e-refresh-ahead-first';

    beforeAll(async () => {
      ims.tokenLifetimeSeconds = LIFETIME_S;
      broker = await startBroker({
        file: {
          credentials: [credential('ahead')],
          callers: [{ id: 'svc', apiKey: API_KEY, credentials: ['ahead'] }],
          tokens: { refreshAt: 0.1, refreshJitter: 0 },
        },
      });
    });
    afterAll(async () => {
      await broker.close();
      ims.tokenLifetimeSeconds = 86_399;
    });

    it('re-mints at refreshAt of the lifetime with nobody asking, and serves the new token at once', async () => {
      const calls = ims.calls;
      const first = expectToken(
        await call(broker.url, '/v1/tokens/ahead?min_ttl=0', { apiKey: API_KEY, headers: { 'x-request-id': FIRST_REQUEST_ID } }),
        'ahead',
      );
      expect(ims.calls).toBe(calls + 1);
      const mintedAt = ims.requests.at(-1)?.receivedAt ?? Number.NaN;

      // Due at 10% of 40 s = 4 s after the first mint; no request is made meanwhile.
      await waitUntil(() => ims.calls === calls + 2, 'the background refresh', 8_000);
      const refreshedAt = ims.requests.at(-1)?.receivedAt ?? Number.NaN;
      expect(refreshedAt - mintedAt).toBeGreaterThanOrEqual(3_800);
      expect(refreshedAt - mintedAt).toBeLessThan(6_000);
      // The broker holds the new token once it has logged the mint (the store write follows without I/O).
      await waitUntil(() => broker.logs.entries.filter((e) => e['msg'] === 'token minted').length === 2, 'the refresh to be stored');

      const next = await call(broker.url, '/v1/tokens/ahead?min_ttl=0', { apiKey: API_KEY });
      const body = expectToken(next, 'ahead');
      expect(body.access_token).not.toBe(first.access_token);
      expect(body.access_token).toBe(ims.issued.at(-1)?.token);
      // Served from memory: no upstream call (above) and no waiting on one.
      expect(next.elapsedMs).toBeLessThan(500);
      expect(ims.calls).toBe(calls + 2);
      expect(body.expires_in).toBeGreaterThan(LIFETIME_S - 2);
    });

    it('does not attribute the background refresh to the request that minted the previous token', async () => {
      const minted = () => broker.logs.entries.filter((e) => e['msg'] === 'token minted' && e['credential_id'] === 'ahead');
      await waitUntil(() => minted().length >= 2, 'the background refresh', 8_000);
      const [byRequest, inBackground] = minted();
      expect(byRequest?.['request_id']).toBe(FIRST_REQUEST_ID);
      // That request was answered seconds earlier; its id on background work would send whoever greps it astray.
      expect(inBackground?.['request_id']).not.toBe(FIRST_REQUEST_ID);
    });
  });

  it('sends the client secret form-encoded in the body, never in the query string', async () => {
    const broker = await startBroker({
      file: { credentials: [credential('form')], callers: [{ id: 'svc', apiKey: API_KEY, credentials: ['form'] }] },
    });
    try {
      expectToken(await call(broker.url, '/v1/tokens/form', { apiKey: API_KEY }), 'form');
    } finally {
      await broker.close();
    }
    // Every upstream request this file caused: this test's, and those of the describes above when they ran.
    expect(ims.requests.length).toBeGreaterThan(0);
    for (const request of ims.requests) {
      expect(request.secretInQuery).toBe(false);
      expect(request.query).toEqual({});
      expect(request.method).toBe('POST');
      expect(request.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded\b/);
      expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({
        grant_type: 'client_credentials',
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        scope: TEST_SCOPES.join(','),
      });
    }
  });
});
