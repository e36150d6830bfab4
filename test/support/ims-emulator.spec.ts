import { ImsEmulator } from './ims-emulator';

const CLIENT = { clientId: 'client-a', secrets: ['secret-1'], scopes: ['openid', 'AdobeID', 'read_organizations'] };
const GOOD = { grant_type: 'client_credentials', client_id: 'client-a', client_secret: 'secret-1', scope: 'openid,AdobeID' };

describe('ImsEmulator', () => {
  let ims: ImsEmulator;

  beforeAll(async () => {
    ims = await ImsEmulator.start();
  });
  afterAll(async () => {
    await ims.close();
  });
  beforeEach(() => {
    ims.reset();
    ims.removeClient(CLIENT.clientId);
    ims.addClient(CLIENT);
  });

  function post(params: Record<string, string>, init: { query?: Record<string, string>; contentType?: string; body?: string } = {}) {
    const query = init.query ? `?${new URLSearchParams(init.query).toString()}` : '';
    return fetch(`${ims.tokenUrl}${query}`, {
      method: 'POST',
      headers: { 'Content-Type': init.contentType ?? 'application/x-www-form-urlencoded' },
      body: init.body ?? new URLSearchParams(params).toString(),
    });
  }

  async function expectOAuthError(res: Response, status: number, error: string): Promise<void> {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({ error, error_description: expect.any(String) });
  }

  it('issues a unique bearer token with expires_in in seconds and records it', async () => {
    const res = await post(GOOD);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
    expect(body.token_type).toBe('bearer');
    expect(body.expires_in).toBe(86399);
    expect(body.access_token).toMatch(/^eyJ[A-Za-z0-9_-]{40,}$/);

    const second = (await (await post(GOOD)).json()) as { access_token: string };
    expect(second.access_token).not.toBe(body.access_token);

    expect(ims.calls).toBe(2);
    expect(ims.issued.map((t) => t.token)).toEqual([body.access_token, second.access_token]);
    expect(ims.issued[0]).toMatchObject({ clientId: 'client-a', scopes: ['openid', 'AdobeID'], expiresIn: 86399 });
    expect(ims.requests[0]).toMatchObject({
      method: 'POST',
      path: '/ims/token/v3',
      params: GOOD,
      secretInQuery: false,
      status: 200,
    });
    expect(ims.requests[0]?.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('honours tokenLifetimeSeconds', async () => {
    ims.tokenLifetimeSeconds = 5;
    const body = (await (await post(GOOD)).json()) as { expires_in: number };
    expect(body.expires_in).toBe(5);
  });

  it('accepts parameters in the query string but flags a secret sent there', async () => {
    const res = await post({}, { query: GOOD, body: '' });
    expect(res.status).toBe(200);
    expect(ims.requests[0]?.secretInQuery).toBe(true);

    const split = await post({ client_secret: 'secret-1' }, { query: { ...GOOD, client_secret: '' } });
    expect(split.status).toBe(200); // body wins over the (empty) query value
    expect(ims.requests[1]?.secretInQuery).toBe(true);

    await post(GOOD);
    expect(ims.requests[2]?.secretInQuery).toBe(false);
  });

  describe('errors, shaped like Adobe IMS', () => {
    it('401 invalid_client for an unknown client_id', async () => {
      await expectOAuthError(await post({ ...GOOD, client_id: 'nobody' }), 401, 'invalid_client');
    });
    it('401 invalid_client for a wrong secret', async () => {
      await expectOAuthError(await post({ ...GOOD, client_secret: 'wrong' }), 401, 'invalid_client');
    });
    it('400 unsupported_grant_type', async () => {
      await expectOAuthError(await post({ ...GOOD, grant_type: 'password' }), 400, 'unsupported_grant_type');
    });
    it.each(['grant_type', 'client_id', 'client_secret', 'scope'])('400 invalid_request without %s', async (name) => {
      const params: Record<string, string> = { ...GOOD };
      delete params[name];
      await expectOAuthError(await post(params), 400, 'invalid_request');
    });
    it('400 invalid_scope for a scope the client may not request', async () => {
      await expectOAuthError(await post({ ...GOOD, scope: 'openid,manage_client_secrets' }), 400, 'invalid_scope');
    });
    it('400 invalid_request for a JSON body', async () => {
      await expectOAuthError(
        await post(GOOD, { contentType: 'application/json', body: JSON.stringify(GOOD) }),
        400,
        'invalid_request',
      );
    });
    it('counts failed requests too', async () => {
      await post({ ...GOOD, client_secret: 'wrong' });
      expect(ims.calls).toBe(1);
      expect(ims.issued).toHaveLength(0);
      expect(ims.requests[0]?.status).toBe(401);
    });
  });

  describe('secret management', () => {
    it('removeSecret revokes one secret and keeps the other', async () => {
      ims.setClientSecrets('client-a', ['secret-1', 'secret-2']);
      expect((await post({ ...GOOD, client_secret: 'secret-2' })).status).toBe(200);
      ims.removeSecret('client-a', 'secret-1');
      await expectOAuthError(await post(GOOD), 401, 'invalid_client');
      expect((await post({ ...GOOD, client_secret: 'secret-2' })).status).toBe(200);
    });
  });

  describe('fault injection', () => {
    it('429 with Retry-After for the next n requests, then recovers', async () => {
      ims.failNext(2, '429', { retryAfterSeconds: 7 });
      for (let i = 0; i < 2; i++) {
        const res = await post(GOOD);
        expect(res.headers.get('retry-after')).toBe('7');
        await expectOAuthError(res, 429, 'too_many_requests');
      }
      expect((await post(GOOD)).status).toBe(200);
      expect(ims.calls).toBe(3);
      expect(ims.issued).toHaveLength(1);
    });

    it('persistent 500 and 503 modes until switched back', async () => {
      ims.mode = '500';
      await expectOAuthError(await post(GOOD), 500, 'server_error');
      ims.mode = '503';
      await expectOAuthError(await post(GOOD), 503, 'temporarily_unavailable');
      ims.mode = 'ok';
      expect((await post(GOOD)).status).toBe(200);
    });

    it('reset drops the connection without a response', async () => {
      ims.failNext(1, 'reset');
      // Errors come from Node's realm, not Jest's sandbox, so match by name, not constructor.
      await expect(post(GOOD)).rejects.toMatchObject({ name: 'TypeError', message: 'fetch failed' });
      expect(ims.requests[0]?.status).toBeUndefined();
      expect((await post(GOOD)).status).toBe(200);
    });

    it('garbage is a 200 whose body is not JSON', async () => {
      ims.failNext(1, 'garbage');
      const res = await post(GOOD);
      expect(res.status).toBe(200);
      await expect(res.json()).rejects.toMatchObject({ name: 'SyntaxError' });
    });

    it('huge is a ~10 MB 200 response', async () => {
      ims.failNext(1, 'huge');
      const res = await post(GOOD);
      expect(res.status).toBe(200);
      expect(Number(res.headers.get('content-length'))).toBeGreaterThanOrEqual(10 * 1024 * 1024);
      const text = await res.text();
      expect(text.length).toBeGreaterThanOrEqual(10 * 1024 * 1024);
      expect(ims.issued).toHaveLength(0);
    });

    it.each([86399992, 0, -5, '86399'])('bad_expires sends expires_in=%p (credentials still checked)', async (value) => {
      ims.failNext(1, 'bad_expires', { expiresIn: value });
      const body = (await (await post(GOOD)).json()) as { expires_in: unknown };
      expect(body.expires_in).toBe(value);
      expect(ims.issued[0]?.expiresIn).toBe(value);

      ims.failNext(1, 'bad_expires', { expiresIn: value });
      await expectOAuthError(await post({ ...GOOD, client_secret: 'wrong' }), 401, 'invalid_client');
    });

    it('delayMs delays the answer', async () => {
      ims.delayMs = 300;
      const started = Date.now();
      expect((await post(GOOD)).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    });

    it('reset() clears counters and faults but keeps clients', async () => {
      ims.mode = '503';
      ims.failNext(3, '429');
      await post(GOOD);
      ims.reset();
      expect(ims.calls).toBe(0);
      expect(ims.requests).toHaveLength(0);
      expect((await post(GOOD)).status).toBe(200);
    });
  });

  it('close() drops a delayed request cleanly and promptly', async () => {
    const slow = await ImsEmulator.start();
    slow.addClient(CLIENT);
    slow.delayMs = 60_000;
    const pending = fetch(slow.tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(GOOD).toString(),
    });
    await waitFor(() => slow.calls === 1);
    const started = Date.now();
    await slow.close();
    await expect(pending).rejects.toMatchObject({ name: 'TypeError', message: 'fetch failed' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('returns 404 JSON elsewhere and does not count it', async () => {
    const res = await fetch(`${ims.url}/ims/token/v1`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(ims.calls).toBe(0);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('waitFor: timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
