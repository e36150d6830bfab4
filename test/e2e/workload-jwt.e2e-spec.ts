import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrokerUnderTest, type CredentialInput, startBroker } from '../support/broker-app';
import { type BrokerResponse, call } from '../support/broker-http';
import { ImsEmulator } from '../support/ims-emulator';
import {
  generateSigningKey,
  hmacWithPublicKey,
  JwksServer,
  signWorkloadToken,
  type TestSigningKey,
  unsignedToken,
  type WorkloadTokenOptions,
} from '../support/jwks-server';
import { LogCapture } from '../support/log-capture';
import { expectProblem, expectToken } from './e2e.assertions';

const CLIENT_ID = 'e2e-jwt-client';
const CLIENT_SECRET = `s3cret-${randomBytes(16).toString('hex')}`;
const K8S = 'https://kubernetes.default.svc.cluster.local';
const FLAKY = 'https://flaky-issuer.example';
const DOWN = 'https://unreachable-issuer.example';
const AUDIENCE = 'token-broker';
const BILLING = 'system:serviceaccount:billing:billing-svc';

describe('workload JWT callers', () => {
  let ims: ImsEmulator;
  let jwks: JwksServer;
  let flakyJwks: JwksServer;
  /** Never answers with a key set. */
  let downJwks: JwksServer;
  /** Serves an attacker's key set; `jku`/`x5u` point here and it must never be asked. */
  let elsewhere: JwksServer;
  let broker: BrokerUnderTest;
  let secretDir: string;
  let rsa: TestSigningKey;
  let ec: TestSigningKey;
  let attacker: TestSigningKey;
  let flakyKey: TestSigningKey;
  const logs = new LogCapture();
  const audit = new LogCapture();
  const presented: string[] = [];

  const valid = (overrides: Partial<WorkloadTokenOptions> = {}, key: TestSigningKey = rsa): Promise<string> =>
    signWorkloadToken(key, { issuer: K8S, audience: AUDIENCE, subject: BILLING, ...overrides });
  const get = (path: string, token: string): Promise<BrokerResponse> => {
    presented.push(token);
    return call(broker.url, path, { authorization: `Bearer ${token}` });
  };
  const expectInvalidToken = (response: BrokerResponse): void => {
    expectProblem(response, 401, 'unauthenticated');
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer\b.*error="invalid_token"/);
  };

  beforeAll(async () => {
    ims = await ImsEmulator.start();
    ims.addClient({ clientId: CLIENT_ID, secrets: [CLIENT_SECRET] });
    secretDir = mkdtempSync(join(tmpdir(), 'broker-e2e-jwt-'));
    writeFileSync(join(secretDir, 'client-secret'), CLIENT_SECRET, { mode: 0o600 });
    [jwks, flakyJwks, downJwks, elsewhere] = await Promise.all([JwksServer.start(), JwksServer.start(), JwksServer.start(), JwksServer.start()]);
    downJwks.mode = 'error';
    [rsa, ec, attacker, flakyKey] = await Promise.all([
      generateSigningKey('RS256', 'rsa-1'),
      generateSigningKey('ES256', 'ec-1'),
      generateSigningKey('RS256', 'attacker'),
      generateSigningKey('RS256', 'flaky-1'),
    ]);
    jwks.setKeys([rsa.publicJwk, ec.publicJwk]);
    flakyJwks.setKeys([flakyKey.publicJwk]);
    downJwks.setKeys([flakyKey.publicJwk]);
    elsewhere.setKeys([attacker.publicJwk]);
    const credential = (id: string): CredentialInput => ({
      id,
      imsUrl: ims.url,
      clientId: CLIENT_ID,
      secret: { source: 'file', path: join(secretDir, 'client-secret') },
    });
    broker = await startBroker({
      logs,
      auditLogs: audit,
      file: {
        credentials: ['aep-prod', 'aep-stage', 'campaign-prod'].map(credential),
        issuers: [
          { issuer: K8S, jwksUri: jwks.jwksUri, audience: AUDIENCE, algorithms: ['RS256', 'ES256'] },
          { issuer: FLAKY, jwksUri: flakyJwks.jwksUri, audience: AUDIENCE },
          { issuer: DOWN, jwksUri: downJwks.jwksUri, audience: AUDIENCE },
        ],
        callers: [
          { id: 'billing-svc', jwtSubject: BILLING, issuer: K8S, credentials: ['aep-*'] },
          { id: 'flaky-svc', jwtSubject: BILLING, issuer: FLAKY, credentials: ['aep-*'] },
          { id: 'down-svc', jwtSubject: BILLING, issuer: DOWN, credentials: ['aep-*'] },
          { id: 'numeric-svc', jwtSubject: '12345', issuer: K8S, credentials: ['aep-*'] },
        ],
      },
    });
  });

  afterAll(async () => {
    await broker.close();
    await Promise.all([ims.close(), jwks.close(), flakyJwks.close(), downJwks.close(), elsewhere.close()]);
    rmSync(secretDir, { recursive: true, force: true });
  });

  describe('a valid token', () => {
    it('is served, whether signed with RS256 or ES256', async () => {
      expectToken(await get('/v1/tokens/aep-prod', await valid()), 'aep-prod');
      expectToken(await get('/v1/tokens/aep-stage', await valid({}, ec)), 'aep-stage');
    });

    it('is accepted with a numeric-looking subject written as the string RFC 7519 requires', async () => {
      expectToken(await get('/v1/tokens/aep-prod', await valid({ subject: '12345' })), 'aep-prod');
    });

    it('is accepted within the clock leeway of 30 s', async () => {
      expectToken(await get('/v1/tokens/aep-prod', await valid({ expiresIn: -10 })), 'aep-prod');
      expectToken(await get('/v1/tokens/aep-prod', await valid({ notBefore: 10 })), 'aep-prod');
    });

    it('is accepted with jku and x5u headers, which are ignored and never fetched', async () => {
      const token = await valid({ header: { jku: elsewhere.jwksUri, x5u: `${elsewhere.url}/cert.pem` } });
      expectToken(await get('/v1/tokens/aep-prod', token), 'aep-prod');
      expect(elsewhere.requests).toBe(0);
    });
  });

  describe('the grant', () => {
    it('lets a caller granted aep-* fetch aep-prod and aep-stage, not campaign-prod', async () => {
      const token = await valid();
      expectToken(await get('/v1/tokens/aep-prod', token), 'aep-prod');
      expectToken(await get('/v1/tokens/aep-stage', token), 'aep-stage');
      expectProblem(await get('/v1/tokens/campaign-prod', token), 403, 'forbidden');
    });

    it('answers an unknown id exactly like a forbidden one', async () => {
      const token = await valid();
      const forbidden = expectProblem(await get('/v1/tokens/campaign-prod', token), 403, 'forbidden');
      for (const id of ['aep-nope', 'nope']) {
        const unknown = expectProblem(await get(`/v1/tokens/${id}`, token), 403, 'forbidden');
        expect({ ...unknown, detail: unknown.detail.replace(id, '<id>'), request_id: '' }).toEqual({
          ...forbidden,
          detail: forbidden.detail.replace('campaign-prod', '<id>'),
          request_id: '',
        });
      }
    });
  });

  describe('is refused with 401 and a problem body', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const cases: ReadonlyArray<[string, () => Promise<string>]> = [
      ['a wrong audience', () => valid({ audience: 'someone-else' })],
      ['an issuer the broker does not trust', () => valid({ issuer: 'https://evil.example' })],
      ['an issuer named in iss but signed by another trusted issuer', () => valid({ issuer: FLAKY })],
      ['an expired token', () => valid({ expiresIn: -120 })],
      ['a token not yet valid', () => valid({ notBefore: 120 })],
      ['a token without exp', () => valid({ noExpiry: true })],
      ['a token without sub', () => signWorkloadToken(rsa, { issuer: K8S, audience: AUDIENCE })],
      ['an unknown subject', () => valid({ subject: 'system:serviceaccount:billing:intruder' })],
      ['a sub that is an array holding a known subject', () => valid({ subject: undefined, claims: { sub: [BILLING] as unknown as string } })],
      ['a sub that is a nested array holding a known subject', () => valid({ subject: undefined, claims: { sub: [[BILLING]] as unknown as string } })],
      ['a numeric sub equal to a numeric subject', () => valid({ subject: undefined, claims: { sub: 12345 as unknown as string } })],
      ['a bad signature (another key under a known kid)', () => valid({ header: { kid: 'rsa-1' } }, attacker)],
      ['a signature over another payload', async () => {
        const [header, , signature] = (await valid()).split('.');
        const payload = Buffer.from(JSON.stringify({ iss: K8S, aud: AUDIENCE, sub: BILLING, exp: now() + 3600, admin: true })).toString('base64url');
        return `${header}.${payload}.${signature}`;
      }],
      ['alg: none', async () => unsignedToken({ iss: K8S, aud: AUDIENCE, sub: BILLING, exp: now() + 600 })],
      ['HS256 signed with the RSA public key as secret', () => hmacWithPublicKey(rsa, { iss: K8S, aud: AUDIENCE, sub: BILLING, exp: now() + 600 })],
      ['an algorithm outside the allow-list (RS256 key, PS256 header)', async () => {
        const [, payload, signature] = (await valid()).split('.');
        return `${Buffer.from(JSON.stringify({ alg: 'PS256', kid: 'rsa-1' })).toString('base64url')}.${payload}.${signature}`;
      }],
      ['an attacker key announced with jku and x5u', () => valid({ header: { kid: 'attacker', jku: elsewhere.jwksUri, x5u: `${elsewhere.url}/cert.pem` } }, attacker)],
      ['an attacker key embedded as jwk', () => valid({ header: { kid: 'attacker', jwk: attacker.publicJwk } }, attacker)],
      ['garbage in three segments', async () => 'abc.def.ghi'],
      ['a payload that is not JSON', async () => `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from('not json').toString('base64url')}.sig`],
    ];

    it.each(cases)('%s', async (_what, token) => {
      expectInvalidToken(await get('/v1/tokens/aep-prod', await token()));
    });

    it('never fetches anything from jku or x5u', () => {
      expect(elsewhere.requests).toBe(0);
    });

    it('says an expired token has expired', async () => {
      const problem = expectProblem(await get('/v1/tokens/aep-prod', await valid({ expiresIn: -120 })), 401, 'unauthenticated');
      expect(problem.detail).toMatch(/expired/);
    });
  });

  describe('key-set fetching', () => {
    it('refetches at a bounded rate when tokens carry unknown kids', async () => {
      expectToken(await get('/v1/tokens/aep-prod', await valid()), 'aep-prod');
      const before = jwks.keySetFetches;
      const forged = await Promise.all(
        Array.from({ length: 40 }, (_, i) => valid({ header: { kid: `unknown-${i}-${randomBytes(4).toString('hex')}` } }, attacker)),
      );
      for (let i = 0; i < forged.length; i += 10) {
        const responses = await Promise.all(forged.slice(i, i + 10).map((token) => get('/v1/tokens/aep-prod', token)));
        for (const response of responses) expectInvalidToken(response);
      }
      // jose refetches on an unknown kid at most once per 30 s cooldown.
      expect(jwks.keySetFetches - before).toBeLessThanOrEqual(1);
      expect(jwks.keySetFetches).toBeLessThanOrEqual(2);
    });

    it('answers 401 while the issuer cannot be reached, probes it at a bounded rate, and stays ready', async () => {
      const token = await signWorkloadToken(flakyKey, { issuer: DOWN, audience: AUDIENCE, subject: BILLING });
      for (let i = 0; i < 20; i += 1) {
        const problem = expectProblem(await get('/v1/tokens/aep-prod', token), 401, 'unauthenticated');
        expect(problem.detail).toMatch(/signing keys/);
      }
      // One attempt, then the fetch backs off for 5 s instead of probing once per request.
      expect(downJwks.keySetFetches).toBe(1);
      const warning = await logs.waitFor((line) => line.json?.['msg'] === 'jwks fetch failed');
      expect(warning.json).toMatchObject({ level: 'warn', issuer: DOWN, reason: 'status 500' });
      const ready = await call(broker.url, '/health/ready');
      expect(ready.status).toBe(200);
      // The caller with a working issuer is unaffected.
      expectToken(await get('/v1/tokens/aep-prod', await valid()), 'aep-prod');
    });
  });

  it('audits JWT callers like any other: issuances with the caller id, refusals with the reason', () => {
    expect(audit.entries.some((e) => e['action'] === 'token.issue' && e['caller_id'] === 'billing-svc' && e['auth'] === 'jwt' && e['credential_id'] === 'aep-prod')).toBe(true);
    const refusals = audit.entries.filter((e) => e['action'] === 'access.denied');
    expect(refusals.filter((e) => e['status'] === 401).length).toBeGreaterThan(20);
    expect(refusals.filter((e) => e['status'] === 401 && 'caller_id' in e)).toEqual([]);
    expect(refusals.some((e) => e['status'] === 403 && e['caller_id'] === 'billing-svc' && e['credential_id'] === 'campaign-prod')).toBe(true);
  });

  it('never writes a presented token, a signature or an issued token to the logs', () => {
    const secrets = new Map<string, string>([['client secret', CLIENT_SECRET]]);
    presented.forEach((token, i) => {
      if (token.length > 0) secrets.set(`presented token ${i}`, token);
      const signature = token.split('.')[2];
      if (signature !== undefined && signature.length > 16) secrets.set(`signature ${i}`, signature);
    });
    ims.issued.forEach((issued, i) => secrets.set(`issued token ${i}`, issued.token));
    expect(logs.leaksOf(secrets)).toEqual([]);
    expect(audit.leaksOf(secrets)).toEqual([]);
  });
});
