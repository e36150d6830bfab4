import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { FakeServer, problemReply, tokenReply } from '../test/fake-broker';
import { TokenBrokerClient } from './client';

const KEY = 'fetch-key-51aa0c';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('TokenBrokerClient.fetch and reportRejected', () => {
  let broker: FakeServer;
  let api: FakeServer;
  let client: TokenBrokerClient;
  /** The broker's current token; a rejection of it mints the next one. */
  let current: string;
  let serial: number;
  /** Tokens the API answers 401 to. */
  let distrusted: Set<string>;

  beforeEach(async () => {
    serial = 1;
    current = 'tok-1';
    distrusted = new Set();
    broker = await FakeServer.start((r) => {
      if (r.url.endsWith('/headers?min_ttl=300')) return { status: 200, body: { authorization: `Bearer ${current}`, 'x-api-key': 'cid', 'x-gw-ims-org-id': 'ORG@AdobeOrg' } };
      if (r.method === 'POST' && r.url === '/v1/tokens/a/rejections') {
        const { token_sha256: fingerprint } = JSON.parse(r.body) as { token_sha256: string };
        if (fingerprint === sha256(current)) current = `tok-${++serial}`;
        return tokenReply(current, 3600, 50);
      }
      return tokenReply(current, 3600);
    });
    api = await FakeServer.start((r) => {
      const bearer = (r.headers.authorization ?? '').replace(/^Bearer /, '');
      if (distrusted.has(bearer)) return { status: 401, body: { error_code: '401013', message: 'Oauth token is not valid' } };
      return { status: 200, body: { saw: { authorization: r.headers.authorization, apiKey: r.headers['x-api-key'], org: r.headers['x-gw-ims-org-id'], accept: r.headers.accept, sandbox: r.headers['x-sandbox-name'] }, body: r.body } };
    });
    client = new TokenBrokerClient({ baseUrl: broker.url, apiKey: KEY });
  });
  afterEach(async () => {
    client.close();
    await Promise.all([broker.close(), api.close()]);
  });

  const rejections = () => broker.requestsTo('/v1/tokens/a/rejections');

  it('adds the credential headers, replacing the caller’s own authorization, and keeps the rest', async () => {
    const res = await client.fetch('a', `${api.url}/data/classes`, { headers: { accept: 'application/json', 'x-sandbox-name': 'prod', authorization: 'Bearer mine' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ saw: { authorization: 'Bearer tok-1', apiKey: 'cid', org: 'ORG@AdobeOrg', accept: 'application/json', sandbox: 'prod' }, body: '' });
  });

  it('on a 401 reports the token with its SHA-256, gets the replacement and retries once', async () => {
    await client.getToken('a');
    distrusted.add('tok-1');
    const res = await client.fetch('a', `${api.url}/data`, { method: 'POST', body: JSON.stringify({ q: 1 }), headers: { 'content-type': 'application/json' } });

    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ saw: { authorization: 'Bearer tok-2' }, body: '{"q":1}' });
    expect(rejections()).toHaveLength(1);
    expect(JSON.parse(rejections()[0]?.body ?? '')).toEqual({ token_sha256: sha256('tok-1') });
    expect(rejections()[0]?.headers['content-type']).toBe('application/json');
    expect(api.requests.map((r) => r.headers.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-2']);
    // The replacement is cached: no further broker request for the token.
    const tokenRequests = broker.requestsTo('/v1/tokens/a').length;
    expect((await client.getToken('a')).accessToken).toBe('tok-2');
    expect(broker.requestsTo('/v1/tokens/a')).toHaveLength(tokenRequests);
  });

  it('returns a second 401 as is: one retry only', async () => {
    await client.getToken('a');
    distrusted.add('tok-1');
    distrusted.add('tok-2');
    const res = await client.fetch('a', `${api.url}/data`);
    expect(res.status).toBe(401);
    expect(api.requests).toHaveLength(2);
    expect(rejections()).toHaveLength(1);
  });

  it('does not replay a streamed body, but still reports the token so the next call gets the replacement', async () => {
    await client.getToken('a');
    distrusted.add('tok-1');
    const body = Readable.toWeb(Readable.from([Buffer.from('chunk-1'), Buffer.from('chunk-2')])) as ReadableStream<Uint8Array>;
    const res = await client.fetch('a', `${api.url}/upload`, { method: 'PUT', body, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(401);
    expect(api.requests).toHaveLength(1);
    expect(rejections()).toHaveLength(1);

    const next = await client.fetch('a', `${api.url}/upload`, { method: 'PUT', body: 'again' });
    expect(next.status).toBe(200);
    expect(api.requests.at(-1)?.headers.authorization).toBe('Bearer tok-2');
  });

  it('passes other API errors through untouched', async () => {
    api.handler = () => ({ status: 403, body: { message: 'no access to sandbox' } });
    const res = await client.fetch('a', `${api.url}/data`);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ message: 'no access to sandbox' });
    expect(rejections()).toHaveLength(0);
  });

  it('reportRejected returns the replacement in the shape of getToken', async () => {
    const token = await client.getToken('a');
    const replacement = await client.reportRejected('a', token.accessToken);
    expect(replacement).toEqual({ accessToken: 'tok-2', tokenType: 'bearer', expiresAt: expect.any(Date), expiresIn: expect.any(Number) });
    expect(replacement.expiresIn).toBeGreaterThan(3590);
  });

  it('sends concurrent reports of one token as one rejection', async () => {
    const token = await client.getToken('a');
    const replacements = await Promise.all(Array.from({ length: 50 }, () => client.reportRejected('a', token.accessToken)));
    expect(new Set(replacements.map((r) => r.accessToken))).toEqual(new Set(['tok-2']));
    expect(rejections()).toHaveLength(1);
    expect(current).toBe('tok-2');
  });

  it('answers a late report of an already replaced token from memory', async () => {
    const old = await client.getToken('a');
    await client.reportRejected('a', old.accessToken);
    const again = await client.reportRejected('a', old.accessToken);
    expect(again.accessToken).toBe('tok-2');
    expect(rejections()).toHaveLength(1);
  });

  it('keeps the rejected token from being cached again when a slow request brings it back', async () => {
    // The broker's rejection cooldown: it keeps answering the rejected token.
    broker.handler = () => tokenReply('tok-stuck', 3600);
    const token = await client.getToken('a');
    await client.reportRejected('a', token.accessToken);
    await client.getToken('a');
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    await client.getToken('a');
    // Reused for a second at most, then asked again.
    expect(broker.requestsTo('/v1/tokens/a')).toHaveLength(2);
  });

  it('throws the broker error when the rejection fails', async () => {
    await client.getToken('a');
    distrusted.add('tok-1');
    broker.handler = () => problemReply(403, 'forbidden', 'no rejections for you');
    await expect(client.fetch('a', `${api.url}/data`)).rejects.toMatchObject({ status: 403, code: 'forbidden' });
  });
});
