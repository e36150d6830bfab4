import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenBrokerClient, TokenBrokerError, type TokenBrokerEvent } from '@token-broker/client';
import { type BrokerUnderTest, type CredentialInput, startBroker, TEST_ORG_ID } from '../support/broker-app';
import { FakeServer } from '../../packages/client/test/fake-broker';
import { ImsEmulator } from '../support/ims-emulator';
import { LogCapture } from '../support/log-capture';

const CLIENT_ID = 'client-e2e-client';
const CLIENT_SECRET = `s3cret-${randomBytes(16).toString('hex')}`;
const API_KEY = `client-e2e-key-${randomBytes(16).toString('hex')}`;
const LIMITED_KEY = `client-e2e-limited-${randomBytes(16).toString('hex')}`;

/** The client package against the real broker (in-process, as main.ts builds it) and the IMS emulator. */
describe('@token-broker/client against the broker', () => {
  let ims: ImsEmulator;
  let adobe: FakeServer;
  /** Tokens the emulated Adobe API refuses, as Adobe does once a token is revoked. */
  const distrusted = new Set<string>();
  let secretDir: string;
  let broker: BrokerUnderTest;
  const logs = new LogCapture();
  const audit = new LogCapture();
  const clients: TokenBrokerClient[] = [];
  const client = (options: Partial<ConstructorParameters<typeof TokenBrokerClient>[0]> = {}) => {
    const c = new TokenBrokerClient({ baseUrl: broker.url, apiKey: API_KEY, ...options });
    clients.push(c);
    return c;
  };
  /** Requests the broker answered with a token for `credentialId`: one audit line each. */
  const issued = (credentialId: string) => audit.entries.filter((e) => e['action'] === 'token.issue' && e['credential_id'] === credentialId).length;

  beforeAll(async () => {
    ims = await ImsEmulator.start();
    ims.addClient({ clientId: CLIENT_ID, secrets: [CLIENT_SECRET] });
    // An Adobe API gateway's checks: a token IMS issued to the x-api-key client, of that client's org.
    adobe = await FakeServer.start((r) => {
      const token = /^Bearer (\S+)$/.exec(r.headers.authorization ?? '')?.[1] ?? '';
      const issued = ims.issued.find((t) => t.token === token);
      if (!issued || issued.clientId !== r.headers['x-api-key'] || distrusted.has(token)) return { status: 401, body: { error_code: '401013', message: 'Oauth token is not valid' } };
      if (r.headers['x-gw-ims-org-id'] !== TEST_ORG_ID) return { status: 403, body: { error_code: '403010', message: 'wrong org' } };
      return { status: 200, body: { headers: r.headers, body: r.body } };
    });
    secretDir = mkdtempSync(join(tmpdir(), 'client-e2e-'));
    writeFileSync(join(secretDir, 'client-secret'), CLIENT_SECRET, { mode: 0o600 });
    const credential = (id: string): CredentialInput => ({ id, imsUrl: ims.url, clientId: CLIENT_ID, secret: { source: 'file', path: join(secretDir, 'client-secret') } });
    broker = await startBroker({
      logs,
      auditLogs: audit,
      logLevel: 'info',
      file: {
        credentials: ['burst', 'shape', 'revoked', 'limited-a', 'limited-b', 'forbidden'].map(credential),
        callers: [
          { id: 'svc', apiKey: API_KEY, credentials: ['burst', 'shape', 'revoked', 'limited-*'] },
          // One request, then one per 4 s: the second credential's first fetch meets a 429 (even on a slow machine).
          { id: 'limited', apiKey: LIMITED_KEY, credentials: ['limited-*'], rateLimit: { requestsPerSecond: 0.25, burst: 1 } },
        ],
      },
    });
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await broker?.close();
    await adobe?.close();
    await ims?.close();
    rmSync(secretDir, { recursive: true, force: true });
  });

  it('answers 1,000 concurrent getToken calls with one broker request and one upstream mint', async () => {
    // A slow IMS keeps the one broker request open while all the calls arrive.
    ims.delayMs = 200;
    const imsBefore = ims.calls;
    const c = client();
    const tokens = await Promise.all(Array.from({ length: 1_000 }, () => c.getToken('burst')));
    ims.delayMs = 0;

    expect(issued('burst')).toBe(1);
    expect(ims.calls - imsBefore).toBe(1);
    expect(new Set(tokens.map((t) => t.accessToken))).toEqual(new Set([ims.issuedTo(CLIENT_ID).at(-1)?.token]));
    // And later calls come from memory.
    await c.getToken('burst');
    expect(issued('burst')).toBe(1);
  });

  it('returns the broker token with a truthful expiry, and the headers the broker would', async () => {
    const c = client();
    const before = Date.now();
    const token = await c.getToken('shape');
    const minted = ims.issuedTo(CLIENT_ID).at(-1);
    expect(token.accessToken).toBe(minted?.token);
    expect(token.tokenType).toBe('bearer');
    // Never later than the real expiry (minted at or after `before`), at most a couple of seconds earlier.
    const realExpiry = (minted?.issuedAt ?? 0) + ims.tokenLifetimeSeconds * 1000;
    expect(token.expiresAt.getTime()).toBeLessThanOrEqual(realExpiry + 1);
    expect(token.expiresAt.getTime()).toBeGreaterThan(before + (ims.tokenLifetimeSeconds - 2) * 1000);

    const headers = await c.headers('shape');
    expect(headers).toEqual({ authorization: `Bearer ${token.accessToken}`, 'x-api-key': CLIENT_ID, 'x-gw-ims-org-id': TEST_ORG_ID });
  });

  it('answers an API’s 401 with one rejection, one upstream mint and a successful retry', async () => {
    const events: TokenBrokerEvent[] = [];
    const c = client({ onEvent: (e) => events.push(e) });
    const before = await c.getToken('revoked');
    // Adobe no longer accepts the token the broker holds (revoked at the provider).
    distrusted.add(before.accessToken);
    const mintsBefore = ims.issuedTo(CLIENT_ID).length;
    const auditBefore = audit.entries.length;
    const apiBefore = adobe.requests.length;

    const res = await c.fetch('revoked', `${adobe.url}/data/foundation/schemaregistry/global/classes?limit=1`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json', 'x-sandbox-name': 'prod' },
      body: JSON.stringify({ title: 'replayed' }),
    });

    expect(res.status).toBe(200);
    const echo = (await res.json()) as { headers: Record<string, string>; body: string };
    const replacement = ims.issuedTo(CLIENT_ID).at(-1)?.token;
    expect(ims.issuedTo(CLIENT_ID).length - mintsBefore).toBe(1);
    expect(replacement).not.toBe(before.accessToken);
    expect(echo.headers['authorization']).toBe(`Bearer ${replacement}`);
    expect(echo.headers['x-api-key']).toBe(CLIENT_ID);
    expect(echo.headers['x-sandbox-name']).toBe('prod');
    expect(echo.body).toBe(JSON.stringify({ title: 'replayed' }));
    // Two calls reached the API: the refused one and the retry.
    expect(adobe.requests.slice(apiBefore).map((r) => r.headers.authorization)).toEqual([`Bearer ${before.accessToken}`, `Bearer ${replacement}`]);
    expect(events.filter((e) => e.type === 'rejected')).toEqual([{ type: 'rejected', credentialId: 'revoked' }]);
    // One rejection reached the broker, and the replacement is cached.
    expect(audit.entries.slice(auditBefore).filter((e) => e['credential_id'] === 'revoked' && e['action'] === 'token.rejection')).toHaveLength(1);
    expect((await c.getToken('revoked')).accessToken).toBe(replacement);
  });

  it('waits out the broker’s 429 as its Retry-After says, then gets the token', async () => {
    const events: TokenBrokerEvent[] = [];
    const c = client({ apiKey: LIMITED_KEY, onEvent: (e) => events.push(e) });
    await c.getToken('limited-a');
    const started = Date.now();
    const token = await c.getToken('limited-b');

    expect(token.accessToken).toMatch(/\S/);
    const retries = events.filter((e) => e.type === 'retry');
    expect(retries).toEqual([expect.objectContaining({ credentialId: 'limited-b', status: 429, code: 'rate_limited' })]);
    // Retry-After is the whole seconds until the bucket holds a request again: 1 to 4 here.
    const delayMs = (retries[0] as { delayMs: number }).delayMs;
    expect([1000, 2000, 3000, 4000]).toContain(delayMs);
    expect(Date.now() - started).toBeGreaterThanOrEqual(delayMs - 100);
  });

  it('turns a refusal into a TokenBrokerError with the broker’s code and request id, without the key', async () => {
    const error = (await client()
      .getToken('forbidden')
      .catch((e: unknown) => e)) as TokenBrokerError;
    expect(error).toBeInstanceOf(TokenBrokerError);
    expect(error).toMatchObject({ status: 403, code: 'forbidden', credentialId: 'forbidden' });
    expect(error.requestId).toMatch(/\S/);
    // The id operators can look up: the broker's audit line of this refusal carries it.
    expect(audit.entries.filter((e) => e['action'] === 'access.denied' && e['request_id'] === error.requestId)).toHaveLength(1);
    expect(`${error.message} ${error.stack ?? ''}`).not.toContain(API_KEY);
  });

  it('says which broker it cannot reach', async () => {
    const c = new TokenBrokerClient({ baseUrl: 'http://127.0.0.1:9', apiKey: API_KEY, deadline: 1_000 });
    clients.push(c);
    await expect(c.getToken('shape')).rejects.toMatchObject({ code: 'network_error', message: expect.stringContaining('http://127.0.0.1:9/v1/tokens/shape unreachable: ') });
  });
});
