import { inspect } from 'node:util';
import { createServer } from 'node:net';
import { type FakeReply, FakeServer, problemReply, tokenReply } from '../test/fake-broker';
import { TokenBrokerClient } from './client';
import { TokenBrokerError } from './errors';
import type { RetryEvent, TokenBrokerEvent } from './events';
import { parseRetryAfter } from './broker-http';

const KEY = 'retry-key-8d2e41b7c9';

describe('TokenBrokerClient: retries, deadline and errors', () => {
  let broker: FakeServer;
  const clients: TokenBrokerClient[] = [];
  let events: TokenBrokerEvent[];
  const client = (options: Partial<ConstructorParameters<typeof TokenBrokerClient>[0]> = {}) => {
    const c = new TokenBrokerClient({ baseUrl: broker.url, apiKey: KEY, onEvent: (e) => events.push(e), ...options });
    clients.push(c);
    return c;
  };
  const retries = () => events.filter((e): e is RetryEvent => e.type === 'retry');

  beforeEach(async () => {
    events = [];
    broker = await FakeServer.start();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await broker.close();
  });

  /** The first `n` requests get `reply`, the rest a token. */
  function failFirst(n: number, reply: FakeReply): void {
    let seen = 0;
    broker.handler = () => (++seen <= n ? reply : tokenReply('tok-after-retry', 3600));
  }

  it.each([
    [503, 'upstream_unavailable'],
    [429, 'rate_limited'],
  ])('retries a %i after the Retry-After it names', async (status, code) => {
    failFirst(1, problemReply(status, code, 'later', { 'retry-after': '1' }));
    const token = await client().getToken('a');

    expect(token.accessToken).toBe('tok-after-retry');
    expect(broker.requests).toHaveLength(2);
    const gap = (broker.requests[1]?.at ?? 0) - (broker.requests[0]?.at ?? 0);
    expect(gap).toBeGreaterThanOrEqual(990);
    expect(retries()).toEqual([{ type: 'retry', credentialId: 'a', attempt: 1, status, code, delayMs: 1000 }]);
  });

  it('retries a reset connection with a short backoff', async () => {
    failFirst(2, 'reset');
    const token = await client().getToken('a');
    expect(token.accessToken).toBe('tok-after-retry');
    expect(broker.requests).toHaveLength(3);
    expect(retries().map((e) => [e.code, e.status])).toEqual([
      ['network_error', 0],
      ['network_error', 0],
    ]);
    for (const e of retries()) expect(e.delayMs).toBeLessThanOrEqual(200);
  });

  it('does not retry other client errors, and types the problem', async () => {
    broker.handler = () => problemReply(403, 'forbidden', "This caller may not fetch credential 'a'.");
    const error = await client().getToken('a').catch((e: unknown) => e);

    expect(broker.requests).toHaveLength(1);
    expect(error).toBeInstanceOf(TokenBrokerError);
    expect(error).toMatchObject({
      name: 'TokenBrokerError',
      status: 403,
      code: 'forbidden',
      detail: "This caller may not fetch credential 'a'.",
      requestId: 'req-403-forbidden',
      retryAfter: undefined,
      credentialId: 'a',
    });
    expect((error as Error).message).toBe(`token broker ${broker.url}/v1/tokens/a answered 403 forbidden: This caller may not fetch credential 'a'.`);
    expect(retries()).toEqual([]);
  });

  it('does not retry a 502 from the identity provider', async () => {
    broker.handler = () => problemReply(502, 'upstream_invalid_client', 'Adobe IMS rejected the credential.');
    await expect(client().getToken('a')).rejects.toMatchObject({ status: 502, code: 'upstream_invalid_client' });
    expect(broker.requests).toHaveLength(1);
  });

  it('gives up at the deadline with the last answer, Retry-After included', async () => {
    broker.handler = () => problemReply(503, 'upstream_unavailable', 'IMS is down.', { 'retry-after': '1' });
    const started = Date.now();
    const error = await client({ deadline: 2_800 }).getToken('a').catch((e: unknown) => e);
    const elapsed = Date.now() - started;

    expect(error).toMatchObject({ status: 503, code: 'upstream_unavailable', retryAfter: 1 });
    // Tries at 0, 1 and 2 s; a third wait would leave less than 250 ms before the deadline, so it stops at once.
    expect(broker.requests).toHaveLength(3);
    expect(elapsed).toBeGreaterThanOrEqual(1_900);
    expect(elapsed).toBeLessThan(2_800);
  });

  it('fails at once when Retry-After reaches past the deadline', async () => {
    broker.handler = () => problemReply(429, 'rate_limited', 'slow down', { 'retry-after': '60' });
    const started = Date.now();
    await expect(client({ deadline: 5_000 }).getToken('a')).rejects.toMatchObject({ status: 429, retryAfter: 60 });
    expect(broker.requests).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('times out a silent broker per request, retries, and stops at the deadline', async () => {
    broker.handler = () => 'hang';
    const started = Date.now();
    const error = await client({ timeout: 200, deadline: 900 }).getToken('a').catch((e: unknown) => e);
    const elapsed = Date.now() - started;

    expect(error).toMatchObject({ name: 'TokenBrokerError', status: 0, code: 'timeout' });
    expect((error as Error).message).toContain(`${broker.url}/v1/tokens/a`);
    expect(broker.requests.length).toBeGreaterThanOrEqual(2);
    expect(elapsed).toBeLessThan(1_400);
  });

  it('names the broker URL and the cause of a network error, and keeps the original error', async () => {
    const port = await closedPort();
    const c = new TokenBrokerClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: KEY, deadline: 1_000 });
    clients.push(c);
    const error = (await c.getToken('a').catch((e: unknown) => e)) as TokenBrokerError;

    expect(error).toBeInstanceOf(TokenBrokerError);
    expect(error.code).toBe('network_error');
    expect(error.status).toBe(0);
    expect(error.message).toMatch(new RegExp(`^token broker http://127\\.0\\.0\\.1:${port}/v1/tokens/a unreachable: .*ECONNREFUSED`));
    expect(error.cause).toMatchObject({ message: 'fetch failed' });
  });

  it('refuses a success that is not a token', async () => {
    broker.handler = () => ({ status: 200, body: { hello: 'world' } });
    await expect(client().getToken('a')).rejects.toMatchObject({ code: 'invalid_response', status: 200 });
    broker.handler = () => ({ status: 200, body: 'not json' });
    await expect(client().getToken('b')).rejects.toMatchObject({ code: 'invalid_response' });
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    const at = new Date(Date.now() + 5_000).toUTCString();
    expect(parseRetryAfter(at)).toBeGreaterThanOrEqual(4);
    expect(parseRetryAfter(at)).toBeLessThanOrEqual(5);
  });

  describe('nothing secret in errors', () => {
    it('scrubs the API key from a problem that echoes it, in every rendering of the error', async () => {
      // A broker (or a proxy in front of it) that quotes the Authorization header back.
      broker.handler = (r) => problemReply(401, 'unauthenticated', `bad credentials: ${r.headers.authorization ?? ''}`);
      const c = client();
      const error = (await c.getToken('a').catch((e: unknown) => e)) as TokenBrokerError;

      expect(error.code).toBe('unauthenticated');
      for (const rendering of [error.message, error.detail, String(error), error.stack ?? '', inspect(error, { depth: 5 }), JSON.stringify(error), String(c), inspect(c, { depth: 5 })]) {
        expect(rendering).not.toContain(KEY);
      }
      expect(error.detail).toBe('bad credentials: Bearer [redacted]');
    });

    it('keeps a reported token out of a failed rejection', async () => {
      const rejected = 'eyJ-rejected-token-7a1f3c';
      broker.handler = (r) => problemReply(400, 'invalid_body', `cannot parse ${r.body} for ${rejected}`);
      const error = (await client().reportRejected('a', rejected).catch((e: unknown) => e)) as TokenBrokerError;
      expect(error.code).toBe('invalid_body');
      expect(`${error.message} ${inspect(error)}`).not.toContain(rejected);
      expect(`${error.message} ${inspect(error)}`).not.toContain(KEY);
    });

    it('keeps the key out of a network error', async () => {
      const port = await closedPort();
      const c = new TokenBrokerClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: KEY, deadline: 200 });
      clients.push(c);
      const error = (await c.getToken('a').catch((e: unknown) => e)) as TokenBrokerError;
      expect(inspect(error, { depth: 8 })).not.toContain(KEY);
    });

    it('does not show cached tokens or the key when the client is printed', async () => {
      broker.handler = () => tokenReply('tok-secret-c0ffee', 3600);
      const c = client();
      await c.getToken('a');
      for (const rendering of [String(c), inspect(c, { depth: 8, showHidden: true }), JSON.stringify(c)]) {
        expect(rendering).not.toContain(KEY);
        expect(rendering).not.toContain('tok-secret-c0ffee');
      }
    });
  });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
