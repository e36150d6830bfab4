import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request, { type Response } from 'supertest';
import { type BrokerUnderTest, startBroker } from '../support/broker-app';
import type { BrokerResponse, ProblemBody } from '../support/broker-http';
import { ImsEmulator } from '../support/ims-emulator';
import { expectProblem, expectToken, STACK_FRAME } from './e2e.assertions';

const CLIENT_ID = 'e2e-access-client';
const CLIENT_SECRET = `s3cret-${randomBytes(16).toString('hex')}`;
const LIMITED_KEY = `limited-key-${randomBytes(16).toString('hex')}`;
const ADMIN_KEY = `admin-key-${randomBytes(16).toString('hex')}`;

/** A supertest answer in the shape the shared assertions take. */
function adapt(response: Response): BrokerResponse {
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers as Record<string, string | string[] | undefined>)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) for (const item of value) headers.append(name, item);
  }
  let body: unknown;
  try {
    body = JSON.parse(response.text) as unknown;
  } catch {
    body = undefined;
  }
  return { status: response.status, headers, text: response.text, body, elapsedMs: 0, sentAt: 0, receivedAt: 0 };
}

describe('caller access and request validation', () => {
  let ims: ImsEmulator;
  let broker: BrokerUnderTest;
  let server: Server;
  let secretDir: string;

  const get = (path: string, authorization?: string) => {
    const pending = request(server).get(path);
    return authorization === undefined ? pending : pending.set('Authorization', authorization);
  };
  const limited = async (path: string) => adapt(await get(path, `Bearer ${LIMITED_KEY}`));
  const admin = async (path: string) => adapt(await get(path, `Bearer ${ADMIN_KEY}`));

  beforeAll(async () => {
    ims = await ImsEmulator.start();
    ims.addClient({ clientId: CLIENT_ID, secrets: [CLIENT_SECRET] });
    secretDir = mkdtempSync(join(tmpdir(), 'broker-e2e-access-'));
    writeFileSync(join(secretDir, 'client-secret'), CLIENT_SECRET, { mode: 0o600 });
    const secret = { source: 'file', path: join(secretDir, 'client-secret') } as const;
    broker = await startBroker({
      file: {
        credentials: [
          { id: 'alpha', imsUrl: ims.url, clientId: CLIENT_ID, secret },
          { id: 'beta', imsUrl: ims.url, clientId: CLIENT_ID, secret },
        ],
        callers: [
          { id: 'limited', apiKey: LIMITED_KEY, credentials: ['alpha'] },
          { id: 'admin', apiKey: ADMIN_KEY, credentials: ['*'] },
        ],
      },
    });
    await broker.app.getHttpAdapter().getInstance().ready();
    server = broker.app.getHttpServer();
  });
  afterAll(async () => {
    await broker.close();
    await ims.close();
    rmSync(secretDir, { recursive: true, force: true });
  });

  describe('authentication', () => {
    it('serves a caller with a known key, whatever the case of the scheme', async () => {
      expectToken(await limited('/v1/tokens/alpha'), 'alpha');
      expectToken(adapt(await get('/v1/tokens/alpha', `bearer ${LIMITED_KEY}`)), 'alpha');
    });

    it('answers 401 with a bare Bearer challenge when no Authorization header is sent', async () => {
      const response = adapt(await get('/v1/tokens/alpha'));
      expectProblem(response, 401, 'unauthenticated');
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
      expect(response.headers.get('www-authenticate')).not.toMatch(/error=/);
    });

    it.each([
      ['another scheme', `Basic ${Buffer.from(`limited:${LIMITED_KEY}`).toString('base64')}`],
      ['an unknown key', `Bearer unknown-${randomBytes(16).toString('hex')}`],
      ['a scheme without a key', 'Bearer'],
      ['a key that is too short', 'Bearer abc'],
      ['two keys', `Bearer ${LIMITED_KEY} ${ADMIN_KEY}`],
      ['the key without a scheme', LIMITED_KEY],
      ['garbage', '}{!%$#@'],
      ['a very long key', `Bearer ${'k'.repeat(4_000)}`],
    ])('answers 401 invalid_token for %s', async (_what, authorization) => {
      const response = adapt(await get('/v1/tokens/alpha', authorization));
      expectProblem(response, 401, 'unauthenticated');
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer\b.*error="invalid_token"/);
    });

    it('asks for a key before revealing anything about the credential or the request', async () => {
      for (const path of ['/v1/tokens/nope', '/v1/tokens/beta/headers', '/v1/tokens/a%20b', '/v1/tokens/alpha?min_ttl=abc']) {
        const response = adapt(await get(path));
        expectProblem(response, 401, 'unauthenticated');
        expect(response.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
      }
    });
  });

  describe('authorisation', () => {
    it('answers 403 for a credential the caller may not fetch', async () => {
      expectProblem(await limited('/v1/tokens/beta'), 403, 'forbidden');
      expectProblem(await limited('/v1/tokens/beta/headers'), 403, 'forbidden');
    });

    it('answers an unknown credential like a forbidden one for a caller without "*"', async () => {
      const forbidden = expectProblem(await limited('/v1/tokens/beta'), 403, 'forbidden');
      const unknown = expectProblem(await limited('/v1/tokens/nope'), 403, 'forbidden');
      const comparable = (problem: ProblemBody, id: string) => ({
        ...problem,
        detail: problem.detail.split(id).join('<id>'),
        request_id: undefined,
      });
      expect(comparable(unknown, 'nope')).toEqual(comparable(forbidden, 'beta'));
    });

    it('answers 404 for an unknown credential to a caller with "*"', async () => {
      expectProblem(await admin('/v1/tokens/nope'), 404, 'credential_not_found');
      expectProblem(await admin('/v1/tokens/nope/headers'), 404, 'credential_not_found');
      expectToken(await admin('/v1/tokens/beta'), 'beta');
    });
  });

  describe('request validation', () => {
    it.each([
      ['a space', 'a%20b'],
      ['65 characters', 'x'.repeat(65)],
      ['a NUL byte', 'a%00b'],
      ['braces', '%7Bcred%3Ax%7D'],
      ['a non-ASCII letter', 'caf%C3%A9'],
      ['dot-dot', '..%2Fetc'],
    ])('answers 400 invalid_credential_id for an id with %s', async (_what, id) => {
      expectProblem(await admin(`/v1/tokens/${id}`), 400, 'invalid_credential_id');
      expectProblem(await limited(`/v1/tokens/${id}/headers`), 400, 'invalid_credential_id');
    });

    it.each([
      ['broken percent-encoding', '%E0%A4%A'],
      ['a lone percent sign', 'a%'],
      ['300 characters', 'x'.repeat(300)],
    ])('answers a problem, not a framework error page, for an id with %s', async (_what, id) => {
      const response = await admin(`/v1/tokens/${id}`);
      expect([400, 414]).toContain(response.status);
      const problem = expectProblem(response, response.status);
      // The broker must not reflect the raw path back.
      expect(problem.detail).not.toContain(id);
    });

    it.each(['-1', '1.5', 'abc', '999999', '86401', '', '1e3', '0x10', '%205'])('answers 400 invalid_parameter for min_ttl=%p', async (value) => {
      expectProblem(await admin(`/v1/tokens/alpha?min_ttl=${value}`), 400, 'invalid_parameter');
    });

    it.each(['foo=bar', 'MIN_TTL=5', 'min_ttl=5&min_ttl=6', 'min_ttl=5&ttl=6', 'min_ttl[]=5'])('answers 400 invalid_parameter for ?%s', async (query) => {
      expectProblem(await admin(`/v1/tokens/alpha?${query}`), 400, 'invalid_parameter');
    });

    it('accepts min_ttl from 0 to 86400', async () => {
      for (const value of ['0', '300', '86400']) expectToken(await admin(`/v1/tokens/alpha?min_ttl=${value}`), 'alpha');
    });
  });

  describe('everything else', () => {
    it.each(['/', '/v1', '/v1/tokens', '/v1/tokens/alpha/extra/path', '/v2/tokens/alpha', '/health'])('answers 404 not_found for GET %s', async (path) => {
      const response = await admin(path);
      const problem = expectProblem(response, 404, 'not_found');
      expect(problem.detail).not.toContain(path.slice(1) || '<none>');
    });

    it.each(['POST', 'PUT', 'DELETE', 'PATCH'])('answers a 4xx problem for %s on a token route', async (method) => {
      const response = adapt(
        await request(server)[method.toLowerCase() as 'post' | 'put' | 'delete' | 'patch']('/v1/tokens/alpha').set('Authorization', `Bearer ${ADMIN_KEY}`),
      );
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expectProblem(response, response.status);
    });

    it('answers a 4xx problem for a POST with malformed JSON', async () => {
      for (const path of ['/v1/tokens/alpha', '/nowhere']) {
        const response = adapt(
          await request(server).post(path).set('Authorization', `Bearer ${ADMIN_KEY}`).set('Content-Type', 'application/json').send('{"min_ttl": '),
        );
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
        expectProblem(response, response.status);
      }
    });

    it('answers a 4xx problem for a body over the size limit', async () => {
      const response = adapt(
        await request(server)
          .post('/v1/tokens/alpha')
          .set('Authorization', `Bearer ${ADMIN_KEY}`)
          .set('Content-Type', 'application/json')
          .send(JSON.stringify({ padding: 'p'.repeat(64 * 1024) })),
      );
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expectProblem(response, response.status);
    });

    it('reuses a well-formed x-request-id and replaces a malformed one', async () => {
      const reused = adapt(await get('/v1/tokens/nope').set('x-request-id', 'e2e-req-0001'));
      expect(reused.headers.get('x-request-id')).toBe('e2e-req-0001');
      expect(expectProblem(reused, 401).request_id).toBe('e2e-req-0001');

      const odd = `bad id ${'z'.repeat(80)}`;
      const replaced = adapt(await get('/v1/tokens/nope').set('x-request-id', odd));
      expect(replaced.headers.get('x-request-id')).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
      expect(replaced.text).not.toContain(odd);
    });

    it('never answers with a stack trace or a 500 to any of the above', async () => {
      // A sweep over odd inputs together, in case one path only fails in combination.
      const paths = ['/v1/tokens/%FF', '/v1/tokens/alpha?min_ttl=%FF', '/v1/tokens/alpha?%FF=1', '/v1/tokens/alpha/headers?min_ttl=-0', '/v1/tokens/%C3%A9'];
      for (const path of paths) {
        const response = await admin(path);
        expect(response.status).toBeLessThan(500);
        expect(response.text).not.toMatch(STACK_FRAME);
        if (response.status >= 400) expectProblem(response, response.status);
      }
    });
  });
});
