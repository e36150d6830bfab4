import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrokerUnderTest, type CredentialInput, startBroker } from '../support/broker-app';
import { call, elapse, type TokenBody } from '../support/broker-http';
import { type ImsFaultKind, type ImsFaultOptions, ImsEmulator } from '../support/ims-emulator';
import { expectProblem, expectToken, expectTruthfulExpiresIn } from './e2e.assertions';

const CLIENT_ID = 'e2e-failures-client';
const SCOPED_CLIENT_ID = 'e2e-openid-only-client';
const CLIENT_SECRET = `s3cret-${randomBytes(16).toString('hex')}`;
const WRONG_SECRET = `wrong-${randomBytes(16).toString('hex')}`;
const API_KEY = `failures-key-${randomBytes(16).toString('hex')}`;
/** The emulator's default token lifetime; `min_ttl` of exactly this forces a re-mint once a token has aged. */
const LIFETIME_S = 86_399;

describe('upstream failures', () => {
  let ims: ImsEmulator;
  let secretDir: string;

  function credential(id: string, options: { wrongSecret?: boolean; clientId?: string } = {}): CredentialInput {
    return {
      id,
      imsUrl: ims.url,
      clientId: options.clientId ?? CLIENT_ID,
      secret: { source: 'file', path: join(secretDir, options.wrongSecret ? 'wrong-secret' : 'client-secret') },
    };
  }

  async function brokerWith(credentials: CredentialInput[], tokens: Record<string, number | string>): Promise<BrokerUnderTest> {
    return startBroker({
      file: { credentials, callers: [{ id: 'svc', apiKey: API_KEY, credentials: ['*'] }], tokens },
    });
  }

  beforeAll(async () => {
    ims = await ImsEmulator.start();
    ims.addClient({ clientId: CLIENT_ID, secrets: [CLIENT_SECRET] });
    ims.addClient({ clientId: SCOPED_CLIENT_ID, secrets: [CLIENT_SECRET], scopes: ['openid'] });
    secretDir = mkdtempSync(join(tmpdir(), 'broker-e2e-failures-'));
    writeFileSync(join(secretDir, 'client-secret'), CLIENT_SECRET, { mode: 0o600 });
    writeFileSync(join(secretDir, 'wrong-secret'), WRONG_SECRET, { mode: 0o600 });
  });
  afterAll(async () => {
    await ims.close();
    rmSync(secretDir, { recursive: true, force: true });
  });
  afterEach(() => ims.reset());

  describe('IMS unreachable', () => {
    let broker: BrokerUnderTest;
    const get = (path: string) => call(broker.url, path, { apiKey: API_KEY });

    beforeAll(async () => {
      // tokens.upstreamAttempts is left at its default (3).
      broker = await brokerWith(['held-503', 'held-reset', 'cold-503', 'cold-reset'].map((id) => credential(id)), { minRefreshInterval: '1s' });
    });
    afterAll(() => broker.close());

    it.each<ImsFaultKind>(['503', 'reset'])('keeps serving a held token while IMS answers %s, with a truthful expires_in', async (kind) => {
      const id = `held-${kind}`;
      const held = expectToken(await get(`/v1/tokens/${id}?min_ttl=0`), id);
      await elapse(1_100);
      ims.mode = kind;
      const calls = ims.calls;

      // The held token cannot meet this min_ttl, so the broker tries IMS (every attempt fails) and falls back.
      const during = await get(`/v1/tokens/${id}?min_ttl=${LIFETIME_S}`);
      const body = expectToken(during, id);
      expect(ims.calls - calls).toBe(3);
      expect(body.access_token).toBe(held.access_token);
      expect(body.expires_at).toBe(held.expires_at);
      expect(body.expires_in).toBeLessThan(LIFETIME_S);
      expectTruthfulExpiresIn(during, body);

      // Later callers get the held token too, without every request hammering IMS again.
      for (const query of ['', `?min_ttl=${LIFETIME_S}`]) {
        const again = expectToken(await get(`/v1/tokens/${id}${query}`), id);
        expect(again.access_token).toBe(held.access_token);
      }
      expect(ims.calls - calls).toBe(3);
    });

    it.each<ImsFaultKind>(['503', 'reset'])('answers 503 with Retry-After for a credential with no token while IMS answers %s', async (kind) => {
      ims.mode = kind;
      const response = await get(`/v1/tokens/cold-${kind}`);

      expectProblem(response, 503, 'upstream_unavailable');
      expect(response.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
      // Transient failures are retried, up to tokens.upstreamAttempts (default 3) in all.
      expect(ims.calls).toBe(3);
      expect(ims.issued).toEqual([]);

      const again = await get(`/v1/tokens/cold-${kind}`);
      expectProblem(again, 503, 'upstream_unavailable');
      expect(again.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    });
  });

  describe('IMS rejects the credential', () => {
    let broker: BrokerUnderTest;
    const get = (path: string) => call(broker.url, path, { apiKey: API_KEY });

    beforeAll(async () => {
      broker = await brokerWith(
        [credential('wrong-secret', { wrongSecret: true }), credential('bad-scope', { clientId: SCOPED_CLIENT_ID })],
        { failureCooldown: '30s' },
      );
    });
    afterAll(() => broker.close());

    it('answers 502 upstream_invalid_client for a wrong secret, then answers from memory during the cooldown', async () => {
      const response = await get('/v1/tokens/wrong-secret');
      expectProblem(response, 502, 'upstream_invalid_client');
      expect(ims.calls).toBe(1);
      expect(ims.requests[0]?.status).toBe(401);

      const more = await Promise.all(Array.from({ length: 20 }, () => get('/v1/tokens/wrong-secret')));
      for (const answer of more) expectProblem(answer, 502, 'upstream_invalid_client');
      expect(ims.calls).toBe(1);
    });

    it('answers 502 upstream_invalid_scope without retrying', async () => {
      const response = await get('/v1/tokens/bad-scope');
      expectProblem(response, 502, 'upstream_invalid_scope');
      expect(ims.calls).toBe(1);
      expect(ims.requests[0]?.status).toBe(400);
    });
  });

  describe('IMS is transiently overloaded', () => {
    let broker: BrokerUnderTest;
    const get = (path: string) => call(broker.url, path, { apiKey: API_KEY });

    beforeAll(async () => {
      broker = await brokerWith(['after-429', 'long-429', 'after-500', 'after-reset'].map((id) => credential(id)), {});
    });
    afterAll(() => broker.close());

    it('honours a 429 Retry-After of up to 5 s, then succeeds', async () => {
      ims.failNext(1, '429', { retryAfterSeconds: 1 });
      const response = await get('/v1/tokens/after-429');

      const body = expectToken(response, 'after-429');
      expect(body.access_token).toBe(ims.issued[0]?.token);
      expect(ims.calls).toBe(2);
      const [first, second] = ims.requests;
      // The jittered backoff alone would be at most 250 ms; the second attempt waited for Retry-After.
      expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(950);
    });

    it('does not keep a caller waiting for a Retry-After beyond 5 s: 503 carrying it', async () => {
      ims.failNext(1, '429', { retryAfterSeconds: 30 });
      const response = await get('/v1/tokens/long-429');

      expectProblem(response, 503, 'upstream_unavailable');
      expect(ims.calls).toBe(1);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(29);
      expect(Number(response.headers.get('retry-after'))).toBeLessThanOrEqual(30);
    });

    it.each<[ImsFaultKind, number]>([
      ['500', 2],
      ['reset', 1],
    ])('retries %s (%d times) and then succeeds', async (kind, failures) => {
      ims.failNext(failures, kind);
      const id = kind === '500' ? 'after-500' : 'after-reset';
      const body = expectToken(await get(`/v1/tokens/${id}`), id);
      expect(ims.calls).toBe(failures + 1);
      expect(body.access_token).toBe(ims.issued[0]?.token);
    });
  });

  describe('IMS sends an invalid token response', () => {
    let broker: BrokerUnderTest;
    const get = (path: string) => call(broker.url, path, { apiKey: API_KEY });
    const COOLDOWN_MS = 500;
    const cases: [string, ImsFaultKind, ImsFaultOptions][] = [
      ['garbage', 'garbage', {}],
      ['huge', 'huge', {}],
      ['expires-in-ms', 'bad_expires', { expiresIn: 86_399_992 }],
      ['expires-in-zero', 'bad_expires', { expiresIn: 0 }],
      ['expires-in-negative', 'bad_expires', { expiresIn: -5 }],
      ['expires-in-null', 'bad_expires', { expiresIn: null }],
      ['expires-in-text', 'bad_expires', { expiresIn: 'tomorrow' }],
      ['expires-in-short', 'bad_expires', { expiresIn: 5 }],
    ];

    beforeAll(async () => {
      broker = await brokerWith(
        cases.map(([id]) => credential(id)),
        { failureCooldown: `${COOLDOWN_MS}ms` },
      );
    });
    afterAll(() => broker.close());

    it.each(cases)('answers 502 upstream_bad_response for %s and caches nothing', async (id, kind, options) => {
      ims.failNext(1, kind, options);
      expectProblem(await get(`/v1/tokens/${id}`), 502, 'upstream_bad_response');
      expect(ims.calls).toBe(1);
      const rejected = ims.issued.map((t) => t.token);

      // Nothing was cached: still an error (from memory, no new call) during the cooldown ...
      expectProblem(await get(`/v1/tokens/${id}`), 502, 'upstream_bad_response');
      expect(ims.calls).toBe(1);

      // ... and a fresh mint once it is over.
      await elapse(COOLDOWN_MS + 100);
      const body = expectToken(await get(`/v1/tokens/${id}`), id);
      expect(ims.calls).toBe(2);
      expect(rejected).not.toContain(body.access_token);
      expect(body.access_token).toBe(ims.issued.at(-1)?.token);
    });
  });

  describe('IMS is slower than tokens.upstreamTimeout', () => {
    let broker: BrokerUnderTest;

    beforeAll(async () => {
      broker = await brokerWith([credential('slow')], { upstreamTimeout: '1s', upstreamAttempts: 2 });
    });
    afterAll(() => broker.close());

    it('gives up after the timeout of each attempt and answers 503', async () => {
      ims.delayMs = 4_000;
      const response = await call(broker.url, '/v1/tokens/slow', { apiKey: API_KEY });

      expectProblem(response, 503, 'upstream_unavailable');
      expect(response.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
      expect(ims.calls).toBe(2);
      // Two attempts of 1 s plus at most 250 ms backoff; far from the 8 s IMS would have taken.
      expect(response.elapsedMs).toBeGreaterThanOrEqual(1_900);
      expect(response.elapsedMs).toBeLessThan(3_500);
      expect((response.body as Partial<TokenBody>).access_token).toBeUndefined();
    });
  });

  describe('IMS hangs and nothing valid is held', () => {
    let broker: BrokerUnderTest;

    beforeAll(async () => {
      // Without its own bound the caller would wait 3 attempts x 3 s (plus backoff) before hearing anything.
      broker = await brokerWith([credential('hanging')], { upstreamTimeout: '3s', upstreamAttempts: 3, callerWait: '1s' });
    });
    afterAll(() => broker.close());

    it('answers the caller 503 with Retry-After after tokens.callerWait, while the refresh carries on for the next caller', async () => {
      ims.delayMs = 2_000;
      const first = await call(broker.url, '/v1/tokens/hanging', { apiKey: API_KEY });

      expectProblem(first, 503, 'upstream_unavailable');
      expect(first.headers.get('retry-after')).toBe('1');
      expect(first.elapsedMs).toBeGreaterThanOrEqual(900);
      expect(first.elapsedMs).toBeLessThan(1_900);
      // The refresh went on in the background: IMS answers within its first attempt's timeout ...
      await elapse(1_500);
      const second = await call(broker.url, '/v1/tokens/hanging', { apiKey: API_KEY });
      // ... and the next caller gets its token from memory, without another upstream call.
      expect(expectToken(second, 'hanging').access_token).toBe(ims.issued.at(-1)?.token);
      expect(second.elapsedMs).toBeLessThan(500);
      expect(ims.calls).toBe(1);
    });
  });
});
