import { FakeServer, problemReply, tokenReply } from '../test/fake-broker';
import { TokenBrokerClient } from './client';
import type { TokenBrokerEvent } from './events';

const KEY = 'unit-key-3f1c9a7e';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('TokenBrokerClient: cache and single flight', () => {
  let broker: FakeServer;
  let serial = 0;
  const clients: TokenBrokerClient[] = [];
  const client = (options: Partial<ConstructorParameters<typeof TokenBrokerClient>[0]> = {}) => {
    const c = new TokenBrokerClient({ baseUrl: broker.url, apiKey: KEY, ...options });
    clients.push(c);
    return c;
  };

  beforeEach(async () => {
    broker = await FakeServer.start();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await broker.close();
  });

  /** Each request gets a new token living `expiresIn` seconds. */
  function mintEach(expiresIn: number, delayMs = 0): void {
    broker.handler = () => tokenReply(`tok-${++serial}`, expiresIn, delayMs);
  }

  it('asks with min_ttl and the bearer key, and returns the token in the documented shape', async () => {
    mintEach(3600);
    const before = Date.now();
    const token = await client({ minTtl: 120 }).getToken('aep-prod');

    expect(broker.requests).toHaveLength(1);
    expect(broker.requests[0]?.method).toBe('GET');
    expect(broker.requests[0]?.url).toBe('/v1/tokens/aep-prod?min_ttl=120');
    expect(broker.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(token.accessToken).toBe(`tok-${serial}`);
    expect(token.tokenType).toBe('bearer');
    expect(token.expiresAt).toBeInstanceOf(Date);
    // Dated from when the request was sent: never later than the broker's figure allows.
    expect(token.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(token.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 3_600_000);
    expect(token.expiresIn).toBeGreaterThanOrEqual(3599);
    expect(token.expiresIn).toBeLessThanOrEqual(3600);
  });

  it('defaults min_ttl to 300 and keeps a base URL path', async () => {
    mintEach(3600);
    await client({ baseUrl: `${broker.url}/broker/` }).getToken('a');
    expect(broker.requests[0]?.url).toBe('/broker/v1/tokens/a?min_ttl=300');
  });

  it('reuses a token until minTtl seconds before its expiry, then asks again', async () => {
    mintEach(302);
    const c = client({ minTtl: 300 });
    const first = await c.getToken('a');
    const second = await c.getToken('a');
    expect(second.accessToken).toBe(first.accessToken);
    expect(broker.requests).toHaveLength(1);

    await sleep(2_100);
    const third = await c.getToken('a');
    expect(broker.requests).toHaveLength(2);
    expect(third.accessToken).not.toBe(first.accessToken);
  });

  it('counts expiresIn down on cached tokens while expiresAt stays', async () => {
    mintEach(3600);
    const c = client();
    const first = await c.getToken('a');
    await sleep(1_100);
    const second = await c.getToken('a');
    expect(second.expiresAt.getTime()).toBe(first.expiresAt.getTime());
    expect(second.expiresIn).toBe(first.expiresIn - 1);
    expect(broker.requests).toHaveLength(1);
  });

  it('caches per credential', async () => {
    mintEach(3600);
    const c = client();
    const [a, b] = await Promise.all([c.getToken('a'), c.getToken('b')]);
    expect(a.accessToken).not.toBe(b.accessToken);
    await c.getToken('a');
    await c.getToken('b');
    expect(broker.requests.map((r) => r.url).sort()).toEqual(['/v1/tokens/a?min_ttl=300', '/v1/tokens/b?min_ttl=300']);
  });

  it('shares one broker request among concurrent calls for a credential', async () => {
    mintEach(3600, 150);
    const c = client();
    const tokens = await Promise.all(Array.from({ length: 200 }, () => c.getToken('a')));
    expect(broker.requests).toHaveLength(1);
    expect(new Set(tokens.map((t) => t.accessToken))).toEqual(new Set([`tok-${serial}`]));
  });

  it('shares a failure among the concurrent calls, and the next call asks again', async () => {
    broker.handler = () => ({ ...problemReply(403, 'forbidden', 'no'), delayMs: 100 });
    const c = client();
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => c.getToken('a')));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(broker.requests).toHaveLength(1);

    mintEach(3600);
    const token = await c.getToken('a');
    expect(token.accessToken).toBe(`tok-${serial}`);
    expect(broker.requests).toHaveLength(2);
  });

  it('returns a token with less than minTtl left but does not keep it past a second', async () => {
    // The identity provider is down: the broker hands out what it holds, 100 s from expiry.
    mintEach(100);
    const c = client({ minTtl: 300 });
    const first = await c.getToken('a');
    expect(first.expiresIn).toBeLessThanOrEqual(100);
    const again = await c.getToken('a');
    expect(again.accessToken).toBe(first.accessToken);
    expect(broker.requests).toHaveLength(1);

    await sleep(1_050);
    const later = await c.getToken('a');
    expect(broker.requests).toHaveLength(2);
    expect(later.accessToken).not.toBe(first.accessToken);
  });

  it('asks at most once a second for a credential whose tokens stay short', async () => {
    mintEach(100);
    const c = client({ minTtl: 300 });
    const started = Date.now();
    while (Date.now() - started < 2_500) {
      await c.getToken('a');
      await sleep(20);
    }
    // Requests at about 0, 1 and 2 s: three, give or take the boundary.
    expect(broker.requests.length).toBeGreaterThanOrEqual(2);
    expect(broker.requests.length).toBeLessThanOrEqual(3);
    // The client spaces its requests a second apart from when it sent each; the server's arrival times add
    // each request's own latency, so allow for the difference between two of them.
    const gaps = broker.requests.slice(1).map((r, i) => r.at - (broker.requests[i] as { at: number }).at);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(900);
  });

  it('never serves a token past its expiry, whatever minTtl says', async () => {
    mintEach(1);
    const c = client({ minTtl: 0 });
    const first = await c.getToken('a');
    await sleep(1_050);
    const second = await c.getToken('a');
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(broker.requests).toHaveLength(2);
  });

  it('builds headers from the cached token and the credential template, fetched once per token', async () => {
    broker.handler = (r) =>
      r.url.startsWith('/v1/tokens/a/headers')
        ? { status: 200, body: { authorization: 'Bearer from-headers', 'x-api-key': 'client-id', 'x-gw-ims-org-id': 'ORG@AdobeOrg' } }
        : tokenReply(`tok-${++serial}`, 3600);
    const c = client();
    const headers = await c.headers('a');
    const token = await c.getToken('a');
    expect(headers).toEqual({ authorization: `Bearer ${token.accessToken}`, 'x-api-key': 'client-id', 'x-gw-ims-org-id': 'ORG@AdobeOrg' });
    expect(Object.keys(headers)).toEqual(['authorization', 'x-api-key', 'x-gw-ims-org-id']);
    await c.headers('a');
    expect(broker.requestsTo('/v1/tokens/a/headers')).toHaveLength(1);
    expect(broker.requestsTo('/v1/tokens/a/headers')[0]?.url).toBe('/v1/tokens/a/headers?min_ttl=300');
    expect(broker.requestsTo('/v1/tokens/a')).toHaveLength(1);
  });

  it('reports cache hits, fetches and rejections to onEvent, and survives a throwing hook', async () => {
    mintEach(3600);
    const events: TokenBrokerEvent[] = [];
    const c = client({
      onEvent: (event) => {
        events.push(event);
        throw new Error('metrics are broken');
      },
    });
    const token = await c.getToken('a');
    await c.getToken('a');
    await c.reportRejected('a', token.accessToken);
    expect(events.map((e) => e.type)).toEqual(['token-fetched', 'cache-hit', 'rejected', 'token-fetched']);
    expect(events[0]).toMatchObject({ type: 'token-fetched', credentialId: 'a', cached: true, expiresAt: token.expiresAt });
  });

  it('refuses credential ids the broker would not accept, before any request', async () => {
    mintEach(3600);
    const c = client();
    await expect(c.getToken('../admin')).rejects.toThrow(TypeError);
    await expect(c.getToken('')).rejects.toThrow(TypeError);
    await expect(c.headers('a/b')).rejects.toThrow(TypeError);
    expect(broker.requests).toHaveLength(0);
  });

  it('fails pending and later calls with code closed after close(), and forgets its tokens', async () => {
    mintEach(3600, 300);
    const c = client();
    const pending = c.getToken('a');
    c.close();
    await expect(pending).rejects.toMatchObject({ name: 'TokenBrokerError', code: 'closed' });
    await expect(c.getToken('a')).rejects.toMatchObject({ code: 'closed' });
  });

  it('validates its options', () => {
    const base = { baseUrl: 'http://127.0.0.1:1' };
    expect(() => new TokenBrokerClient({ ...base })).toThrow(/exactly one of apiKey and tokenFile/);
    expect(() => new TokenBrokerClient({ ...base, apiKey: 'k', tokenFile: '/f' })).toThrow(/exactly one/);
    expect(() => new TokenBrokerClient({ baseUrl: 'broker:8080', apiKey: 'k' })).toThrow(/baseUrl/);
    expect(() => new TokenBrokerClient({ baseUrl: 'ftp://broker', apiKey: 'k' })).toThrow(/baseUrl/);
    expect(() => new TokenBrokerClient({ baseUrl: 'http://user:pw@broker', apiKey: 'k' })).toThrow(/credentials/);
    expect(() => new TokenBrokerClient({ ...base, apiKey: 'k', minTtl: -1 })).toThrow(/minTtl/);
    expect(() => new TokenBrokerClient({ ...base, apiKey: 'k', minTtl: 86_401 })).toThrow(/minTtl/);
    expect(() => new TokenBrokerClient({ ...base, apiKey: 'k', timeout: 0 })).toThrow(/timeout/);
    expect(() => new TokenBrokerClient({ ...base, apiKey: 'k', deadline: 1.5 })).toThrow(/deadline/);
    expect(() => new TokenBrokerClient({ ...base, apiKey: 'two words' })).toThrow(/apiKey/);
  });
});
