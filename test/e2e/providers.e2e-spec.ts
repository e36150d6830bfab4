import { createPrivateKey, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, exportJWK, SignJWT } from 'jose';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { parseBrokerConfig, parseEnvironment } from '@broker/config';
import { KeyExpiryRegistry } from '@broker/issuers';
import { createRootLogger } from '@broker/observability';
import { createBrokerApp } from '../../apps/broker/src/broker.app';
import { sha256Hex, TEST_ORG_ID } from '../support/broker-app';
import { type BrokerResponse, call, elapse, type TokenBody } from '../support/broker-http';
import { IMS_JWT_EXCHANGE_PATH, type ImsFaultKind, type ImsFaultOptions, ImsEmulator } from '../support/ims-emulator';
import { LogCapture } from '../support/log-capture';
import { OidcAuthorizationServer } from '../support/oidc-provider';
import { expectProblem, expectToken, expectTruthfulExpiresIn } from './e2e.assertions';
// Public test material: a self-signed certificate that ran out on 2021-01-01.
import { CERTIFICATE_2021 } from '../fixtures/test-material.fixtures';

// The broker of each block runs in-process like the other e2e specs; the config is written here (not through
// test/support/broker-app.ts, whose file builder knows only adobe-ims credentials).

const API_KEY = `providers-key-${randomBytes(16).toString('hex')}`;
/** Nest routes every Logger to the newest app, so all brokers of this file share one capture. */
const logs = new LogCapture();
/** Everything that must never appear in a log line, by label. */
const mustNotLeak = new Map<string, string>();

interface Broker {
  readonly app: NestFastifyApplication;
  readonly url: string;
  get(path: string): Promise<BrokerResponse>;
  close(): Promise<void>;
}

async function startBrokerWith(credentials: readonly Record<string, unknown>[], tokens: Record<string, string | number> = {}): Promise<Broker> {
  const file = { credentials, callers: [{ id: 'svc', apiKeySha256: sha256Hex(API_KEY), credentials: ['*'] }], tokens };
  const config = parseBrokerConfig(JSON.stringify(file, null, 2), '/e2e/providers.yaml');
  const env = parseEnvironment({ HOST: '127.0.0.1', LOG_LEVEL: 'trace' });
  const app = await createBrokerApp({ env, config, logger: createRootLogger({ level: 'trace', destination: logs }) });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  if (address === null || typeof address === 'string') throw new Error('broker has no TCP address');
  const url = `http://127.0.0.1:${address.port}`;
  return { app, url, get: (path) => call(url, path, { apiKey: API_KEY }), close: () => app.close() };
}

/** A secret nobody could guess, remembered so the log check looks for it. */
function secretValue(label: string, prefix = 's3cret'): string {
  const value = `${prefix}-${randomBytes(16).toString('hex')}`;
  mustNotLeak.set(label, value);
  return value;
}

/** A PKCS#8 key pair; a stretch from the middle of the private PEM is watched for in the logs. */
function keyPair(label: string, type: 'rsa' | 'ec'): { privatePem: string; publicKey: KeyObject } {
  const { privateKey, publicKey } =
    type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  mustNotLeak.set(label, privatePem.slice(100, 160));
  return { privatePem, publicKey };
}

let secretDir: string;
/** Writes a secret file and returns its `secret:` reference. */
function secretFile(name: string, content: string | Record<string, string>): { source: 'file'; path: string } {
  const path = join(secretDir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content), { mode: 0o600 });
  return { source: 'file', path };
}

beforeAll(() => {
  secretDir = mkdtempSync(join(tmpdir(), 'broker-e2e-providers-'));
});
afterAll(() => rmSync(secretDir, { recursive: true, force: true }));

describe('provider oauth2 against a real authorization server (oidc-provider)', () => {
  // ':', '+', ' ', '%': wrong unless id and secret are form-urlencoded before base64 (RFC 6749 §2.3.1).
  const BASIC_SECRET = secretValue('basic secret', 'b@sic:s3cret+ %/');
  const POST_SECRET = secretValue('post secret');
  const INTROSPECTOR = { clientId: 'introspector', clientSecret: secretValue('introspector secret') };
  const RESOURCE = 'https://api.example.test';
  const rsa = keyPair('rsa private key', 'rsa');
  const ec = keyPair('ec private key', 'ec');
  const stranger = keyPair('unregistered private key', 'rsa');

  let as: OidcAuthorizationServer;
  let broker: Broker;

  beforeAll(async () => {
    as = await OidcAuthorizationServer.start({
      scopes: ['api:read', 'api:write'],
      clients: [
        { client_id: 'basic-client', client_secret: BASIC_SECRET, token_endpoint_auth_method: 'client_secret_basic', scope: 'api:read api:write' },
        { client_id: 'post-client', client_secret: POST_SECRET, token_endpoint_auth_method: 'client_secret_post', scope: 'api:read' },
        {
          client_id: 'rsa-client',
          token_endpoint_auth_method: 'private_key_jwt',
          jwks: { keys: [{ ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', use: 'sig' }] },
          scope: 'api:read',
        },
        { client_id: 'ec-client', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [await exportJWK(ec.publicKey)] }, scope: 'api:read' },
        { client_id: INTROSPECTOR.clientId, client_secret: INTROSPECTOR.clientSecret, token_endpoint_auth_method: 'client_secret_basic' },
      ],
    });
    const oauth2 = (id: string, clientId: string, clientAuth: string, secret: object, extra: Record<string, unknown> = {}) => ({
      id,
      provider: 'oauth2',
      tokenUrl: as.tokenUrl,
      clientId,
      clientAuth,
      scopes: ['api:read'],
      secret,
      ...extra,
    });
    broker = await startBrokerWith([
      oauth2('basic', 'basic-client', 'client_secret_basic', secretFile('basic', BASIC_SECRET), { scopes: ['api:read', 'api:write'] }),
      oauth2('post', 'post-client', 'client_secret_post', secretFile('post', `${POST_SECRET}\n`)),
      oauth2('rsa', 'rsa-client', 'private_key_jwt', secretFile('rsa.json', { private_key: rsa.privatePem, kid: 'rsa-1' })),
      oauth2('ec', 'ec-client', 'private_key_jwt', secretFile('ec.json', { private_key: ec.privatePem })),
      oauth2('resource', 'basic-client', 'client_secret_basic', secretFile('basic-2', BASIC_SECRET), { params: { resource: RESOURCE } }),
      oauth2('wrong-secret', 'basic-client', 'client_secret_basic', secretFile('wrong', secretValue('wrong secret'))),
      oauth2('stranger-key', 'rsa-client', 'private_key_jwt', secretFile('stranger.json', { private_key: stranger.privatePem, kid: 'rsa-1' })),
      oauth2('no-key', 'rsa-client', 'private_key_jwt', secretFile('no-key.json', { client_secret: secretValue('secret without key') })),
      oauth2('templated', 'post-client', 'client_secret_post', secretFile('post-2', POST_SECRET), {
        headers: { Authorization: 'Bearer {access_token}', 'X-Client-Id': '{client_id}', 'X-Api-Version': '2' },
      }),
    ]);
  });
  afterAll(async () => {
    await broker.close();
    await as.close();
  });

  it.each([
    ['basic', 'client_secret_basic', 'basic-client', 'api:read api:write'],
    ['post', 'client_secret_post', 'post-client', 'api:read'],
    ['rsa', 'private_key_jwt (RS256, kid)', 'rsa-client', 'api:read'],
    ['ec', 'private_key_jwt (ES256)', 'ec-client', 'api:read'],
  ])('mints a token for %s (%s) that the server introspects as active', async (id, _auth, clientId, scope) => {
    const response = await broker.get(`/v1/tokens/${id}`);

    const body = expectToken(response, id);
    expectTruthfulExpiresIn(response, body);
    expect(body.expires_in).toBeGreaterThan(3590);
    expect(body.expires_in).toBeLessThanOrEqual(3600);
    mustNotLeak.set(`access token of ${id}`, body.access_token);
    const introspection = await as.introspect(body.access_token, INTROSPECTOR);
    expect(introspection).toMatchObject({ active: true, client_id: clientId, scope, token_type: 'Bearer' });
    expect((await as.stats()).serverErrors).toEqual([]);
  });

  it('sends params (RFC 8707 resource): the server answers with a JWT access token for that audience', async () => {
    const body = expectToken(await broker.get('/v1/tokens/resource'), 'resource');
    mustNotLeak.set('access token of resource', body.access_token);

    expect(decodeJwt(body.access_token)).toMatchObject({ aud: RESOURCE, client_id: 'basic-client', scope: 'api:read' });
  });

  it.each([
    ['wrong-secret', 'a wrong client secret'],
    ['stranger-key', 'an assertion signed with a key the server does not know'],
  ])('answers 502 upstream_invalid_client for %s (%s)', async (id) => {
    const before = await as.stats();
    expectProblem(await broker.get(`/v1/tokens/${id}`), 502, 'upstream_invalid_client');
    // A rejected client is terminal: one call (the re-read secret is unchanged, so no second one).
    const after = await as.stats();
    expect(after.tokenRequests - before.tokenRequests).toBe(1);
    expect(after.grantErrors.slice(before.grantErrors.length)).toEqual([expect.stringMatching(/^invalid_client/)]);
  });

  it('answers 502 credential_material_invalid, without calling the server, when the secret has no private_key', async () => {
    const before = (await as.stats()).tokenRequests;
    const problem = expectProblem(await broker.get('/v1/tokens/no-key'), 502, 'credential_material_invalid');

    expect(problem.detail).toContain('private_key');
    expect((await as.stats()).tokenRequests).toBe(before);
  });

  it('gives only the authorization header by default', async () => {
    const response = await broker.get('/v1/tokens/basic/headers');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ authorization: expect.stringMatching(/^Bearer \S+$/) });
  });

  it('renders a credential’s header templates', async () => {
    const token = expectToken(await broker.get('/v1/tokens/templated'), 'templated');
    mustNotLeak.set('access token of templated', token.access_token);
    const response = await broker.get('/v1/tokens/templated/headers');

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body).toEqual({ authorization: `Bearer ${token.access_token}`, 'x-client-id': 'post-client', 'x-api-version': '2' });
  });
});

describe('provider adobe-ims-jwt against the IMS emulator', () => {
  const CLIENT_ID = 'e2e-jwt-client';
  const TECHNICAL_ACCOUNT = 'E2E0123456789ABCDEF@techacct.adobe.com';
  const METASCOPES = ['ent_dataservices_sdk', 'ent_cja_sdk'];
  const CLIENT_SECRET = secretValue('jwt client secret', 'p8e');
  const key = keyPair('jwt private key', 'rsa');
  const stranger = keyPair('jwt unregistered key', 'rsa');
  const COOLDOWN_MS = 500;
  const BAD_LIFETIMES: [string, ImsFaultKind, ImsFaultOptions][] = [
    ['zero', 'bad_expires', { expiresIn: 0 }],
    ['negative', 'bad_expires', { expiresIn: -5 }],
    // Milliseconds taken for milliseconds once more (x1000): 1000 days.
    ['years', 'bad_expires', { expiresIn: 86_399_992_000 }],
    ['text', 'bad_expires', { expiresIn: 'tomorrow' }],
    ['huge', 'huge', {}],
  ];

  let ims: ImsEmulator;
  let broker: Broker;

  beforeAll(async () => {
    ims = await ImsEmulator.start();
    ims.addJwtClient({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      publicKey: key.publicKey,
      orgId: TEST_ORG_ID,
      technicalAccountId: TECHNICAL_ACCOUNT,
      metascopes: METASCOPES,
    });
    const jwtCredential = (id: string, secret: Record<string, string>) => ({
      id,
      provider: 'adobe-ims-jwt',
      imsUrl: ims.url,
      clientId: CLIENT_ID,
      orgId: TEST_ORG_ID,
      technicalAccountId: TECHNICAL_ACCOUNT,
      metascopes: METASCOPES,
      secret: secretFile(`${id}.json`, secret),
    });
    const good = { client_secret: CLIENT_SECRET, private_key: key.privatePem };
    broker = await startBrokerWith(
      [
        jwtCredential('aep-legacy', { ...good, certificate: CERTIFICATE_2021 }),
        jwtCredential('aep-legacy-no-cert', good),
        jwtCredential('wrong-secret', { ...good, client_secret: secretValue('jwt wrong secret') }),
        jwtCredential('stranger-key', { ...good, private_key: stranger.privatePem }),
        ...BAD_LIFETIMES.map(([id]) => jwtCredential(`bad-${id}`, good)),
      ],
      { failureCooldown: `${COOLDOWN_MS}ms` },
    );
  });
  afterAll(async () => {
    await broker.close();
    await ims.close();
  });
  afterEach(() => ims.reset());

  it('exchanges a signed JWT (multipart) and converts the milliseconds of expires_in to seconds', async () => {
    const response = await broker.get('/v1/tokens/aep-legacy');

    const body = expectToken(response, 'aep-legacy');
    mustNotLeak.set('jwt access token', body.access_token);
    expect(body.access_token).toBe(ims.issued.at(-1)?.token);
    expect(ims.issued.at(-1)).toMatchObject({ clientId: CLIENT_ID, scopes: METASCOPES, expiresIn: 86_399_992 });
    // 86399992 ms is 86399.992 s: the broker says 86399 (whole seconds left), not 86399992 and not 86.
    expect(body.expires_in).toBeGreaterThanOrEqual(86_398);
    expect(body.expires_in).toBeLessThanOrEqual(86_399);
    expectTruthfulExpiresIn(response, body);
    expect(Date.parse(body.expires_at)).toBeGreaterThanOrEqual(response.sentAt + 86_399_992 - 1);
    expect(Date.parse(body.expires_at)).toBeLessThanOrEqual(response.receivedAt + 86_399_992);

    const request = ims.requests.at(-1);
    expect(request?.path).toBe(IMS_JWT_EXCHANGE_PATH);
    expect(request?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(request?.params).toEqual({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, jwt_token: expect.any(String) });
    const claims = decodeJwt(request?.params['jwt_token'] ?? '');
    const now = Date.now() / 1000;
    expect(claims).toEqual({
      iss: TEST_ORG_ID,
      sub: TECHNICAL_ACCOUNT,
      aud: `${ims.url}/c/${CLIENT_ID}`,
      exp: expect.any(Number),
      [`${ims.url}/s/ent_dataservices_sdk`]: true,
      [`${ims.url}/s/ent_cja_sdk`]: true,
    });
    expect(claims.exp).toBeGreaterThan(now + 240);
    expect(claims.exp).toBeLessThanOrEqual(now + 300);
  });

  it('gives the three Adobe headers', async () => {
    const response = await broker.get('/v1/tokens/aep-legacy/headers');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      authorization: expect.stringMatching(/^Bearer eyJ/),
      'x-api-key': CLIENT_ID,
      'x-gw-ims-org-id': TEST_ORG_ID,
    });
  });

  it('surfaces the certificate expiry through KeyExpiryRegistry and warns about it', async () => {
    expectToken(await broker.get('/v1/tokens/aep-legacy-no-cert'), 'aep-legacy-no-cert');
    const registry = broker.app.get(KeyExpiryRegistry);

    expect(registry.expiryOf('aep-legacy')).toEqual(new Date('2021-01-01T00:00:00Z'));
    expect(registry.expiryOf('aep-legacy-no-cert')).toBeUndefined();
    expect(logs.entries).toContainEqual(
      expect.objectContaining({
        level: expect.anything(),
        msg: 'the certificate of the signing key has expired',
        credential_id: 'aep-legacy',
        expires_at: '2021-01-01T00:00:00.000Z',
      }),
    );
  });

  it.each([
    ['wrong-secret', 'upstream_invalid_client'],
    ['stranger-key', 'upstream_invalid_token'],
  ])('answers 502 for %s with the IMS error (%s)', async (id, code) => {
    expectProblem(await broker.get(`/v1/tokens/${id}`), 502, code);
    expect(ims.requests[0]?.status).toBe(400);
  });

  it.each(BAD_LIFETIMES)('answers 502 upstream_bad_response for an expires_in that is %s, and caches nothing', async (label, kind, options) => {
    const id = `bad-${label}`;
    ims.failNext(1, kind, options);
    expectProblem(await broker.get(`/v1/tokens/${id}`), 502, 'upstream_bad_response');
    expect(ims.calls).toBe(1);

    await elapse(COOLDOWN_MS + 100);
    const body = expectToken(await broker.get(`/v1/tokens/${id}`), id);
    expect(ims.calls).toBe(2);
    expect(body.access_token).toBe(ims.issued.at(-1)?.token);
    expect(body.expires_in).toBeGreaterThanOrEqual(86_398);
  });

  describe('the emulator checks the JWT as IMS does', () => {
    type Claims = Record<string, unknown>;

    async function exchange(claims: Claims, signWith: string = key.privatePem) {
      const jwt = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256' }).sign(createPrivateKey(signWith));
      const form = new FormData();
      form.append('client_id', CLIENT_ID);
      form.append('client_secret', CLIENT_SECRET);
      form.append('jwt_token', jwt);
      const response = await fetch(`${ims.url}${IMS_JWT_EXCHANGE_PATH}`, { method: 'POST', body: form });
      return { status: response.status, body: (await response.json()) as Claims };
    }
    const valid = (): Claims => ({
      iss: TEST_ORG_ID,
      sub: TECHNICAL_ACCOUNT,
      aud: `${ims.url}/c/${CLIENT_ID}`,
      exp: Math.floor(Date.now() / 1000) + 300,
      [`${ims.url}/s/ent_dataservices_sdk`]: true,
    });
    const without = (claims: Claims, name: string): Claims => Object.fromEntries(Object.entries(claims).filter(([key]) => key !== name));

    it('answers a valid JWT with expires_in in milliseconds', async () => {
      expect(await exchange(valid())).toEqual({
        status: 200,
        body: { token_type: 'bearer', access_token: expect.any(String), expires_in: 86_399_992 },
      });
    });

    it.each<[string, (claims: Claims) => Claims, string]>([
      ['a wrong aud', (c) => ({ ...c, aud: 'https://ims-na1.adobelogin.com/c/other' }), 'invalid_token'],
      ['a wrong iss', (c) => ({ ...c, iss: 'OTHER@AdobeOrg' }), 'invalid_token'],
      ['a wrong sub', (c) => ({ ...c, sub: 'OTHER@techacct.adobe.com' }), 'invalid_token'],
      ['an exp in the past', (c) => ({ ...c, exp: Math.floor(Date.now() / 1000) - 60 }), 'invalid_token'],
      ['no exp', (c) => without(c, 'exp'), 'invalid_token'],
      ['no metascope', (c) => without(c, `${ims.url}/s/ent_dataservices_sdk`), 'invalid_scope'],
      ['a metascope not granted', (c) => ({ ...c, [`${ims.url}/s/ent_campaign_sdk`]: true }), 'invalid_scope'],
    ])('refuses %s', async (_label, change, error) => {
      expect(await exchange(change(valid()))).toEqual({ status: 400, body: { error, error_description: expect.any(String) } });
    });

    it('refuses a JWT signed with another key', async () => {
      expect(await exchange(valid(), stranger.privatePem)).toEqual({
        status: 400,
        body: { error: 'invalid_token', error_description: expect.any(String) },
      });
    });
  });
});

describe('provider oauth2: sanity bounds on what the token endpoint answers', () => {
  // The IMS emulator's v3 endpoint speaks RFC 6749 client_credentials with client_secret_post, and can misbehave.
  const CLIENT_ID = 'e2e-oauth2-bounds';
  const CLIENT_SECRET = secretValue('bounds client secret');
  const COOLDOWN_MS = 500;
  const CASES: [string, ImsFaultKind, ImsFaultOptions][] = [
    ['milliseconds', 'bad_expires', { expiresIn: 86_399_992 }],
    ['zero', 'bad_expires', { expiresIn: 0 }],
    ['negative', 'bad_expires', { expiresIn: -5 }],
    ['huge', 'huge', {}],
  ];
  let ims: ImsEmulator;
  let broker: Broker;

  beforeAll(async () => {
    ims = await ImsEmulator.start();
    ims.addClient({ clientId: CLIENT_ID, secrets: [CLIENT_SECRET] });
    const secret = secretFile('bounds', CLIENT_SECRET);
    broker = await startBrokerWith(
      CASES.map(([id]) => ({
        id,
        provider: 'oauth2',
        tokenUrl: ims.tokenUrl,
        clientId: CLIENT_ID,
        clientAuth: 'client_secret_post',
        scopes: ['openid'],
        secret,
      })),
      { failureCooldown: `${COOLDOWN_MS}ms` },
    );
  });
  afterAll(async () => {
    await broker.close();
    await ims.close();
  });
  afterEach(() => ims.reset());

  it.each(CASES)('answers 502 upstream_bad_response for expires_in in %s (or a 10 MB body), and caches nothing', async (id, kind, options) => {
    ims.failNext(1, kind, options);
    const failed = await broker.get(`/v1/tokens/${id}`);
    expectProblem(failed, 502, 'upstream_bad_response');
    expect(ims.calls).toBe(1);
    const rejected = ims.issued.map((t) => t.token);

    // During the cooldown the failure is answered from memory; after it, a fresh mint.
    expectProblem(await broker.get(`/v1/tokens/${id}`), 502, 'upstream_bad_response');
    expect(ims.calls).toBe(1);
    await elapse(COOLDOWN_MS + 100);
    const body: TokenBody = expectToken(await broker.get(`/v1/tokens/${id}`), id);
    expect(ims.calls).toBe(2);
    expect(rejected).not.toContain(body.access_token);
    expect(body.expires_in).toBeGreaterThanOrEqual(86_398);
    expect(body.expires_in).toBeLessThanOrEqual(86_399);
    expect(ims.requests.at(-1)?.params).toMatchObject({ grant_type: 'client_credentials', client_id: CLIENT_ID, scope: 'openid' });
  });
});

describe('logs of every broker in this file', () => {
  it('are JSON lines without any secret, private key or token', () => {
    expect(logs.lines.length).toBeGreaterThan(0);
    expect(logs.unparsable).toEqual([]);
    expect(logs.leaksOf(mustNotLeak)).toEqual([]);
  });
});
