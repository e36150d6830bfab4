import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { decodeJwt } from 'jose';
import type { OAuth2Credential } from '@broker/config';
import { KeyExpiryRegistry } from './key-expiry.registry';
import { JWT_BEARER_ASSERTION_TYPE } from './oauth2-client-auth';
import { OAuth2Issuer } from './oauth2.issuer';
import { materialOf, rsaKeyPair } from '../../../test/fixtures/test-material.fixtures';
import { UpstreamBadResponseError } from './upstream.errors';

interface Seen {
  readonly headers: IncomingHttpHeaders;
  readonly form: Record<string, string>;
}

describe('OAuth2Issuer', () => {
  let server: Server;
  let tokenUrl: string;
  let answer: Record<string, unknown>;
  let seen: Seen | undefined;
  const issuer = new OAuth2Issuer(new KeyExpiryRegistry());

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        seen = { headers: req.headers, form: Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    tokenUrl = `http://127.0.0.1:${address.port}/oauth2/token`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    answer = { access_token: 'opaque-token', token_type: 'Bearer', expires_in: 3600 };
    seen = undefined;
  });

  function credential(overrides: Partial<OAuth2Credential> = {}): OAuth2Credential {
    return {
      id: 'graph',
      provider: 'oauth2',
      tokenUrl,
      clientId: 'client-1',
      clientAuth: 'client_secret_basic',
      scopes: ['https://graph.example.com/.default', 'offline'],
      params: { audience: 'https://api.example.com' },
      secret: { source: 'env', name: 'GRAPH_SECRET' },
      ...overrides,
    };
  }
  const issue = (c: OAuth2Credential, fields: Record<string, string> = { client_secret: 's3cret' }) =>
    issuer.issue(c, materialOf(fields), { timeoutMs: 2_000 });

  it('client_secret_basic: credentials in the Authorization header only; scopes space-separated; params in the form', async () => {
    const sentBefore = Date.now();
    const token = await issue(credential());

    expect(seen?.headers['authorization']).toBe(`Basic ${Buffer.from('client-1:s3cret').toString('base64')}`);
    expect(seen?.form).toEqual({
      grant_type: 'client_credentials',
      audience: 'https://api.example.com',
      scope: 'https://graph.example.com/.default offline',
    });
    expect(token.accessToken).toBe('opaque-token');
    expect(token.expiresAt - token.issuedAt).toBe(3_600_000);
    expect(token.issuedAt).toBeGreaterThanOrEqual(sentBefore);
  });

  it('client_secret_post: id and secret in the form; no scope parameter without scopes', async () => {
    await issue(credential({ clientAuth: 'client_secret_post', scopes: [], params: {} }));

    expect(seen?.headers['authorization']).toBeUndefined();
    expect(seen?.form).toEqual({ grant_type: 'client_credentials', client_id: 'client-1', client_secret: 's3cret' });
  });

  it('private_key_jwt: an assertion for this token URL instead of a secret', async () => {
    await issue(credential({ clientAuth: 'private_key_jwt', scopes: [], params: {} }), { private_key: rsaKeyPair().privatePem });

    expect(seen?.headers['authorization']).toBeUndefined();
    expect(seen?.form).toEqual({
      grant_type: 'client_credentials',
      client_id: 'client-1',
      client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
      client_assertion: expect.any(String),
    });
    expect(decodeJwt(seen?.form['client_assertion'] ?? '')).toMatchObject({ iss: 'client-1', sub: 'client-1', aud: tokenUrl });
  });

  describe('without expires_in', () => {
    // The lifetime goes through seconds, so float rounding (always down) may take off a millisecond.
    const expectExpiry = (expiresAt: number, exp: number) => {
      expect(expiresAt).toBeLessThanOrEqual(exp * 1000);
      expect(expiresAt).toBeGreaterThanOrEqual(exp * 1000 - 1);
    };
    const jwtWithExp = (exp: number) =>
      `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from(JSON.stringify({ exp })).toString('base64url')}.c2ln`;

    it('takes exp of a JWT access token', async () => {
      const exp = Math.floor(Date.now() / 1000) + 1800;
      answer = { access_token: jwtWithExp(exp), token_type: 'Bearer' };
      expectExpiry((await issue(credential())).expiresAt, exp);
    });

    it('prefers exp of a JWT over defaultLifetime', async () => {
      const exp = Math.floor(Date.now() / 1000) + 1800;
      answer = { access_token: jwtWithExp(exp), token_type: 'Bearer' };
      expectExpiry((await issue(credential({ defaultLifetimeSeconds: 60 }))).expiresAt, exp);
    });

    it('takes defaultLifetime for an opaque token', async () => {
      answer = { access_token: 'opaque', token_type: 'Bearer' };
      const token = await issue(credential({ defaultLifetimeSeconds: 600 }));
      expect(token.expiresAt - token.issuedAt).toBe(600_000);
    });

    it.each([
      ['an opaque token and no defaultLifetime', () => ({ access_token: 'opaque', token_type: 'Bearer' })],
      ['a JWT valid for years', () => ({ access_token: jwtWithExp(Math.floor(Date.now() / 1000) + 3 * 365 * 86400), token_type: 'Bearer' })],
      ['a JWT already expired', () => ({ access_token: jwtWithExp(Math.floor(Date.now() / 1000) - 10), token_type: 'Bearer' })],
    ])('refuses %s', async (_label, body) => {
      answer = body();
      await expect(issue(credential())).rejects.toBeInstanceOf(UpstreamBadResponseError);
    });
  });
});
