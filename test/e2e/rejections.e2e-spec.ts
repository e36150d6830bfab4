import { createHash, randomBytes } from 'node:crypto';
import { type BrokerUnderTest, type CredentialInput, startBroker } from '../support/broker-app';
import { call, elapse, type TokenBody } from '../support/broker-http';
import { ImsEmulator } from '../support/ims-emulator';
import { LogCapture } from '../support/log-capture';
import { expectProblem, expectToken } from './e2e.assertions';

const CLIENT_ID = 'e2e-rejections-client';
const SECRET_ENV = 'E2E_REJECTIONS_SECRET';
const API_KEY = `rejections-key-${randomBytes(16).toString('hex')}`;
const PROXY_ONLY_KEY = `proxy-only-key-${randomBytes(16).toString('hex')}`;
const COOLDOWN_MS = 1_500;

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('POST /v1/tokens/{credentialId}/rejections', () => {
  let ims: ImsEmulator;
  let broker: BrokerUnderTest;
  const audit = new LogCapture();

  const credential = (id: string): CredentialInput => ({ id, imsUrl: ims.url, clientId: CLIENT_ID, secret: { source: 'env', name: SECRET_ENV } });
  const get = (id: string) => call(broker.url, `/v1/tokens/${id}`, { apiKey: API_KEY });
  const reject = (id: string, body: unknown, apiKey = API_KEY) =>
    call(broker.url, `/v1/tokens/${id}/rejections`, { apiKey, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    const secret = `s3cret-${randomBytes(16).toString('hex')}`;
    process.env[SECRET_ENV] = secret;
    ims = await ImsEmulator.start();
    ims.addClient({ clientId: CLIENT_ID, secrets: [secret] });
    broker = await startBroker({
      auditLogs: audit,
      file: {
        credentials: ['replaced', 'unknown-fp', 'cooldown', 'storm', 'proxied'].map(credential),
        callers: [
          { id: 'svc', apiKey: API_KEY, credentials: ['*'] },
          { id: 'proxy-only', apiKey: PROXY_ONLY_KEY, credentials: [], proxy: ['proxied'] },
        ],
        tokens: { rejectionCooldown: `${COOLDOWN_MS}ms` },
      },
    });
  });
  afterAll(async () => {
    await broker?.close();
    await ims?.close();
    delete process.env[SECRET_ENV];
  });

  it('replaces the current token once, and a report of the replaced token changes nothing', async () => {
    const first = expectToken(await get('replaced'), 'replaced');
    const calls = ims.calls;

    const fresh = expectToken(await reject('replaced', { token_sha256: sha256(first.access_token) }), 'replaced');
    expect(fresh.access_token).not.toBe(first.access_token);
    expect(fresh.access_token).toBe(ims.issued.at(-1)?.token);
    expect(ims.calls - calls).toBe(1);
    expect((expectToken(await get('replaced'), 'replaced')).access_token).toBe(fresh.access_token);

    // The same (now replaced) token reported again, even in upper case: the current token, no upstream call.
    const again = expectToken(await reject('replaced', { token_sha256: sha256(first.access_token).toUpperCase() }), 'replaced');
    expect(again.access_token).toBe(fresh.access_token);
    expect(ims.calls - calls).toBe(1);
  });

  it('answers the current token for an unknown fingerprint without calling the identity provider', async () => {
    const current = expectToken(await get('unknown-fp'), 'unknown-fp');
    const calls = ims.calls;
    const answer = expectToken(await reject('unknown-fp', { token_sha256: randomBytes(32).toString('hex') }), 'unknown-fp');
    expect(answer.access_token).toBe(current.access_token);
    expect(ims.calls).toBe(calls);
  });

  it('refreshes at most once per rejectionCooldown, counted from the last rejection-triggered refresh', async () => {
    const first = expectToken(await get('cooldown'), 'cooldown');
    const second = expectToken(await reject('cooldown', { token_sha256: sha256(first.access_token) }), 'cooldown');
    const calls = ims.calls;
    // The new token is rejected too (the API distrusts the credential): within the cooldown, no new mint.
    const held = expectToken(await reject('cooldown', { token_sha256: sha256(second.access_token) }), 'cooldown');
    expect(held.access_token).toBe(second.access_token);
    expect(ims.calls).toBe(calls);
    await elapse(COOLDOWN_MS + 200);
    const third = expectToken(await reject('cooldown', { token_sha256: sha256(second.access_token) }), 'cooldown');
    expect(third.access_token).not.toBe(second.access_token);
    expect(ims.calls - calls).toBe(1);
  });

  it('turns 100 concurrent reports of the current token into one refresh, and every caller gets the new token', async () => {
    const current = expectToken(await get('storm'), 'storm');
    const calls = ims.calls;
    ims.delayMs = 150;
    const answers = await Promise.all(Array.from({ length: 100 }, () => reject('storm', { token_sha256: sha256(current.access_token) })));
    ims.delayMs = 0;
    const tokens = new Set(answers.map((answer) => expectToken(answer, 'storm').access_token));
    expect(ims.calls - calls).toBe(1);
    expect([...tokens]).toEqual([ims.issued.at(-1)?.token]);
  });

  it('records each report in the audit trail with a fingerprint, never the token', async () => {
    const current = expectToken(await get('unknown-fp'), 'unknown-fp');
    const answer = await reject('unknown-fp', { token_sha256: sha256(current.access_token) });
    const line = audit.entries.find((entry) => entry['request_id'] === answer.headers.get('x-request-id'));
    expect(line).toMatchObject({ action: 'token.rejection', outcome: 'success', caller_id: 'svc', credential_id: 'unknown-fp', details: { result: 'refreshed' } });
    const fresh = (answer.body as TokenBody).access_token;
    expect(line?.['token_fingerprint']).toBe(sha256(fresh).slice(0, 12));
    expect(JSON.stringify(audit.entries)).not.toContain(fresh);
  });

  it('refuses a proxy-only caller on every endpoint that hands out tokens', async () => {
    expectProblem(await call(broker.url, '/v1/tokens/proxied', { apiKey: PROXY_ONLY_KEY }), 403, 'forbidden');
    expectProblem(await call(broker.url, '/v1/tokens/proxied/headers', { apiKey: PROXY_ONLY_KEY }), 403, 'forbidden');
    expectProblem(await reject('proxied', { token_sha256: randomBytes(32).toString('hex') }, PROXY_ONLY_KEY), 403, 'forbidden');
  });

  it.each([
    ['null', null],
    ['a short hash', { token_sha256: 'abc' }],
    ['the token itself', { token_sha256: 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln' }],
    ['an extra field', { token_sha256: 'a'.repeat(64), token: 'x' }],
    ['a list', ['a'.repeat(64)]],
  ])('answers 400 invalid_body for %s, and changes nothing', async (_what, body) => {
    const calls = ims.calls;
    expectProblem(await reject('unknown-fp', body), 400, 'invalid_body');
    expect(ims.calls).toBe(calls);
  });

  it('answers 401 without a key', async () => {
    const response = await call(broker.url, '/v1/tokens/replaced/rejections', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expectProblem(response, 401, 'unauthenticated');
  });
});
